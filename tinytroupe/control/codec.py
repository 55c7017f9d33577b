"""Canonical forms for replay keys and recorded results: JSON text, hashes, arguments, return values.

Arguments become canonical JSON so that a key depends on what was asked, not on object
identity: agents and worlds by name, datetimes and timedeltas as ISO text, functions by
name and code. A value with no canonical form makes the call unrecordable (it simply runs).
Results are encoded as JSON with markers for the receiver (``self``, for chaining), agents
and worlds (by name: their states travel in the recorded state) and value objects of the
registered state types (:func:`tinytroupe.contracts.register_state_type`). Decoding never
imports anything: a type name that is not registered is refused with a
:class:`~tinytroupe.errors.StateError` naming the file and the entry.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any

from tinytroupe.contracts import STATE_TYPES, kind_class, kind_of, state_type, state_type_name
from tinytroupe.errors import StateError

__all__ = ["NotRecordable", "canonical_text", "state_text", "digest", "canonical_args", "encode_result",
           "decode_result", "check_result"]


class NotRecordable(Exception):
    """A value has no canonical JSON form; the operation runs without being recorded."""


def canonical_text(value: Any) -> str:
    """Compact JSON with sorted keys: equal data gives equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def state_text(value: Any) -> str:
    """Compact JSON keeping key order (an object's state: key order can reach prompts)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(text: str) -> str:
    """A short content hash of ``text`` (128 bits, hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _named(value: Any) -> dict[str, str] | None:
    """``{"$agent": name}`` / ``{"$world": name}`` for domain objects, else None."""
    kind = kind_of(value)
    if kind in ("agent", "world"):
        return {f"${kind}": value.name}
    return None


def _code_text(code: Any) -> str:
    """A function's code as text that is the same in every process (no addresses)."""
    consts = [_code_text(c) if hasattr(c, "co_code") else repr(c) for c in code.co_consts]
    return "|".join([code.co_code.hex(), ",".join(code.co_names), *consts])


def _function_form(func: Any) -> dict[str, str]:
    code = getattr(func, "__code__", None)
    return {"$function": f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}",
            "code": digest(_code_text(code)) if code is not None else ""}


def canonical_args(value: Any, by_value: bool = False) -> Any:
    """``value`` as plain JSON data for a replay key; raises :class:`NotRecordable`.

    With ``by_value``, a plain object (one with instance fields) also has a form: its class
    and its fields, compared by content (a self-referencing one raises RecursionError)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value else "NaN"
    if isinstance(value, (list, tuple)):
        return [canonical_args(v, by_value) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical_args(v, by_value) for v in value), key=canonical_text)
    if isinstance(value, dict):
        return {str(k): canonical_args(v, by_value) for k, v in value.items()}
    named = _named(value)
    if named is not None:
        return named
    if isinstance(value, (datetime, date, time)):
        return {"$datetime": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$timedelta": value.total_seconds()}
    if isinstance(value, enum.Enum):
        return canonical_args(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "model_dump"):
        return canonical_args(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return canonical_args(dataclasses.asdict(value))
    if callable(getattr(value, "to_dict", None)):
        return canonical_args(value.to_dict())
    if callable(value):
        return _function_form(value)
    if by_value and isinstance(getattr(value, "__dict__", None), dict) and not isinstance(value, type):
        cls = type(value)
        return {"$object": f"{cls.__module__}.{cls.__qualname__}", "fields": canonical_args(vars(value), True)}
    raise NotRecordable(f"{type(value).__name__} has no canonical form")


def encode_result(value: Any, receiver: Any) -> Any:
    """A return value as JSON with markers; raises :class:`NotRecordable`."""
    if value is receiver and value is not None:
        return {"$self": True}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [encode_result(v, receiver) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise NotRecordable("a result dict has non-string keys")
        items = {k: encode_result(v, receiver) for k, v in value.items()}
        return {"$dict": items} if any(k.startswith("$") for k in value) else items
    named = _named(value)
    if named is not None:
        return named
    name = _registered_name(type(value))
    if name is not None:
        return {"$object": name, "data": value.to_dict()}
    raise NotRecordable(f"a result of type {type(value).__name__} cannot be recorded "
                        "(register it with tinytroupe.contracts.register_state_type to record it)")


def _registered_name(cls: type) -> str | None:
    default = state_type_name(cls)
    if state_type(default) is cls:
        return default
    return next((name for name, known in STATE_TYPES.items() if known is cls), None)


def check_result(value: Any, where: str) -> None:
    """Raise StateError (naming ``where``) when ``value`` holds an object of an unregistered type."""
    if isinstance(value, list):
        for item in value:
            check_result(item, where)
    elif isinstance(value, dict):
        if "$object" in value:
            name = value.get("$object")
            if not isinstance(name, str) or state_type(name) is None:
                raise StateError(f"{where}: the recorded result names type {name!r}, which is not a registered "
                                 "state type; a checkpoint only holds registered types: register it with "
                                 "tinytroupe.contracts.register_state_type if you trust this file, or delete it")
            return
        for item in value.values():
            check_result(item, where)


def decode_result(value: Any, receiver: Any, worlds: dict[str, Any], where: str = "checkpoint") -> Any:
    """The inverse of :func:`encode_result`; agents are found by name, worlds in ``worlds``."""
    if isinstance(value, list):
        return [decode_result(v, receiver, worlds, where) for v in value]
    if not isinstance(value, dict):
        return value
    if "$self" in value:
        return receiver
    if "$dict" in value:
        return {k: decode_result(v, receiver, worlds, where) for k, v in value["$dict"].items()}
    if "$agent" in value:
        agents = kind_class("agent")
        return agents.get_agent_by_name(value["$agent"]) if agents is not None else None  # type: ignore[attr-defined]
    if "$world" in value:
        return worlds.get(value["$world"])
    if "$object" in value:
        check_result(value, where)
        return state_type(value["$object"]).from_dict(value["data"])  # type: ignore[union-attr]
    return {k: decode_result(v, receiver, worlds, where) for k, v in value.items()}
