"""How a dataset's metric values are typed and turned into numbers, as the original defines it.

Data types: ``numeric``, ``categorical`` (text labels), ``ordinal`` (ordered levels),
``ranking`` (positions, 1 = best), ``count`` (non-negative whole numbers), ``proportion``
(0..1; values above 1 are read as percentages) and ``binary`` (0/1, booleans, yes/no).
Detection, given a metric's values:

- any text: categorical; all booleans: binary;
- non-negative whole numbers: ranking when there are 3+ values, 2+ distinct, starting at 1,
  consecutive up to at most 10, with repeats; else count;
- numbers in 0..1: proportion; anything else: numeric.
Lists of item lists (one ranking per person) are ``ranking`` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["DATA_TYPES", "detect_data_type", "as_list", "plain", "normalize_label", "ordered_levels", "to_binary"]

DATA_TYPES = ("numeric", "categorical", "ordinal", "ranking", "count", "proportion", "binary")

_LEVELS = [
    ("strongly disagree", "disagree", "neutral", "agree", "strongly agree"),
    ("very poor", "poor", "fair", "good", "very good", "excellent"),
    ("never", "rarely", "sometimes", "often", "always"),
    ("very low", "low", "medium", "high", "very high"),
    ("terrible", "bad", "okay", "good", "great", "amazing"),
]
_TRUE = {"true", "yes", "y", "1", "on", "success", "positive"}
_FALSE = {"false", "no", "n", "0", "off", "failure", "negative"}


def plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds; NaN as None; anything else unchanged."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str)):
        try:
            value = value.item()
        except (TypeError, ValueError):
            return value
    if isinstance(value, float) and value != value:
        return None
    return value


def as_list(values: Any) -> list[Any]:
    """A metric's values as a list (a scalar result is a list of one)."""
    if values is None:
        return []
    return list(values) if isinstance(values, (list, tuple)) else [values]


def normalize_label(label: str) -> str:
    """A category as compared: lower case, no surrounding blanks."""
    return label.strip().lower()


def _whole(x: Any) -> bool:
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


def detect_data_type(values: Any) -> str:
    """The data type of a metric's values (a list or a single value); see the module docstring."""
    present = [v for v in as_list(values) if v is not None]
    if not present:
        return "numeric"
    if all(isinstance(v, (list, tuple)) for v in present):
        return "ranking"
    if any(isinstance(v, str) for v in present):
        return "categorical"
    if all(isinstance(v, bool) for v in present):
        return "binary"
    if not all(isinstance(v, (int, float)) for v in present):
        return "numeric"
    if all(_whole(v) and v >= 0 for v in present):
        levels = sorted({int(v) for v in present})
        if (len(present) >= 3 and len(levels) >= 2 and levels[0] == 1 and levels[-1] <= 10
                and levels == list(range(1, levels[-1] + 1)) and len(present) > len(levels)):
            return "ranking"
        return "count"
    if all(0 <= v <= 1 for v in present):
        return "proportion"
    return "numeric"


def ordered_levels(labels: Sequence[str]) -> list[str]:
    """Ordinal labels in their natural order when they form a known scale, else alphabetical."""
    for scale in _LEVELS:
        if all(label in scale for label in labels):
            return sorted(labels, key=scale.index)
    return sorted(labels)


def to_binary(value: Any) -> int:
    """1 or 0 for a boolean, a number, or a yes/no-like word; ValueError otherwise."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return 0 if value == 0 else 1
    if isinstance(value, str):
        word = normalize_label(value)
        if word in _TRUE:
            return 1
        if word in _FALSE:
            return 0
    raise ValueError(f"cannot read {value!r} as binary: use true/false, yes/no or 1/0")
