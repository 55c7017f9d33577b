"""A persona: the nested description of who an agent is, with dot-path access and merging.

Specification files are TinyTroupe's: ``{"type": "TinyPerson", "persona": {...}}`` for agents
and ``{"type": "Fragment", "persona": {...}}`` for fragments. :func:`read_specification`
loads either, with errors that name the file and the field.
"""

from __future__ import annotations

import copy
import json
import os
import warnings
from pathlib import Path
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.state.files import parse_json
from tinytroupe.state.schema import check_document

__all__ = ["Persona", "read_specification", "deep_merge", "render_compact"]

_MISSING = object()
_SCALARS = (str, int, float, bool, type(None))


def copy_data(value: Any) -> Any:
    """A deep copy of plain data (dicts, lists, scalars) several times faster than copy.deepcopy;
    anything else is handed to copy.deepcopy."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, dict):
        return {k: copy_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_data(v) for v in value]
    return copy.deepcopy(value)


def _merge_lists(old: list, new: list) -> list:
    out = list(old)
    for item in new:
        if item not in out:
            out.append(item)
    return out


def deep_merge(base: dict, extra: dict, *, on_conflict: str = "overwrite", path: str = "") -> dict:
    """A new dict: ``extra`` merged into ``base``; lists are joined without duplicates.

    ``on_conflict`` says what to do when both hold different scalars at the same place:
    ``"overwrite"`` (take ``extra``'s), ``"keep"`` (keep ``base``'s) or ``"raise"``.
    """
    out = copy_data(base)
    for key, value in extra.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in out or out[key] is None:
            out[key] = copy_data(value)
        elif isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = deep_merge(out[key], value, on_conflict=on_conflict, path=where)
        elif isinstance(out[key], list) and isinstance(value, list):
            out[key] = _merge_lists(out[key], copy_data(value))
        elif isinstance(out[key], list):
            out[key] = _merge_lists(out[key], [copy_data(value)])
        elif out[key] != value:
            if on_conflict == "raise":
                raise SpecificationError(
                    f"persona field {where!r} is already {out[key]!r} and cannot also be {value!r}; "
                    "remove one of the two values, or use define() to replace it."
                )
            if on_conflict == "overwrite":
                out[key] = copy_data(value)
    return out


class Persona:
    """Who an agent is: a plain nested dict with dot-path access (``get("occupation.title")``)."""

    def __init__(self, data: dict[str, Any] | None = None):
        self._data: dict[str, Any] = copy_data(data) if data else {}
        self._rendered: str | None = None

    @property
    def name(self) -> str | None:
        return self._data.get("name")

    def get(self, path: str, default: Any = None) -> Any:
        """The value at ``path`` (``"a.b.c"``; list items by index, ``"skills.0"``), or ``default``."""
        node: Any = self._data
        for part in path.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
                node = node[int(part)]
            else:
                return default
        return copy_data(node)

    def set(self, path: str, value: Any) -> None:
        """Set the value at ``path``, creating the dicts on the way."""
        parts = path.split(".")
        node = self._data
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = copy_data(value)
        self._rendered = None

    def merge(self, extra: dict[str, Any], *, overwrite_scalars: bool = True) -> None:
        """Merge ``extra`` in (lists joined, dicts merged; scalars replaced unless told not to)."""
        self._data = deep_merge(self._data, extra, on_conflict="overwrite" if overwrite_scalars else "keep")
        self._rendered = None

    def include(self, extra: dict[str, Any]) -> None:
        """Merge ``extra`` in; a different scalar already present raises SpecificationError."""
        self._data = deep_merge(self._data, extra, on_conflict="raise")
        self._rendered = None

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the persona as plain data."""
        return copy_data(self._data)

    def render(self) -> str:
        """The compact text form used in prompts (cached until the persona changes)."""
        if self._rendered is None:
            self._rendered = render_compact(self._data)
        return self._rendered

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Persona) and other._data == self._data

    # a read-only mapping view, for scripts of the original that read ``agent._persona["age"]``
    def __getitem__(self, key: str) -> Any:
        return copy_data(self._data[key])

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Any:
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> list[str]:
        return list(self._data)

    def items(self) -> list[tuple[str, Any]]:
        return list(self.to_dict().items())

    def copy(self) -> dict[str, Any]:
        """A deep copy as a plain dict (changing it does not change the persona)."""
        return self.to_dict()

    def __repr__(self) -> str:
        return f"Persona(name={self.name!r}, fields={len(self._data)})"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


def _inline(value: Any) -> str:
    """A dict or list on one line, for items inside lists."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_inline(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, list):
        return ", ".join(_inline(v) for v in value if v not in (None, "", [], {}))
    return _scalar(value)


def _render_lines(value: Any, indent: int, lines: list[str]) -> None:
    pad = "  " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if item in (None, "", [], {}):
                continue
            if isinstance(item, list) and not any(isinstance(x, (dict, list)) for x in item):
                values = [_scalar(x) for x in item if x not in (None, "")]
                lines.append(f"{pad}{key}: " + " | ".join(values))
            elif isinstance(item, (dict, list)):
                lines.append(f"{pad}{key}:")
                _render_lines(item, indent + 1, lines)
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if item in (None, "", [], {}):
                continue
            lines.append(f"{pad}- {_inline(item)}")
    else:
        lines.append(f"{pad}{_scalar(value)}")


def render_compact(data: dict[str, Any]) -> str:
    """Render a persona as indented ``key: value`` lines: every value, no JSON punctuation.

    Lists of plain values go on one line, separated by `` | ``; lists of objects get a line
    per item.
    """
    lines: list[str] = []
    _render_lines(data, 0, lines)
    return "\n".join(lines)


def _load_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecificationError(f"{path}: file not found; check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecificationError(f"{path}: cannot be read ({exc}).") from None
    try:
        return parse_json(text, path, "JSON file", SpecificationError)
    except json.JSONDecodeError as exc:
        raise SpecificationError(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; fix the file's syntax."
        ) from None


FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "age": (int,), "gender": (str,), "nationality": (str,), "residence": (str, dict),
    "occupation": (str, dict), "education": (str, dict),
}
"""Persona fields with a usual type: another type is accepted (as the original does) with a warning."""


def warn_field_types(persona: dict[str, Any], origin: str) -> None:
    """Warn, naming the file and field, about well-known persona fields of an unusual type."""
    for field, kinds in FIELD_TYPES.items():
        value = persona.get(field)
        if value is None or (isinstance(value, kinds) and not isinstance(value, bool)):
            continue
        wanted = " or ".join({"int": "a whole number", "str": "a text", "dict": "an object"}[k.__name__]
                             for k in kinds)
        warnings.warn(f"{origin}: field 'persona.{field}' is {type(value).__name__} {value!r}, usually "
                      f"{wanted}; it is kept as it is, but prompts may read oddly", UserWarning, stacklevel=3)


def read_specification(source: str | os.PathLike | dict, expected_type: str = "TinyPerson") -> dict[str, Any]:
    """Load and check an agent (``"TinyPerson"``) or ``"Fragment"`` specification.

    Returns the whole document (a copy) with ``persona`` guaranteed to be a dict; extra keys
    such as ``mental_faculties`` or ``episodic_memory`` are kept for the caller. A document
    without ``persona`` but with persona fields at the top is accepted as the persona itself.
    """
    if isinstance(source, dict):
        origin, doc = "specification dict", copy_data(source)
    else:
        origin = str(source)
        doc = _load_json(Path(source))
    if not isinstance(doc, dict):
        raise SpecificationError(f"{origin}: expected a JSON object with 'type' and 'persona', got {type(doc).__name__}.")
    kind = doc.get("type", expected_type)
    if kind != expected_type:
        raise SpecificationError(
            f"{origin}: field 'type' is {kind!r} but a {expected_type!r} specification is expected here"
            + (" (use import_fragment() for fragments)." if kind == "Fragment" else
               " (use load_specification() for agents)." if kind == "TinyPerson" else ".")
        )
    if "persona" not in doc:
        persona = {k: v for k, v in doc.items() if k != "type"}
        doc = {"type": expected_type, "persona": persona}
    if not isinstance(doc["persona"], dict):
        raise SpecificationError(f"{origin}: field 'persona' must be a JSON object of persona fields.")
    if expected_type == "TinyPerson":
        name = doc["persona"].get("name")
        if name is not None and not isinstance(name, str):
            raise SpecificationError(f"{origin}: field 'persona.name' must be a text, got {type(name).__name__} "
                                     f"{name!r}; write the name in quotes.")
        if not isinstance(name, str) or not name.strip():
            raise SpecificationError(
                f"{origin}: field 'persona.name' is missing or empty; every agent needs a name."
            )
    warn_field_types(doc["persona"], origin)
    check_document(doc, "agent_spec" if expected_type == "TinyPerson" else "fragment", origin)
    doc["_origin"] = origin
    return doc
