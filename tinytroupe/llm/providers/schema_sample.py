"""Make JSON values that fit a JSON schema: the scripted model's way of "answering" a schema.

Used by the loopback server and the scripted provider to produce plausible structured
replies without a model. Covers what pydantic emits: objects, arrays, strings (enum, const,
minLength/maxLength, a few formats), numbers with bounds, booleans, null, ``anyOf``/``oneOf``/
``allOf``, and ``$ref`` into ``$defs``/``definitions``.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["sample_from_schema", "corrupt_types"]

_WORDS = ("alpha", "bravo", "calm", "delta", "eager", "fable", "gentle", "harbor", "ivory", "jolly")
_MAX_DEPTH = 8


class _Sampler:
    """Walks one schema, resolving references against its root."""

    def __init__(self, root: dict[str, Any], rng: random.Random):
        self.root = root
        self.rng = rng

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 32:
            ref = schema["$ref"]
            target: Any = self.root
            if not ref.startswith("#"):
                return {}
            for part in ref.lstrip("#").strip("/").split("/"):
                if not part:
                    continue
                target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **extra}
            seen += 1
        return schema

    def value(self, schema: Any, depth: int = 0) -> Any:
        if not isinstance(schema, dict):
            return None
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][self.rng.randrange(len(schema["enum"]))]
        for key in ("anyOf", "oneOf"):
            if schema.get(key):
                options = [self.resolve(o) for o in schema[key]]
                non_null = [o for o in options if o.get("type") != "null"] or options
                return self.value(non_null[0], depth)
        if schema.get("allOf"):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                part = self.resolve(part)
                for k, v in part.items():
                    if k == "properties":
                        merged.setdefault("properties", {}).update(v)
                    elif k == "required":
                        merged.setdefault("required", []).extend(v)
                    else:
                        merged[k] = v
            return self.value(merged, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        maker = getattr(self, f"_{kind}", None)
        return maker(schema, depth) if maker else None

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        props = schema.get("properties") or {}
        required = set(schema.get("required") or props)
        if depth >= _MAX_DEPTH:
            props = {k: v for k, v in props.items() if k in required}
        return {name: self.value(sub, depth + 1) for name, sub in props.items()}

    def _array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        low = int(schema.get("minItems", 1 if depth < _MAX_DEPTH else 0))
        high = int(schema.get("maxItems", max(low, 2)))
        count = min(max(low, min(2, high)), high)
        if depth >= _MAX_DEPTH:
            count = low
        prefix = schema.get("prefixItems") or []
        items = schema.get("items") or {}
        out = [self.value(p, depth + 1) for p in prefix[:count]]
        out += [self.value(items, depth + 1) for _ in range(count - len(out))]
        return out

    def _string(self, schema: dict[str, Any], depth: int) -> str:
        fmt = schema.get("format")
        if fmt == "date-time":
            return "2024-01-02T03:04:05Z"
        if fmt == "date":
            return "2024-01-02"
        if fmt == "email":
            return "someone@example.com"
        if fmt in ("uri", "url"):
            return "https://example.com/"
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", 40))
        words = [self.rng.choice(_WORDS) for _ in range(6)]
        text = " ".join(words)
        while len(text) < low:
            text += " " + self.rng.choice(_WORDS)
        return text[: max(low, min(high, len(text)))]

    def _integer(self, schema: dict[str, Any], depth: int) -> int:
        low, high = _bounds(schema, integer=True)
        return self.rng.randint(int(low), int(high))

    def _number(self, schema: dict[str, Any], depth: int) -> float:
        low, high = _bounds(schema, integer=False)
        return round(self.rng.uniform(low, high), 3)

    def _boolean(self, schema: dict[str, Any], depth: int) -> bool:
        return self.rng.random() < 0.5

    def _null(self, schema: dict[str, Any], depth: int) -> None:
        return None


def _bounds(schema: dict[str, Any], *, integer: bool) -> tuple[float, float]:
    step = 1 if integer else 0.001
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + (step if "exclusiveMinimum" in schema else 0))
    high = schema.get("maximum")
    if high is None and "exclusiveMaximum" in schema:
        high = schema["exclusiveMaximum"] - step
    if high is None:
        high = low + 100
    if low > high:
        low = high
    return low, high


def sample_from_schema(schema: dict[str, Any], rng: random.Random | None = None) -> Any:
    """A value that validates against ``schema`` (best effort for exotic keywords)."""
    return _Sampler(schema, rng or random.Random(0)).value(schema)


def corrupt_types(value: Any) -> Any:
    """The same value with its first field of the wrong type (for fault injection)."""
    if isinstance(value, dict) and value:
        key = next(iter(value))
        original = value[key]
        if isinstance(original, bool) or isinstance(original, str):
            wrong: Any = 12345 if isinstance(original, str) else "maybe"
        elif isinstance(original, (int, float)):
            wrong = "not a number"
        else:
            wrong = 7
        return {**value, key: wrong}
    if isinstance(value, list):
        return {"unexpected": "object"}
    return [value]
