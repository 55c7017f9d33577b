"""Cost statistics in the original's shapes, from this library's usage tallies.

``base_stats`` is ``{"input_tokens", "output_tokens", "total_tokens", "model_calls",
"cached_calls", "cost"}`` (``cost`` in dollars, None when no call had a known price);
:func:`averages` divides it by a count (agents, steps, environments), and
:func:`render_cost_report` lays a stats dict out as the text the original prints.
"""

from __future__ import annotations

from typing import Any

from tinytroupe.llm.wrappers.usage import UsageStats, usage_stats

__all__ = ["base_stats", "averages", "global_agent_cost_stats", "render_cost_report", "AVERAGED"]

AVERAGED = ("input_tokens", "output_tokens", "total_tokens", "model_calls", "cached_calls")
_LABELS = {"input_tokens": "Input tokens", "output_tokens": "Output tokens", "total_tokens": "Total tokens",
           "model_calls": "Model calls", "cached_calls": "Cached calls"}


def base_stats(stats: UsageStats | None = None) -> dict[str, Any]:
    """The totals of ``stats`` (the process's usage tally when None) in the original's keys."""
    total = (stats or usage_stats()).snapshot()["total"]
    return {"input_tokens": total["input_tokens"], "output_tokens": total["output_tokens"],
            "total_tokens": total["input_tokens"] + total["output_tokens"], "model_calls": total["calls"],
            "cached_calls": total["cached_calls"], "cost": total["cost"]}


def averages(base: dict[str, Any], count: int) -> dict[str, float] | None:
    """``base``'s token and call counts divided by ``count``; None when ``count`` is 0."""
    if count <= 0:
        return None
    return {key: base[key] / count for key in AVERAGED}


def global_agent_cost_stats(total_agents: int) -> dict[str, Any]:
    """``{"base_stats", "total_agents", "per_agent"}`` for every model call of this process."""
    base = base_stats()
    return {"base_stats": base, "total_agents": total_agents, "per_agent": averages(base, total_agents)}


def _block(title: str, values: dict[str, Any], decimals: int | None) -> list[str]:
    lines = ["", f"{title}:"]
    for key in AVERAGED:
        value = values[key]
        text = f"{value:,}" if decimals is None else f"{value:,.{decimals}f}"
        lines.append(f"  {_LABELS[key] + ':':<18}{text}")
    return lines


def render_cost_report(title: str, context: dict[str, Any], stats: dict[str, Any],
                       sections: dict[str, str]) -> str:
    """The original's cost printout: a title, context lines, totals, then each averaged section
    of ``sections`` (stats key -> heading) that is not None."""
    rule = "=" * 70
    lines = ["", rule, title, rule, "", "Context:"]
    lines += [f"  {label + ':':<18}{value}" for label, value in context.items()]
    base = stats["base_stats"]
    lines += _block("Total resources used", base, None)
    if base.get("cost") is not None:
        lines.append(f"  {'Cost:':<18}${base['cost']:.4f}")
    for key, heading in sections.items():
        if stats.get(key) is not None:
            lines += _block(heading, stats[key], 1)
    lines += [rule, ""]
    return "\n".join(lines)
