"""Demography files (``populations/usa.json``): sampling dimensions plus background text.

The file is a tree of groups. A group whose percent values add up to about 100% is a
distribution and becomes a :class:`~tinytroupe.factory.population.Dimension`; a group named
like ``"... Distribution"`` or ``"... Composition"`` must be one, and a malformed one is an
error naming the file and the field. Nested groups are handled the way the sample files use
them: ``"Household Income": {"Median Income": ..., "Distribution": {...}}`` gives the
dimension ``household_income``; ``"Religion": {"Christian": {"Total": "63%", "Catholic":
...}, "Unaffiliated": "28%"}`` gives one dimension with values such as ``"Christian:
Catholic"`` (weighted to add up to the group's ``Total``). Everything else (medians, shares
that overlap, lists, opinions without a distribution) becomes context text for the prompt.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.factory.population import RESERVED_KEYS, Dimension, parse_percent, snake_key
from tinytroupe.state.files import parse_json

__all__ = ["Demography", "read_demography", "DECLARED_TOLERANCE", "INFERRED_TOLERANCE"]

DECLARED_TOLERANCE = 5.0
"""A group named "... Distribution" must add up to 100% give or take this many points."""
INFERRED_TOLERANCE = 10.0
"""Any other group of percent values is a distribution when it adds up to 100% +/- this."""

_DECLARED = re.compile(r"distribution|composition", re.IGNORECASE)
_META_KEYS = {"source", "sources", "note", "notes", "year", "unit", "units"}
_META_TOP = {"title", "description", "source", "sources"}


@dataclass(frozen=True)
class Demography:
    """What a demography file says: where it came from, its dimensions, its background text."""

    origin: str
    title: str = ""
    description: str = ""
    dimensions: tuple[Dimension, ...] = ()
    context_lines: tuple[str, ...] = field(default=())

    def dimension(self, name: str) -> Dimension:
        """The dimension called ``name`` (its key, or its label as written in the file)."""
        wanted = snake_key(name)
        for dim in self.dimensions:
            if name == dim.key or wanted in (dim.key, snake_key(dim.label)) or name.casefold() == dim.label.casefold():
                return dim
        raise SpecificationError(
            f"{self.origin}: no distribution called {name!r}; the file has: "
            + ", ".join(d.key for d in self.dimensions)
        )

    def select(self, names: Sequence[str]) -> Demography:
        """Only the dimensions ``names``; the others are kept as population shares in the text."""
        chosen = [self.dimension(n) for n in names]
        rest = [d for d in self.dimensions if d not in chosen]
        shares = [f"Population shares (not fixed per person) - {d.describe()}" for d in rest]
        lines = shares + list(self.context_lines)
        return replace(self, dimensions=tuple(chosen), context_lines=tuple(lines))

    def context_text(self, max_chars: int = 6000) -> str:
        """The background text: title, description, then one line per group of facts."""
        head = [x for x in (self.title, self.description) if x]
        text = "\n".join(head + list(self.context_lines))
        return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def _load(source: str | os.PathLike | Mapping[str, Any]) -> tuple[str, Any]:
    if isinstance(source, Mapping):
        return "demography dict", copy.deepcopy(dict(source))
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecificationError(f"{path}: demography file not found; check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecificationError(f"{path}: the demography file cannot be read ({exc}).") from None
    try:
        return path.name, parse_json(text, path, "demography file", SpecificationError)
    except json.JSONDecodeError as exc:
        raise SpecificationError(
            f"{path.name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; "
            "fix the file's syntax there."
        ) from None


def read_demography(source: str | os.PathLike | Mapping[str, Any]) -> Demography:
    """Read a demography file (or an already-loaded dict) into a :class:`Demography`."""
    origin, doc = _load(source)
    if not isinstance(doc, dict):
        raise SpecificationError(
            f"{origin}: the top level must be a JSON object of groups (like usa.json's "
            f"'title' and 'content'), not a {type(doc).__name__}."
        )
    body = doc.get("content") if isinstance(doc.get("content"), dict) else {
        k: v for k, v in doc.items() if k.lower() not in _META_TOP
    }
    base = ("content",) if body is doc.get("content") else ()
    reader = _Reader(origin)
    reader.walk(body, base)
    if not reader.dims and not reader.lines:
        raise SpecificationError(f"{origin}: no population facts found; is this a demography file?")
    return Demography(origin=origin, title=str(doc.get("title") or ""),
                      description=str(doc.get("description") or ""),
                      dimensions=tuple(reader.dims), context_lines=tuple(reader.lines))


def _pure_group(node: Any) -> tuple[dict[str, float], float | None] | None:
    """A dict of percent values only (optionally with a ``Total``): its shares and total."""
    if not isinstance(node, dict) or not node:
        return None
    shares, total = {}, None
    for key, value in node.items():
        pct = parse_percent(value)
        if pct is None:
            return None
        if key.strip().lower() == "total":
            total = pct
        else:
            shares[key] = pct
    return (shares, total) if shares else None


class _Reader:
    """Walks one demography tree, collecting dimensions and context lines."""

    def __init__(self, origin: str):
        self.origin = origin
        self.dims: list[Dimension] = []
        self.lines: list[str] = []
        self._keys: set[str] = set()

    def fail(self, path: Sequence[str], problem: str) -> SpecificationError:
        where = ".".join(path)
        return SpecificationError(f"{self.origin}: field '{where}' {problem}")

    def walk(self, node: dict[str, Any], path: tuple[str, ...]) -> None:
        declared = bool(path) and bool(_DECLARED.search(path[-1]))
        shares: dict[str, float] = {}
        groups: dict[str, dict[str, Any]] = {}
        facts: dict[str, Any] = {}
        numeric: set[str] = set()
        for key, value in node.items():
            pct = parse_percent(value)
            if pct is not None:
                shares[key] = pct
            elif isinstance(value, dict):
                groups[key] = value
            elif declared and key.lower() not in _META_KEYS:
                shares[key] = self._declared_number(path + (key,), value)
                numeric.add(key)
            else:
                facts[key] = value
        if declared:
            self._check_declared(path, shares, numeric)
        consumed = self._distribution(path, shares, groups, facts, declared)
        if not consumed and shares:
            facts = {**{k: f"{v:g}%" for k, v in shares.items()}, **facts}
        if facts and not consumed:
            self._fact_line(path, facts)
        for key, value in groups.items():
            if key not in consumed:
                self.walk(value, path + (key,))

    def _declared_number(self, path: tuple[str, ...], value: Any) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise self.fail(path, f"is {value!r}, but the values of a distribution must be percentages "
                              "written like \"12.3%\" (or plain numbers); fix that value.")

    def _check_declared(self, path: tuple[str, ...], shares: dict[str, float], numeric: set[str]) -> None:
        if shares and numeric == set(shares) and sum(shares.values()) <= 1.0 + 1e-6:
            for key in shares:  # plain fractions (0.25) rather than percents
                shares[key] *= 100.0
        for key, pct in shares.items():
            if not 0 <= pct <= 100:
                raise self.fail(path + (key,), f"is {pct:g}%, but percentages must be between 0% and 100%.")

    def _distribution(self, path: tuple[str, ...], shares: dict[str, float], groups: dict[str, Any],
                      facts: dict[str, Any], declared: bool) -> set[str]:
        """Make a dimension of this node if its shares form one; returns what it consumed."""
        pure = {k: g for k, v in groups.items() if (g := _pure_group(v)) is not None}
        if pure and (shares or len(pure) >= 2):
            flat = dict(shares)
            for name, (sub, total) in pure.items():
                scale = total / sum(sub.values()) if total is not None and sum(sub.values()) > 0 else 1.0
                flat.update({f"{name}: {k}": v * scale for k, v in sub.items()})
            if abs(sum(flat.values()) - 100.0) <= INFERRED_TOLERANCE:
                self._add(path, flat, facts)
                return {"", *pure}
        if not shares:
            return set()
        total = sum(shares.values())
        if declared:
            if abs(total - 100.0) > DECLARED_TOLERANCE:
                raise self.fail(path, f"is a distribution, so its percentages must add up to about 100%, "
                                      f"but they add up to {total:g}%; fix the values (or rename the "
                                      "field if it is not a distribution).")
        elif len(shares) < 2 or abs(total - 100.0) > INFERRED_TOLERANCE:
            return set()
        self._add(path, shares, facts)
        return {""}

    def _add(self, path: tuple[str, ...], shares: dict[str, float], facts: dict[str, Any]) -> None:
        names = [p for p in path if p != "content"] or ["population"]
        if names[-1].strip().lower() == "distribution" and len(names) > 1:
            names = names[:-1]
        key = snake_key(names[-1])
        if key in RESERVED_KEYS:
            key += "_type"
        if key in self._keys and len(names) > 1:
            key = snake_key(f"{names[-2]} {names[-1]}")
        base, n = key, 2
        while key in self._keys:
            key, n = f"{base}_{n}", n + 1
        self._keys.add(key)
        note = "; ".join(f"{k}: {_flat(v)}" for k, v in facts.items())
        self.dims.append(Dimension(key=key, values=tuple(shares), weights=tuple(shares.values()),
                                   label=" > ".join(names), note=note))

    def _fact_line(self, path: tuple[str, ...], facts: dict[str, Any]) -> None:
        where = " > ".join(p for p in path if p != "content")
        text = "; ".join(f"{k}: {_flat(v)}" for k, v in facts.items())
        self.lines.append(f"{where}: {text}" if where else text)


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flat(v)}" for k, v in value.items())
    return str(value)
