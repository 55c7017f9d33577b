"""The JSON body of a chat request, serialised once per part that does not change.

Agents of one world send the same response format (the turn schema of a shape) with their own
messages, and the schema is about a third of the body and most of its serialisation time, with
its many small nested objects. :func:`encode_body` serialises the messages and settings of each
request, and the ``response_format`` only the first time it sees that format: later requests
whose format holds the same schema objects (the same nested dicts, as a cached schema gives)
reuse its JSON text. Identity, not equality, decides a hit, so a hit costs no walk of the
schema; the formats remembered are kept alive, so an identity is never reused while cached.
Schemas are treated as read-only once sent, as everywhere in the request path.
"""

from __future__ import annotations

import functools
import json
from typing import Any

__all__ = ["encode_body", "encode_json"]

_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, allow_nan=True)
_MAX_FORMATS = 64  # response formats remembered (least recently used dropped first)


def encode_json(value: Any) -> bytes:
    """``value`` as compact-enough UTF-8 JSON (non-ASCII kept as it is)."""
    return _ENCODER.encode(value).encode("utf-8")


def _identity(value: Any) -> tuple[Any, ...]:
    """A key naming ``value``'s top-level entries and the objects they hold (by identity)."""
    if isinstance(value, dict):
        return tuple((k, v if isinstance(v, (str, int, float, bool, type(None))) else ("id", id(v)))
                     for k, v in value.items())
    return (("id", id(value)),)


def _format_key(response_format: dict[str, Any]) -> tuple[Any, ...] | None:
    """The identity key of a ``response_format`` whose schema is a dict, else None (not cached)."""
    inner = response_format.get("json_schema")
    if isinstance(inner, dict):  # {"type": "json_schema", "json_schema": {"name", "schema", "strict"}}
        schema = inner.get("schema")
        rest = tuple((k, v) for k, v in inner.items() if k != "schema")
    else:  # {"type": "json_object", "schema": {...}}
        schema = response_format.get("schema")
        rest = ()
    if not isinstance(schema, dict):
        return None
    return (response_format.get("type"), rest, _identity(schema))


def _format_json(response_format: dict[str, Any]) -> str:
    key = _format_key(response_format)
    if key is None:
        return _ENCODER.encode(response_format)
    return _encoded(_Keyed(key, response_format))


class _Keyed:
    """A response format hashed and compared by its identity key (see :func:`_format_key`)."""

    __slots__ = ("key", "value")

    def __init__(self, key: tuple[Any, ...], value: dict[str, Any]):
        self.key, self.value = key, value

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Keyed) and other.key == self.key


@functools.lru_cache(maxsize=_MAX_FORMATS)
def _encoded(keyed: _Keyed) -> str:
    """The JSON text of a response format; the cache keeps the first one (and its ids) alive."""
    return _ENCODER.encode(keyed.value)


def encode_body(params: dict[str, Any]) -> bytes:
    """The UTF-8 JSON body for ``params`` (the same JSON value as ``json.dumps(params)``)."""
    response_format = params.get("response_format")
    if not isinstance(response_format, dict) or len(params) < 2:
        return encode_json(params)
    head = _ENCODER.encode({k: v for k, v in params.items() if k != "response_format"})
    return (head[:-1] + ', "response_format": ' + _format_json(response_format) + "}").encode("utf-8")
