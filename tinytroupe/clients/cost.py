"""The original clients' cost counters (``get_cost_stats``...), read from the usage tally.

Every call made through this library is counted once, by the usage wrapper, into
:func:`tinytroupe.llm.usage_stats`. A client's counters are that tally since the client's
last :meth:`CostStatsMixin.reset_cost_stats` (or since the process started), in the
original's shape::

    {"input_tokens": ..., "output_tokens": ..., "total_tokens": ..., "model_calls": ..., "cached_calls": ...}

``model_calls`` counts calls that reached the provider; ``cached_calls`` those the call
cache answered.
"""

from __future__ import annotations

import threading
from typing import Any

from tinytroupe.runtime import current_runtime

__all__ = ["CostStatsMixin", "cost_stats_since", "format_cost_stats", "get_global_cost_stats",
           "pretty_print_global_cost_stats"]

_FIELDS = ("calls", "cached_calls", "input_tokens", "output_tokens", "cached_input_tokens", "cached_output_tokens")


def _total_now() -> dict[str, int]:
    from tinytroupe.llm import usage_stats

    total = usage_stats().snapshot()["total"]
    return {f: int(total.get(f) or 0) for f in _FIELDS}


def cost_stats_since(baseline: dict[str, int] | None) -> dict[str, int]:
    """The usage counted since ``baseline`` (a :func:`_total_now` reading), in the original's shape."""
    now = _total_now()
    base = baseline or dict.fromkeys(_FIELDS, 0)
    delta = {f: max(0, now[f] - base.get(f, 0)) for f in _FIELDS}
    paid_in = delta["input_tokens"] - delta["cached_input_tokens"]
    paid_out = delta["output_tokens"] - delta["cached_output_tokens"]
    return {"input_tokens": paid_in, "output_tokens": paid_out, "total_tokens": paid_in + paid_out,
            "model_calls": delta["calls"] - delta["cached_calls"], "cached_calls": delta["cached_calls"]}


def format_cost_stats(stats: dict[str, Any], title: str = "LLM API COST STATISTICS") -> str:
    """``stats`` (the shape above) as the framed text block ``pretty_print_cost_stats`` prints."""
    rule = "=" * 60
    lines = [rule, title, rule,
             f"Input tokens:         {stats['input_tokens']:,}",
             f"Output tokens:        {stats['output_tokens']:,}",
             f"Total tokens:         {stats['total_tokens']:,}",
             f"Model API calls:      {stats['model_calls']:,}",
             f"Cached calls:         {stats['cached_calls']:,}",
             f"Total calls:          {stats['model_calls'] + stats['cached_calls']:,}"]
    if stats["model_calls"]:
        lines.append(f"Avg tokens per call:  {stats['total_tokens'] / stats['model_calls']:.1f}")
    lines.append(rule)
    return "\n".join(lines)


def get_global_cost_stats() -> dict[str, int]:
    """Every call this process made, through any client or agent, in the shape above (never reset
    by a client's ``reset_cost_stats``; ``tinytroupe.llm.usage_stats().reset()`` starts it over)."""
    return cost_stats_since(None)


def pretty_print_global_cost_stats() -> None:
    """Print :func:`get_global_cost_stats` as a framed table."""
    print("\n" + format_cost_stats(get_global_cost_stats(), "GLOBAL LLM API COST STATISTICS") + "\n")


_lock = threading.Lock()


def _baselines() -> dict[str, dict[str, int]]:
    """API type -> the usage totals at its clients' last reset_cost_stats (in the current runtime)."""
    return current_runtime().part("clients.baselines", dict)


class CostStatsMixin:
    """``get_cost_stats``/``reset_cost_stats``/``pretty_print_cost_stats`` for a client class.

    The counters of the clients of one API type are shared, as the original's clients are one
    instance per API type.
    """

    api_type = ""

    def _cost_key(self) -> str:
        return self.api_type or type(self).__name__

    def get_cost_stats(self) -> dict[str, int]:
        """Tokens and calls since the last :meth:`reset_cost_stats`."""
        with _lock:
            baseline = _baselines().get(self._cost_key())
        return cost_stats_since(baseline)

    def reset_cost_stats(self) -> None:
        """Count from zero again (the process-wide usage tally is left alone)."""
        with _lock:
            _baselines()[self._cost_key()] = _total_now()

    def pretty_print_cost_stats(self) -> None:
        """Print :meth:`get_cost_stats` as a small framed table."""
        print("\n" + format_cost_stats(self.get_cost_stats()) + "\n")
