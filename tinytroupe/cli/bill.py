"""The bill of a run: model usage by model and by purpose, cached calls apart.

Reads the usage dict of :class:`~tinytroupe.cli.progress.UsageMeter` (``by_model``,
``by_purpose``, each a tally with calls, cached calls, retries, tokens, cost) and renders it
for the console (a rich table) and for ``summary.md`` (Markdown lines).
"""

from __future__ import annotations

from typing import Any

from rich.table import Table

from tinytroupe.llm.purposes import LABELS, PURPOSES

__all__ = ["bill_rows", "bill_table", "bill_markdown"]

HEADER = ("", "calls", "cached", "retries", "tokens in", "tokens out", "cost")


def _cost(tally: dict[str, Any]) -> str:
    cost = tally.get("cost")
    if cost is None:
        return "unknown"
    text = f"${cost:.4f}"
    return text + "+?" if tally.get("unpriced_calls") and tally.get("unpriced_calls") != tally.get("calls") else text


def _row(label: str, tally: dict[str, Any]) -> tuple[str, ...]:
    paid_in = int(tally.get("input_tokens", 0)) - int(tally.get("cached_input_tokens", 0))
    paid_out = int(tally.get("output_tokens", 0)) - int(tally.get("cached_output_tokens", 0))
    return (label, f"{tally.get('calls', 0) - tally.get('cached_calls', 0):,}", f"{tally.get('cached_calls', 0):,}",
            f"{tally.get('retries', 0):,}", f"{paid_in:,}", f"{paid_out:,}", _cost(tally))


def bill_rows(usage: dict[str, Any]) -> list[tuple[str, ...]]:
    """One row per model, then one per purpose (in :data:`PURPOSES` order); paid calls and
    tokens, with the calls the cache answered in their own column."""
    rows = [_row(f"model {name}", tally) for name, tally in sorted((usage.get("by_model") or {}).items())]
    by_purpose = usage.get("by_purpose") or {}
    rows += [_row(LABELS.get(p, p), by_purpose[p]) for p in PURPOSES if p in by_purpose]
    rows += [_row(p, t) for p, t in sorted(by_purpose.items()) if p not in PURPOSES]
    return rows


def bill_table(usage: dict[str, Any]) -> Table:
    """The bill as a rich table (calls and tokens that reached the provider; cached calls apart)."""
    table = Table(title="Model usage", title_justify="left")
    for i, name in enumerate(HEADER):
        table.add_column(name, justify="left" if i == 0 else "right")
    for row in bill_rows(usage):
        table.add_row(*row)
    return table


def bill_markdown(usage: dict[str, Any]) -> list[str]:
    """The bill as a Markdown table (empty when no call was made)."""
    rows = bill_rows(usage)
    if not rows:
        return []
    lines = ["| " + " | ".join(h or "by" for h in HEADER) + " |", "|---|" + "---:|" * (len(HEADER) - 1)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines
