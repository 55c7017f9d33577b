"""Two distributions on one inline-SVG chart: for each label, one bar per series on a shared scale.

Like :mod:`tinytroupe.utils.charts` (same look, no library, no network): bars carry class
``tt-bar`` and a ``<title>`` with the series name and value; a legend names the series.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

__all__ = ["paired_bar_chart"]

_WIDTH, _BAR_H, _GAP, _LABEL_W = 520, 11, 8, 120
_COLORS = ("#4e79a7", "#f28e2b")


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def paired_bar_chart(labels: Sequence[str], first: Sequence[float], second: Sequence[float],
                     names: tuple[str, str] = ("simulated", "real"), title: str = "", unit: str = "") -> str:
    """Horizontal bar pairs: for each of ``labels``, ``first[i]`` above ``second[i]``, on one scale."""
    if not (len(labels) == len(first) == len(second)):
        raise ValueError("paired_bar_chart needs one value per label in each series")
    top = (28 if title else 8) + 18
    height = top + max(1, len(labels)) * (2 * _BAR_H + _GAP) + 8
    peak = max([*first, *second, 0]) or 1
    span = _WIDTH - _LABEL_W - 70
    parts = [f'<svg class="tt-chart tt-paired" xmlns="http://www.w3.org/2000/svg" role="img" width="{_WIDTH}" '
             f'height="{height}" viewBox="0 0 {_WIDTH} {height}" aria-label="{_esc(title or "chart")}">']
    if title:
        parts.append(f'<text x="4" y="18" font-size="14" font-weight="bold">{_esc(title)}</text>')
    for j, name in enumerate(names):  # the legend
        x = _LABEL_W + j * 110
        parts.append(f'<rect x="{x}" y="{top - 16}" width="10" height="10" fill="{_COLORS[j]}"></rect>'
                     f'<text x="{x + 14}" y="{top - 7}" font-size="11">{_esc(name)}</text>')
    for i, label in enumerate(labels):
        y = top + i * (2 * _BAR_H + _GAP)
        parts.append(f'<text x="{_LABEL_W - 6}" y="{y + _BAR_H + 4}" font-size="12" text-anchor="end">'
                     f"{_esc(_clip(str(label), 16))}</text>")
        for j, value in enumerate((first[i], second[i])):
            width = max(1.0, span * value / peak)
            by = y + j * _BAR_H
            text = f"{value:g}{unit}"
            parts.append(f'<rect class="tt-bar" data-series="{_esc(names[j])}" x="{_LABEL_W}" y="{by}" '
                         f'width="{width:.1f}" height="{_BAR_H - 1}" fill="{_COLORS[j]}">'
                         f"<title>{_esc(label)}, {_esc(names[j])}: {_esc(text)}</title></rect>"
                         f'<text x="{_LABEL_W + width + 4:.1f}" y="{by + _BAR_H - 2}" font-size="10">{_esc(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
