"""Cost statistics of a world: model calls, cached calls, tokens and cost, in all and per agent.

Figures come from the ``llm.call`` events the LLM layer emits (their ``tags`` name the
agent). A call's cost is counted where the event carries one (``cost``, in US dollars); a
total that misses some prices is marked partial.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["UsageTotals", "CostStats"]


@dataclass
class UsageTotals:
    """What some model calls used."""

    calls: int = 0
    cached_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    priced_calls: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def cost_known(self) -> bool:
        """True when every call had a price."""
        return self.priced_calls == self.calls

    def add(self, data: dict[str, Any]) -> None:
        self.calls += 1
        self.cached_calls += 1 if data.get("cached") else 0
        self.input_tokens += int(data.get("input_tokens") or 0)
        self.output_tokens += int(data.get("output_tokens") or 0)
        cost = data.get("cost")
        if cost is not None:
            self.cost += float(cost)
            self.priced_calls += 1

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["total_tokens"] = self.total_tokens
        d["cost"] = self.cost if self.priced_calls else None
        return d


class CostStats:
    """Accumulates ``llm.call`` event data for a world, by agent (calls with no agent: ``None``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = UsageTotals()
        self.per_agent: dict[str | None, UsageTotals] = {}

    def record(self, data: dict[str, Any]) -> None:
        """Count one call, given the data of its ``llm.call`` event."""
        tags = data.get("tags") or {}
        agent = tags.get("agent")
        with self._lock:
            self.total.add(data)
            self.per_agent.setdefault(agent, UsageTotals()).add(data)

    def reset(self) -> None:
        with self._lock:
            self.total = UsageTotals()
            self.per_agent = {}

    def as_dict(self) -> dict[str, Any]:
        """Plain data: ``{"total": {...}, "agents": {name: {...}}}``."""
        with self._lock:
            return {
                "total": self.total.to_dict(),
                "agents": {str(k): v.to_dict() for k, v in self.per_agent.items() if k is not None},
                "unattributed": self.per_agent[None].to_dict() if None in self.per_agent else None,
            }

    def pretty(self, title: str = "cost summary") -> str:
        """A small text table: one row per agent and a total."""
        with self._lock:
            rows = [(str(k), v) for k, v in sorted(self.per_agent.items(), key=lambda kv: str(kv[0]))
                    if k is not None]
            if None in self.per_agent:
                rows.append(("(no agent)", self.per_agent[None]))
            rows.append(("TOTAL", self.total))
        width = max([len(name) for name, _ in rows] + [5])
        header = f"{'agent':<{width}}  {'calls':>6}  {'cached':>6}  {'in tok':>9}  {'out tok':>9}  {'cost':>11}"
        lines = [title, header, "-" * len(header)]
        for name, t in rows:
            lines.append(f"{name:<{width}}  {t.calls:>6}  {t.cached_calls:>6}  {t.input_tokens:>9}  "
                         f"{t.output_tokens:>9}  {_money(t):>11}")
        return "\n".join(lines)


def _money(t: UsageTotals) -> str:
    if t.calls == 0:
        return "$0.0000"
    if t.priced_calls == 0:
        return "unknown"
    text = f"${t.cost:.4f}"
    return text if t.cost_known else text + "+"
