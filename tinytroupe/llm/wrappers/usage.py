"""Usage and cost accounting: calls, cached calls, retries, repairs, failures, tokens, dollars.

:class:`UsageTracker` wraps a model or an embedder and records every call into a
:class:`UsageStats`, in total, per model, per purpose (the ``purpose`` tag, see :mod:`tinytroupe.llm.purposes`;
untagged chat calls count as ``other``, untagged embeddings as ``embedding``) and per tag (``{"agent": "Lisa"}`` tallies Lisa's calls
under ``by_tag["agent"]["Lisa"]``). Calls answered by the call cache are counted apart:
``cached_calls`` and ``cached_input_tokens``/``cached_output_tokens`` (they cost nothing);
``input_tokens``/``output_tokens`` count every call, cached or not. By default a tracker feeds the usage tally of the runtime it was built in
(:func:`usage_stats`; ``global_usage`` stands for the current one), which the CLI and UI display; pass
``stats=UsageStats()`` for a private one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from tinytroupe import events
from tinytroupe.llm.base import ChatRequest, LLMModel, Usage
from tinytroupe.llm.embeddings import EmbeddingModel, EmbeddingRequest
from tinytroupe.llm.purposes import purpose_of
from tinytroupe.llm.wrappers.limits import LimitedModel
from tinytroupe.llm.wrappers.pricing import FREE_PROVIDERS, Price, cost_of
from tinytroupe.llm.wrappers.seams import Req, Res, Seam, Send, StackWrapper, seam_of

__all__ = ["Tally", "UsageStats", "UsageTracker", "global_usage", "usage_stats"]


@dataclass
class Tally:
    """Counts for one slice of the calls (all, one model, one tag value)."""

    calls: int = 0
    cached_calls: int = 0
    retries: int = 0
    repairs: int = 0
    failures: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cached_output_tokens: int = 0
    cost: float = 0.0
    unpriced_calls: int = 0

    @property
    def paid_calls(self) -> int:
        """Calls that reached the provider and were answered."""
        return self.calls - self.cached_calls

    def to_dict(self) -> dict[str, Any]:
        """Plain data; ``cost`` is None when no call had a known price."""
        data = asdict(self)
        data["cost"] = None if self.calls and self.unpriced_calls == self.calls else round(self.cost, 6)
        data["paid_calls"] = self.paid_calls
        return data


class UsageStats:
    """A thread-safe tally of model usage, in total, per model and per tag."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gauges: dict[str, Callable[[], dict[str, Any]]] = {}
        self.info: dict[str, str] = {}  # what is in use, e.g. {"embeddings": "lexical (...)"}; kept by reset()
        self.reset()

    def set_info(self, key: str, value: str) -> None:
        """Note what is in use (shown by :meth:`snapshot` under ``info`` and by :meth:`summary`)."""
        with self._lock:
            self.info[key] = value

    def set_gauge(self, name: str, read: Callable[[], dict[str, Any]]) -> None:
        """Report ``read()`` under ``name`` in every :meth:`snapshot` (e.g. the concurrency window)."""
        with self._lock:
            self._gauges[name] = read

    def reset(self) -> None:
        """Start counting from zero."""
        with self._lock:
            self.total = Tally()
            self.by_model: dict[str, Tally] = {}
            self.by_purpose: dict[str, Tally] = {}
            self.by_tag: dict[str, dict[str, Tally]] = {}

    def _slices(self, model: str, tags: dict[str, str]) -> list[Tally]:
        slices = [self.total, self.by_model.setdefault(model, Tally()),
                  self.by_purpose.setdefault(purpose_of(tags), Tally())]
        for key, value in tags.items():
            slices.append(self.by_tag.setdefault(key, {}).setdefault(str(value), Tally()))
        return slices

    def record_call(self, model: str, tags: dict[str, str], *, input_tokens: int, output_tokens: int,
                    cached: bool, cost: float | None) -> None:
        """Count one answered call."""
        with self._lock:
            for t in self._slices(model, tags):
                t.calls += 1
                t.cached_calls += int(cached)
                t.input_tokens += input_tokens
                t.output_tokens += output_tokens
                if cached:
                    t.cached_input_tokens += input_tokens
                    t.cached_output_tokens += output_tokens
                if cost is None:
                    t.unpriced_calls += 1
                else:
                    t.cost += cost

    def _bump(self, field: str, model: str, tags: dict[str, str]) -> None:
        with self._lock:
            for t in self._slices(model, tags):
                setattr(t, field, getattr(t, field) + 1)

    def record_retry(self, model: str, tags: dict[str, str]) -> None:
        """Count one retry after a transient error."""
        self._bump("retries", model, tags)

    def record_repair(self, model: str, tags: dict[str, str]) -> None:
        """Count one structured-output repair (a re-ask after an invalid reply)."""
        self._bump("repairs", model, tags)

    def record_failure(self, model: str, tags: dict[str, str]) -> None:
        """Count one call that ended in an error."""
        self._bump("failures", model, tags)

    def snapshot(self) -> dict[str, Any]:
        """All counts as plain JSON-able data."""
        with self._lock:
            snap: dict[str, Any] = {
                "info": dict(self.info),
                "total": self.total.to_dict(),
                "by_model": {m: t.to_dict() for m, t in self.by_model.items()},
                "by_purpose": {p: t.to_dict() for p, t in self.by_purpose.items()},
                "by_tag": {k: {v: t.to_dict() for v, t in vals.items()} for k, vals in self.by_tag.items()},
            }
            gauges = dict(self._gauges)
        for name, read in gauges.items():
            snap[name] = read()
        return snap

    def summary(self) -> str:
        """A short human-readable table of the counts."""
        snap = self.snapshot()
        rows = [("total", snap["total"])] + [(f"model {m}", t) for m, t in sorted(snap["by_model"].items())]
        rows += [(f"purpose {p}", t) for p, t in sorted(snap["by_purpose"].items())]
        for key, vals in sorted(snap["by_tag"].items()):
            if key != "purpose":  # already listed above, as "purpose ..." rows
                rows += [(f"{key} {v}", t) for v, t in sorted(vals.items())]
        width = max(len(label) for label, _ in rows)
        header = f"{'':<{width}}  calls cached retries repairs failed   in tokens  out tokens        cost"
        lines = [header]
        for label, t in rows:
            cost = "unknown" if t["cost"] is None else f"${t['cost']:.4f}"
            if t["unpriced_calls"] and t["cost"] is not None:
                cost += "+?"
            lines.append(
                f"{label:<{width}}  {t['calls']:>5} {t['cached_calls']:>6} {t['retries']:>7} {t['repairs']:>7} "
                f"{t['failures']:>6} {t['input_tokens']:>11} {t['output_tokens']:>11} {cost:>11}"
            )
        lines += [f"{key}: {value}" for key, value in sorted(snap["info"].items())]
        return "\n".join(lines)


def usage_stats() -> UsageStats:
    """The usage tally of the current runtime (what its wrapped models record into)."""
    from tinytroupe.runtime import current_runtime

    return current_runtime().part("llm.usage", UsageStats)


class _CurrentUsage:
    """``global_usage``: stands for the current runtime's :class:`UsageStats` (the original's
    process-wide tally, now one per runtime)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(usage_stats(), name)

    def __repr__(self) -> str:
        return f"global_usage -> {usage_stats()!r}"


global_usage: Any = _CurrentUsage()


class UsageTracker(StackWrapper):
    """Records each call's tokens and cost, chat or embedding; emits ``llm.call`` / ``llm.embed`` events.

    ``prices`` (model name -> :class:`Price` or ``(input, output)`` per million tokens)
    overrides the shared price table for this tracker. ``gauge`` names the snapshot entry that
    shows the concurrency window of the :class:`LimitedModel` beneath (None: not shown).
    """

    def __init__(self, inner: LLMModel | EmbeddingModel, prices: dict[str, Price | tuple[float, float]] | None = None,
                 *, stats: UsageStats | None = None, gauge: str | None = "concurrency"):
        super().__init__(inner)
        self.prices = {k: v if isinstance(v, Price) else Price(*v) for k, v in (prices or {}).items()}
        self.stats = stats if stats is not None else usage_stats()  # the runtime it was built in
        limited = self.find(LimitedModel)
        if limited is not None and gauge:
            self.stats.set_gauge(gauge, limited.concurrency.stats)

    def _cost(self, model: str, provider: str, usage: Usage, cached: bool) -> float | None:
        if cached:
            return 0.0
        price = self.prices.get(model)
        if price is not None and provider not in FREE_PROVIDERS:
            return price.cost(usage.input_tokens, usage.output_tokens, usage.cached_input_tokens)
        return cost_of(model, usage.input_tokens, usage.output_tokens, provider, usage.cached_input_tokens)

    def note_retry(self, request: ChatRequest | EmbeddingRequest) -> None:
        """Count a retry of ``request`` (called by the retry wrapper below this one)."""
        self.stats.record_retry(self.model_of(request), seam_of(request).tags(request))

    def note_repair(self, request: ChatRequest) -> None:
        """Count a structured-output repair of ``request`` (called by the structured layer)."""
        self.stats.record_repair(self.model_of(request), request.tags)

    async def call(self, request: Req, send: Send[Req, Res], seam: Seam[Req, Res]) -> Res:
        model, tags = self.model_of(request), seam.tags(request)
        try:
            result = await send(request)
        except Exception:
            self.stats.record_failure(model, tags)
            raise
        usage, cached = seam.usage(result), seam.cached(request, result)
        provider = result.provider or self.inner.name
        cost = self._cost(result.model or model, provider, usage, cached)
        self.stats.record_call(model, tags, input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
                               cached=cached, cost=cost)
        events.emit(seam.event(provider, request, result, cost), source=request.tags.get("agent"))
        return result
