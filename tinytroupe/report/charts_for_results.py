"""Which chart suits an extracted field: counts of choices, a histogram of numbers, or none.

A field whose values are booleans, or a few distinct short texts, gets a bar chart of how
many gave each; numbers get a histogram (whole numbers in a hinted range, such as a 1-5
rating, get one bar per value, zeros included); free text gets no chart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from tinytroupe.utils import charts

__all__ = ["field_chart", "extraction_charts"]

_MAX_CHOICES = 10
_MAX_CHOICE_LENGTH = 40


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def field_chart(name: str, values: Sequence[Any], hint: Any = None) -> str | None:
    """An SVG chart of one field's values, or None when no chart fits."""
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return None
    if all(isinstance(v, bool) for v in present):
        counts = Counter("yes" if v else "no" for v in present)
        return charts.bar_chart([(k, counts.get(k, 0)) for k in ("yes", "no")], name)
    if all(_is_number(v) for v in present):
        low, high = _hinted_range(name, hint)
        if low is not None and high is not None and all(float(v).is_integer() for v in present) and high - low <= 20:
            return charts.bar_chart([(str(k), sum(1 for v in present if v == k))
                                     for k in range(int(low), int(high) + 1)], name)
        return charts.histogram([float(v) for v in present], name)
    if all(isinstance(v, list) for v in present):
        counts = Counter(str(x) for v in present for x in v)
        return charts.bar_chart(counts.most_common(_MAX_CHOICES), name) if counts else None
    texts = [str(v) for v in present]
    counts = Counter(texts)
    if len(counts) <= _MAX_CHOICES and (len(counts) < len(texts) or len(texts) <= 3) \
            and all(len(t) <= _MAX_CHOICE_LENGTH for t in counts):
        return charts.bar_chart(counts.most_common(), name)
    return None


def _hinted_range(name: str, hint: Any) -> tuple[float | None, float | None]:
    if hint is None:
        return None, None
    from tinytroupe.extraction.fields import parse_hint

    try:
        spec = parse_hint(name, hint)
    except Exception:  # a hint the report cannot read only costs the zero bars
        return None, None
    return spec.minimum, spec.maximum


def extraction_charts(extraction: Mapping[str, Any]) -> list[str]:
    """The charts of one agent-scope extraction of ``results.json``: one per chartable field.

    A world-scope extraction's values are the group's (one value each, shown as a table), so
    they get no chart: charting them per person would show values nobody gave."""
    if extraction.get("scope") == "world":
        return []
    results = extraction.get("results") or {}
    rows = [r for r in results.values() if isinstance(r, Mapping)]
    fields = list(extraction.get("fields") or []) or sorted({k for r in rows for k in r})
    hints = extraction.get("hints") or {}
    out = []
    for name in fields:
        svg = field_chart(name, [r.get(name) for r in rows], hints.get(name))
        if svg:
            out.append(svg)
    return out
