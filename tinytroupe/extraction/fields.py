"""Fields to extract, typed: hints become a JSON schema, so a 1-5 rating comes back as an int.

A hint is a sentence (``"rating is an integer from 1 to 5"``, ``"one of: yes, no, maybe"``,
``"true or false"``, ``"a list of short phrases"``) read for a type, bounds and options; or,
beyond the original, a Python type (``int``, ``bool``...), a list of option strings, or a
JSON-schema fragment (``{"type": "integer", "minimum": 0}``). A field without a hint is text.
Every field may be ``null``, for a person who never said.

The schema constrains what it can, since a model's grammar (llama.cpp) honours ``enum`` and
``maxLength`` but not ``minimum``/``maximum``: whole numbers in a small range are sent as an
``enum`` of the allowed values, and text has a ``maxLength`` so a small model cannot loop.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Optional

from annotated_types import Interval
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, create_model

from tinytroupe.errors import SpecificationError
from tinytroupe.utils import output_types

__all__ = ["FieldSpec", "parse_hint", "field_specs", "result_model", "describe_fields"]

KINDS = ("string", "integer", "number", "boolean", "enum", "list")
MAX_ENUM_RANGE = 20  # whole numbers in a range up to this wide are sent as an enum of the values
MAX_TEXT_LENGTH = 400  # characters of a text field, as the schema's maxLength


@dataclass(frozen=True)
class FieldSpec:
    """One field: its name, type (one of :data:`KINDS`), bounds, options and hint."""

    name: str
    kind: str = "string"
    minimum: float | None = None
    maximum: float | None = None
    options: tuple[str, ...] = ()
    hint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SpecificationError(f"extraction field name must be a non-empty string, got {self.name!r}")
        if self.kind not in KINDS:
            raise SpecificationError(f"field {self.name!r}: type {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.kind == "enum" and not self.options:
            raise SpecificationError(f"field {self.name!r}: an enum needs at least one option")


_RANGE = re.compile(r"(?:from|between)\s+(-?\d+(?:\.\d+)?)\s*(?:to|and|-)\s*(-?\d+(?:\.\d+)?)"
                    r"|(-?\d+(?:\.\d+)?)\s*(?:-|–|\.\.|to)\s*(-?\d+(?:\.\d+)?)", re.IGNORECASE)
_ONE_OF = re.compile(r"\b(?:one of|either|choose from|options?)\b[:\s]*(.+)", re.IGNORECASE)
_QUOTED = re.compile(r"['\"“‘]([^'\"”’]+)['\"”’]")
_BOOL = re.compile(r"\b(true or false|yes or no|true/false|yes/no|boolean|bool)\b", re.IGNORECASE)
_INTEGER = re.compile(r"\b(integers?|whole numbers?|int)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\b(number|float|decimal|real|percentage|fraction|probability)\b", re.IGNORECASE)
_LIST = re.compile(r"\b(list of|a list|lists|array of|several|multiple)\b", re.IGNORECASE)


def _options(text: str) -> tuple[str, ...]:
    quoted = _QUOTED.findall(text)
    if len(quoted) >= 2:
        return tuple(dict.fromkeys(q.strip() for q in quoted))
    text = re.split(r"[.;(]", text, maxsplit=1)[0]
    parts = re.split(r"\s*,\s*|\s+or\s+|\s*/\s*", text)
    parts = [re.sub(r"^(and|or)\s+", "", p.strip(), flags=re.IGNORECASE).strip() for p in parts]
    return tuple(dict.fromkeys(p for p in parts if p))


def _from_text(name: str, hint: str) -> FieldSpec:
    if _BOOL.search(hint):
        return FieldSpec(name, "boolean", hint=hint)
    one_of = _ONE_OF.search(hint)
    if one_of:
        options = _options(one_of.group(1))
        if len(options) >= 2:
            return FieldSpec(name, "enum", options=options, hint=hint)
    if _LIST.search(hint):
        return FieldSpec(name, "list", hint=hint)
    bounds = _RANGE.search(hint)
    low = high = None
    if bounds:
        a, b = (bounds.group(1), bounds.group(2)) if bounds.group(1) else (bounds.group(3), bounds.group(4))
        low, high = sorted((float(a), float(b)))
    if _INTEGER.search(hint) or (bounds and not _NUMBER.search(hint) and "." not in bounds.group(0)):
        return FieldSpec(name, "integer", low, high, hint=hint)
    if _NUMBER.search(hint) or bounds:
        return FieldSpec(name, "number", low, high, hint=hint)
    return FieldSpec(name, "string", hint=hint)


_PY_TYPES = {int: "integer", float: "number", bool: "boolean", str: "string", list: "list"}
_SCHEMA_TYPES = {"integer": "integer", "number": "number", "boolean": "boolean", "string": "string", "array": "list"}


def parse_hint(name: str, hint: Any) -> FieldSpec:
    """The :class:`FieldSpec` for field ``name`` with ``hint`` (see the module docstring)."""
    if hint is None or hint == "":
        return FieldSpec(name)
    if isinstance(hint, str):
        return _from_text(name, hint)
    if isinstance(hint, type) and hint in _PY_TYPES:
        return FieldSpec(name, _PY_TYPES[hint])
    if isinstance(hint, (list, tuple)) and hint and all(isinstance(o, str) for o in hint):
        return FieldSpec(name, "enum", options=tuple(dict.fromkeys(hint)))
    if isinstance(hint, Mapping):
        if hint.get("enum"):
            return FieldSpec(name, "enum", options=tuple(str(o) for o in hint["enum"]),
                             hint=str(hint.get("description", "")))
        kind = _SCHEMA_TYPES.get(str(hint.get("type", "string")))
        if kind is None:
            raise SpecificationError(f"field {name!r}: schema type {hint.get('type')!r} is not supported; "
                                     "use integer, number, boolean, string or array")
        return FieldSpec(name, kind, hint.get("minimum"), hint.get("maximum"), hint=str(hint.get("description", "")))
    raise SpecificationError(f"field {name!r}: hint {hint!r} is not a sentence, a type, a list of options "
                             "or a JSON-schema object")


def field_specs(fields: Sequence[str] | None, fields_hints: Mapping[str, Any] | None) -> list[FieldSpec]:
    """Specs for ``fields`` (hinted fields not listed are added after them)."""
    hints = dict(fields_hints or {})
    names = list(dict.fromkeys([*(fields or []), *hints]))
    return [parse_hint(name, hints.get(name)) for name in names]


def _annotation(spec: FieldSpec) -> Any:
    bounds = {k: v for k, v in (("ge", spec.minimum), ("le", spec.maximum)) if v is not None}
    if spec.kind == "integer":
        if bounds:
            bounds = {k: int(v) for k, v in bounds.items()}
        base: Any = Annotated[int, Interval(**bounds), BeforeValidator(output_types.read_int)]
        allowed = _allowed_integers(spec)
        if allowed is not None:
            base = Annotated[base, WithJsonSchema({"type": "integer", "enum": allowed, "minimum": allowed[0],
                                                   "maximum": allowed[-1]})]
    elif spec.kind == "number":
        base = Annotated[float, Interval(**bounds), BeforeValidator(output_types.read_float)]
    elif spec.kind == "boolean":
        base = Annotated[bool, BeforeValidator(output_types.read_bool)]
    elif spec.kind == "enum":
        base = Annotated[Literal[spec.options], BeforeValidator(output_types.options_reader(spec.options))]  # type: ignore[valid-type]
    elif spec.kind == "list":
        base = Annotated[list[str], BeforeValidator(_read_list)]
    else:
        base = Annotated[str, BeforeValidator(output_types.read_str),
                         WithJsonSchema({"type": "string", "maxLength": MAX_TEXT_LENGTH})]
    return Optional[base]  # noqa: UP045 - Optional of an Annotated reads clearer here


def _allowed_integers(spec: FieldSpec) -> list[int] | None:
    """The whole numbers a bounded integer field allows, when the range is small enough to list."""
    if spec.minimum is None or spec.maximum is None:
        return None
    low, high = int(spec.minimum), int(spec.maximum)
    return list(range(low, high + 1)) if 0 <= high - low <= MAX_ENUM_RANGE else None


def _read_list(v: Any) -> Any:
    if isinstance(v, str):
        v = output_types.read_json(v)
        if isinstance(v, str):
            return [p.strip() for p in re.split(r"[;\n]|,\s", v) if p.strip()]
    if isinstance(v, list):
        return [x if isinstance(x, str) else str(x) for x in v]
    return v


def result_model(specs: Sequence[FieldSpec], name: str = "ExtractionResult") -> type[BaseModel]:
    """A pydantic model with one required, nullable field per spec (aliases keep any name)."""
    if not specs:
        return create_model(name, __config__=ConfigDict(extra="allow"))
    attrs: dict[str, Any] = {}
    for i, spec in enumerate(specs):
        attrs[f"f{i}"] = (_annotation(spec), Field(alias=spec.name, description=spec.hint or None))
    return create_model(name, __config__=ConfigDict(populate_by_name=True), **attrs)


def describe_fields(specs: Sequence[FieldSpec]) -> str:
    """The fields as prompt lines: name, then the hint or the type."""
    lines = []
    for spec in specs:
        detail = spec.hint or {"string": "text", "list": "a list of short texts"}.get(spec.kind, spec.kind)
        if spec.kind == "enum" and not spec.hint:
            detail = "one of " + ", ".join(spec.options)
        elif spec.kind in ("integer", "number") and None not in (spec.minimum, spec.maximum) \
                and f"{spec.maximum:g}" not in detail:
            detail += f" (from {spec.minimum:g} to {spec.maximum:g})"
        lines.append(f"- {spec.name}: {detail}")
    return "\n".join(lines)
