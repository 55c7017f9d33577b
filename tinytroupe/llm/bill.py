"""The bill of a run as plain rows: model usage by model and by purpose, cached calls apart.

Reads the usage dict of a run (``by_model``, ``by_purpose``, each a tally with calls, cached
calls, retries, tokens, cost); the CLI renders the rows as a rich table and Markdown, the
HTML run report as a table.
"""

from __future__ import annotations

from typing import Any

from tinytroupe.llm.purposes import LABELS, PURPOSES

__all__ = ["HEADER", "bill_rows"]

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
