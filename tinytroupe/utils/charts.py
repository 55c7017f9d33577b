"""Small inline-SVG charts: bar charts of counts and histograms, with no library and no network.

Each function returns one ``<svg>`` element (class ``tt-chart``) that a self-contained HTML
page can embed as it is; labels are escaped. Bars carry class ``tt-bar`` and a ``<title>``
with the exact count, so a browser shows it on hover and tests can count them.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

__all__ = ["bar_chart", "histogram", "bins"]

_WIDTH = 520
_BAR_H = 22
_GAP = 6
_LABEL_W = 170
_LABEL_CHARS = 22  # a label drawn from the left edge fits in _LABEL_W at 12px even in wide letters
_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7")


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _clip(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(counts: Sequence[tuple[str, float]], title: str = "", *, unit: str = "") -> str:
    """Horizontal bars, one per ``(label, value)``, in the order given."""
    counts = list(counts)
    top = 28 if title else 8
    height = top + max(1, len(counts)) * (_BAR_H + _GAP) + 8
    peak = max((v for _, v in counts), default=0) or 1
    span = _WIDTH - _LABEL_W - 60
    parts = [f'<svg class="tt-chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{_WIDTH}" '
             f'height="{height}" viewBox="0 0 {_WIDTH} {height}" aria-label="{_esc(title or "chart")}">']
    if title:
        parts.append(f'<text x="4" y="18" font-size="14" font-weight="bold">{_esc(title)}</text>')
    if not counts:
        parts.append(f'<text x="4" y="{top + 16}" font-size="12" fill="#666">no data</text>')
    for i, (label, value) in enumerate(counts):
        y = top + i * (_BAR_H + _GAP)
        width = max(1.0, span * value / peak)
        color = _PALETTE[i % len(_PALETTE)]
        text = f"{value:g}{unit}"
        parts.append(
            f'<text x="4" y="{y + 15}" font-size="12">{_esc(_clip(str(label), _LABEL_CHARS))}</text>'
            f'<rect class="tt-bar" x="{_LABEL_W}" y="{y}" width="{width:.1f}" height="{_BAR_H}" fill="{color}">'
            f'<title>{_esc(label)}: {_esc(text)}</title></rect>'
            f'<text x="{_LABEL_W + width + 4:.1f}" y="{y + 15}" font-size="12">{_esc(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bins(values: Sequence[float], count: int | None = None) -> list[tuple[str, int]]:
    """Equal-width bins of ``values`` as ``(label, count)``; whole numbers in a small range get
    one bin each, whole numbers in a wider one get whole-number bins (``"28–33"``)."""
    values = [float(v) for v in values]
    if not values:
        return []
    low, high = min(values), max(values)
    whole = all(v.is_integer() for v in values)
    if whole and high - low <= 12:
        return [(f"{int(k)}", sum(1 for v in values if v == k)) for k in range(int(low), int(high) + 1)]
    count = count or max(1, min(10, math.ceil(math.sqrt(len(values)))))
    width = float(math.ceil((high - low + 1) / count)) if whole else ((high - low) / count or 1.0)
    out = []
    for i in range(count):
        a = low + i * width
        b = a + width
        if whole:
            inside = sum(1 for v in values if a <= v < b)
            label = f"{int(a)}–{int(b - 1)}"
        else:
            inside = sum(1 for v in values if a <= v < b or (i == count - 1 and v == b))
            label = f"{a:.3g}–{b:.3g}"
        out.append((label, inside))
        if whole and b > high:
            break
    return out


def histogram(values: Sequence[float], title: str = "", bins_count: int | None = None) -> str:
    """A histogram of numeric ``values`` drawn as bars (see :func:`bins`)."""
    return bar_chart(bins(values, bins_count), title)
