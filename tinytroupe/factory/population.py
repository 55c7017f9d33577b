"""Sampling dimensions: the characteristics a population varies on, with their distributions.

A :class:`Dimension` is one characteristic (``age``, ``gender``, ``religion``...) with weighted
values. Dimensions come from explicit Python mappings (:func:`dimensions_from_mapping`), from a
demography file (:mod:`tinytroupe.factory.demography`) or from a model's proposal; each one
knows the persona field its drawn value is written to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from tinytroupe.errors import SpecificationError

__all__ = [
    "Dimension",
    "dimensions_from_mapping",
    "parse_percent",
    "parse_range",
    "snake_key",
    "default_field",
    "OPEN_RANGE_SPAN",
    "RESERVED_KEYS",
]

OPEN_RANGE_SPAN = 25
"""How far an open-ended band ("65+", "65 and over") reaches: 65+ means 65 to 90."""

# Persona fields a drawn value may replace as a whole; "occupation" names its title.
_FIELD_ALIASES = {"occupation": "occupation.title", "sex": "gender", "country_of_residence": "residence"}
RESERVED_KEYS = frozenset({
    "name", "personality", "preferences", "skills", "beliefs", "behaviors", "relationships",
    "other_facts", "long_term_goals",
})
"""Structured persona fields that a single drawn value must not overwrite."""

_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-|–|—|to)\s*(\d+)\s*(?:years?(?: old)?)?\s*$", re.IGNORECASE)
_OPEN_UP = re.compile(r"^\s*(\d+)\s*(?:\+|(?:years?\s+)?(?:and|or)\s+(?:over|older|above|more))\s*$", re.IGNORECASE)
_OPEN_DOWN = re.compile(r"^\s*(?:under|below|less than)\s+(\d+)\s*(?:years?)?\s*$", re.IGNORECASE)
_SINGLE = re.compile(r"^\s*(\d+)\s*$")


def parse_percent(text: Any) -> float | None:
    """``"12.3%"`` -> 12.3; anything that is not a plain percent string -> None."""
    if not isinstance(text, str):
        return None
    match = _PERCENT.match(text)
    return float(match.group(1)) if match else None


def parse_range(label: str) -> tuple[int, int] | None:
    """An integer band from a label: ``"18-29"``, ``"65+"``, ``"under 18"``, ``"3"``; else None."""
    if (m := _RANGE.match(label)) is not None:
        low, high = int(m.group(1)), int(m.group(2))
        return (low, high) if low <= high else None
    if (m := _OPEN_UP.match(label)) is not None:
        low = int(m.group(1))
        return low, low + OPEN_RANGE_SPAN
    if (m := _OPEN_DOWN.match(label)) is not None:
        high = int(m.group(1)) - 1
        return (0, high) if high >= 0 else None
    if (m := _SINGLE.match(label)) is not None:
        return int(m.group(1)), int(m.group(1))
    return None


def snake_key(text: str) -> str:
    """A dimension key from a human name: ``"Age Distribution"`` -> ``"age"``."""
    words = re.findall(r"[0-9a-zA-Z]+", text.lower())
    if len(words) > 1 and words[-1] == "distribution":
        words = words[:-1]
    return "_".join(words) or "dimension"


def default_field(key: str) -> str:
    """The persona path a dimension's drawn value is written to (see the module docstring)."""
    if key in _FIELD_ALIASES:
        return _FIELD_ALIASES[key]
    if key in RESERVED_KEYS:
        raise SpecificationError(
            f"dimension {key!r} would overwrite the structured persona field {key!r}; "
            f"rename the dimension (e.g. '{key}_type') or give it field='...'."
        )
    return key


@dataclass(frozen=True)
class Dimension:
    """One characteristic of a population: its values, their weights and where it goes.

    ``weights`` are normalized to sum to 1. ``field`` is the persona path a drawn value is
    written to. When every value is an integer band (``"18-29"``, ``"65+"``), ``ranges`` holds
    the bands and a concrete number is drawn uniformly inside the drawn band.
    """

    key: str
    values: tuple[str, ...]
    weights: tuple[float, ...]
    label: str = ""
    field: str = ""
    note: str = ""
    ranges: tuple[tuple[int, int], ...] | None = dc_field(default=None, compare=False)

    def __post_init__(self) -> None:
        where = f"dimension {self.key!r}"
        values = tuple(str(v).strip() for v in self.values)
        weights = tuple(float(w) for w in self.weights)
        if not values:
            raise SpecificationError(f"{where} has no values; give at least one value with a weight.")
        if len(values) != len(weights):
            raise SpecificationError(f"{where} has {len(values)} values but {len(weights)} weights.")
        if len(set(values)) != len(values):
            raise SpecificationError(f"{where} lists a value twice; merge the duplicates.")
        bad = [v for v, w in zip(values, weights, strict=True) if not math.isfinite(w) or w < 0]
        if bad:
            raise SpecificationError(f"{where}: the weight of {bad[0]!r} must be a number >= 0.")
        total = sum(weights)
        if total <= 0:
            raise SpecificationError(f"{where}: the weights add up to 0; give at least one positive weight.")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "weights", tuple(w / total for w in weights))
        object.__setattr__(self, "label", self.label or self.key)
        object.__setattr__(self, "field", self.field or default_field(self.key))
        bands = [parse_range(v) for v in values]
        object.__setattr__(self, "ranges", tuple(bands) if all(b is not None for b in bands) else None)  # type: ignore[arg-type]

    @property
    def is_numeric(self) -> bool:
        """True when values are integer bands and a concrete number is drawn inside them."""
        return self.ranges is not None

    def probabilities(self) -> dict[str, float]:
        """Each value's probability."""
        return dict(zip(self.values, self.weights, strict=True))

    def band_of(self, number: int) -> str | None:
        """The value whose band holds ``number`` (numeric dimensions only)."""
        for value, (low, high) in zip(self.values, self.ranges or (), strict=False):
            if low <= number <= high:
                return value
        return None

    def describe(self) -> str:
        """One line for prompts and listings: ``age: 0-14 18.6%, 15-24 13.1%, ...``."""
        shares = ", ".join(f"{v} {w * 100:.1f}%" for v, w in zip(self.values, self.weights, strict=True))
        return f"{self.label}: {shares}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data: key, label, field, note and the value -> weight mapping."""
        return {"key": self.key, "label": self.label, "field": self.field, "note": self.note,
                "distribution": self.probabilities()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Dimension:
        """The inverse of :meth:`to_dict`."""
        dist = data.get("distribution") or {}
        return cls(key=data["key"], values=tuple(dist), weights=tuple(dist.values()),
                   label=data.get("label", ""), field=data.get("field", ""), note=data.get("note", ""))


def _weight(raw: Any, where: str) -> float:
    if isinstance(raw, bool):
        raise SpecificationError(f"{where}: {raw!r} is not a weight; use a number or a percent string.")
    if isinstance(raw, (int, float)):
        return float(raw)
    pct = parse_percent(raw)
    if pct is None:
        raise SpecificationError(
            f"{where}: {raw!r} is not a weight; use a number (0.25) or a percent string (\"25%\")."
        )
    return pct


def _one_dimension(key: str, spec: Any) -> Dimension:
    where = f"dimensions[{key!r}]"
    if isinstance(spec, Dimension):
        return spec
    if isinstance(spec, Mapping):
        values = tuple(str(v) for v in spec)
        weights = tuple(_weight(w, f"{where}[{v!r}]") for v, w in spec.items())
    elif isinstance(spec, Sequence) and not isinstance(spec, str):
        values, weights = tuple(str(v) for v in spec), tuple(1.0 for _ in spec)
    else:
        raise SpecificationError(
            f"{where} must map values to weights ({{'18-29': 0.2, ...}}) or list equally likely "
            f"values; got {type(spec).__name__}."
        )
    return Dimension(key=snake_key(key), values=values, weights=weights, label=key)


def dimensions_from_mapping(spec: Mapping[str, Any] | Iterable[Dimension]) -> list[Dimension]:
    """Dimensions from ``{"age": {"18-29": 0.2, ...}, "gender": ["female", "male"]}``.

    Weights are numbers or percent strings, normalized; a list means equally likely values.
    A list of :class:`Dimension` objects is accepted as is.
    """
    if isinstance(spec, Mapping):
        dims = [_one_dimension(str(k), v) for k, v in spec.items()]
    else:
        dims = list(spec)
        for d in dims:
            if not isinstance(d, Dimension):
                raise SpecificationError(
                    f"dimensions: expected Dimension objects or a mapping, got {type(d).__name__}."
                )
    keys = [d.key for d in dims]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup is not None:
        raise SpecificationError(f"dimensions: {dup!r} is given twice; keep one.")
    return dims
