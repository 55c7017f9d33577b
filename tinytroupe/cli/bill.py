"""The bill of a run for the console (a rich table) and for ``summary.md`` (Markdown lines);
the rows come from :mod:`tinytroupe.llm.bill`."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from tinytroupe.llm.bill import HEADER, bill_rows

__all__ = ["bill_rows", "bill_table", "bill_markdown"]


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
