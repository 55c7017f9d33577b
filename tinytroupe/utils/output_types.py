"""What a typed LLM call asks for: the reply model of an output type, and tolerant coercion.

An output type is what the original's users pass to ``LLMChat`` or annotate on an ``@llm``
function: ``bool``, ``int``, ``float``, ``str``, a list of option strings (an enum),
``dict`` or ``"json"``, ``list``, ``List[Dict[str, Any]]``, any other annotation pydantic
understands (``list[str]``, ``Literal[...]``), or a pydantic model. :func:`describe` turns it
into an :class:`OutputSpec`; :func:`reply_model` into the pydantic model sent to the seam,
with the optional reasoning, justification and confidence fields around ``value``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, create_model

from tinytroupe.errors import SpecificationError
from tinytroupe.llm.json_extract import JSONExtractionError, extract_json

__all__ = ["OutputSpec", "describe", "reply_model", "coerce_value", "CoercionError", "read_bool", "read_int",
           "read_float", "read_json", "read_str", "options_reader"]


class CoercionError(ValueError):
    """A model reply could not be read as the requested type."""


@dataclass(frozen=True)
class OutputSpec:
    """One output type, classified.

    ``kind``: ``bool``, ``int``, ``float``, ``str``, ``options``, ``json``, ``list``,
    ``model`` (a pydantic model, sent as is) or ``other`` (any annotation pydantic takes).
    """

    kind: str
    annotation: Any
    options: tuple[str, ...] = ()

    @property
    def is_model(self) -> bool:
        return self.kind == "model"


def describe(output_type: Any) -> OutputSpec:
    """Classify ``output_type`` (see the module docstring); unsupported types raise."""
    if isinstance(output_type, type) and issubclass(output_type, BaseModel):
        return OutputSpec("model", output_type)
    if output_type is bool:
        return OutputSpec("bool", bool)
    if output_type is int:
        return OutputSpec("int", int)
    if output_type is float:
        return OutputSpec("float", float)
    if output_type is str:
        return OutputSpec("str", str)
    if isinstance(output_type, (list, tuple)) and output_type and all(isinstance(o, str) for o in output_type):
        options = tuple(dict.fromkeys(output_type))
        return OutputSpec("options", Literal[options], options)  # type: ignore[valid-type]
    if output_type is dict or output_type == "json":
        return OutputSpec("json", dict[str, Any])
    if output_type is list:
        return OutputSpec("list", list[Any])
    bare_builtin = isinstance(output_type, type) and output_type.__module__ == "builtins"
    if isinstance(output_type, (str, list, tuple)) or output_type is None or bare_builtin:
        raise SpecificationError(
            f"Unsupported output type {output_type!r}: use bool, int, float, str, dict, 'json', list, "
            "a non-empty list of option strings, a typing annotation or a pydantic model."
        )
    return OutputSpec("other", output_type)


# -- tolerant readers: what a small model says instead of the right JSON type ----------------
_BOOL_WORDS = re.compile(r"\b(true|false|yes|no|positive|negative)\b", re.IGNORECASE)
_INT = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?\d+(?:\.\d+)?")


def read_bool(v: Any) -> Any:
    if isinstance(v, str):
        m = _BOOL_WORDS.search(v)
        if m:
            return m.group(1).lower() in ("true", "yes", "positive")
    return v


def read_int(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and not re.fullmatch(r"\s*-?\d+\s*", v):
        if re.search(r"\d\.\d", v):
            return v  # a decimal is not an integer: let validation say so
        m = _INT.search(v)
        if m:
            return int(m.group(0))
    return v


def read_float(v: Any) -> Any:
    if isinstance(v, str):
        m = _FLOAT.search(v)
        if m:
            return float(m.group(0))
    return v


def options_reader(options: tuple[str, ...]):
    lowered = {o.lower(): o for o in options}
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(o) for o in sorted(options, key=len, reverse=True))
                         + r")(?!\w)", re.IGNORECASE)

    def read(v: Any) -> Any:
        if isinstance(v, str):
            if v in options:
                return v
            if v.strip().lower() in lowered:
                return lowered[v.strip().lower()]
            m = pattern.search(v)
            if m:
                return lowered[m.group(1).lower()]
        return v

    return read


def read_json(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return extract_json(v)
        except JSONExtractionError:
            return v
    return v


def read_str(v: Any) -> Any:
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    return v


def _read_confidence(v: Any) -> Any:
    v = read_float(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 1 < v <= 100:
        return v / 100.0  # a percentage
    return v


def _reader(spec: OutputSpec):
    if spec.kind == "options":
        return options_reader(spec.options)
    return {"bool": read_bool, "int": read_int, "float": read_float, "str": read_str,
            "json": read_json, "list": read_json}.get(spec.kind, read_json if spec.kind == "other" else None)


def value_annotation(spec: OutputSpec) -> Any:
    """The annotation of the ``value`` field: the type with its tolerant reader in front."""
    reader = _reader(spec)
    return Annotated[spec.annotation, BeforeValidator(reader)] if reader else spec.annotation


def reply_model(spec: OutputSpec, *, justification: bool, reasoning: bool) -> type[BaseModel]:
    """The pydantic model the seam is asked for.

    A pydantic output type is returned as it is. Otherwise ``value`` holds the answer; with
    ``justification`` it is preceded by a ``justification`` and followed by a ``confidence``
    in [0, 1]; with ``reasoning`` a ``reasoning`` field comes first (fields are generated in
    order, so the model thinks before it answers).
    """
    if spec.is_model:
        return spec.annotation
    fields: dict[str, Any] = {}
    if reasoning:
        fields["reasoning"] = (str, Field(description="Step-by-step thinking that leads to the value."))
    if justification or reasoning:
        fields["justification"] = (str, Field(description="Why the value is right, in one or two sentences."))
    fields["value"] = (value_annotation(spec), Field(description="The answer itself."))
    if justification or reasoning:
        fields["confidence"] = (Annotated[float, BeforeValidator(_read_confidence)],
                                Field(ge=0.0, le=1.0, description="How sure you are that the value is right, 0.0 to 1.0."))
    return create_model("LLMReply", **fields)


def coerce_value(spec: OutputSpec, text: str) -> Any:
    """Read free ``text`` as ``spec``'s type (for calls made without JSON output); raises
    :class:`CoercionError` when the text holds no such value."""
    if spec.kind == "str":
        return text
    from pydantic import TypeAdapter, ValidationError

    raw: Any = text
    if spec.kind in ("json", "list", "other", "model"):
        try:
            raw = extract_json(text)
        except JSONExtractionError as exc:
            raise CoercionError(f"no JSON found in the reply: {exc}") from None
    try:
        if spec.is_model:
            return spec.annotation.model_validate(raw)
        return TypeAdapter(value_annotation(spec)).validate_python(raw)
    except ValidationError as exc:
        raise CoercionError(f"the reply is not a valid {spec.kind}: {exc.errors()[0].get('msg')}") from None
