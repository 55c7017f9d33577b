"""Small HTML pieces for survey tables in notebooks and reports: escaped cells, a table, a figure row."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["escape", "cell_text", "html_table", "figures"]


def escape(value: Any) -> str:
    """``value`` as HTML text (None as nothing)."""
    return html.escape("" if value is None else str(value), quote=True)


def cell_text(value: Any, digits: int = 3) -> str:
    """A number rounded for reading, a share as a percentage when asked, anything else as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) >= 1000 else f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return str(value)


def html_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], cls: str = "tt-table",
               table_id: str = "") -> str:
    """An HTML table of ``rows`` (numbers right-aligned)."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c)
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            cells.append(f'<td class="num">{escape(cell_text(value))}</td>' if numeric
                         else f"<td>{escape(cell_text(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{escape(table_id)}"' if table_id else ""
    return f'<table{ident} class="{escape(cls)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def figures(svgs: Sequence[str]) -> str:
    """Charts side by side (each an inline ``<svg>``)."""
    if not svgs:
        return ""
    return '<div class="charts" style="display:flex;flex-wrap:wrap;gap:14px">' + "".join(
        f"<figure style=\"margin:6px 0\">{svg}</figure>" for svg in svgs) + "</div>"
