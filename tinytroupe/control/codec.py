"""Canonical forms for replay keys and recorded results: JSON text, hashes, arguments, return values.

Arguments become canonical JSON so that a key depends on what was asked, not on object
identity: agents and worlds by name, datetimes and timedeltas as ISO text, functions by
name and code. A value with no canonical form makes the call unrecordable (it simply runs).
Results are encoded as JSON with markers for the receiver (``self``, for chaining), agents
and worlds (by name: their states travel in the recorded state) and value objects with
``to_dict``/``from_dict``.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib
import json
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any

__all__ = ["NotRecordable", "canonical_text", "state_text", "digest", "canonical_args", "encode_result", "decode_result"]


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
    from tinytroupe.agent import TinyPerson
    from tinytroupe.environment import TinyWorld

    if isinstance(value, TinyPerson):
        return {"$agent": value.name}
    if isinstance(value, TinyWorld):
        return {"$world": value.name}
    return None


def _code_text(code: Any) -> str:
    """A function's code as text that is the same in every process (no addresses)."""
    consts = [_code_text(c) if hasattr(c, "co_code") else repr(c) for c in code.co_consts]
    return "|".join([code.co_code.hex(), ",".join(code.co_names), *consts])


def _function_form(func: Any) -> dict[str, str]:
    code = getattr(func, "__code__", None)
    return {"$function": f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}",
            "code": digest(_code_text(code)) if code is not None else ""}


def canonical_args(value: Any) -> Any:
    """``value`` as plain JSON data for a replay key; raises :class:`NotRecordable`."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value else "NaN"
    if isinstance(value, (list, tuple)):
        return [canonical_args(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical_args(v) for v in value), key=canonical_text)
    if isinstance(value, dict):
        return {str(k): canonical_args(v) for k, v in value.items()}
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
    to_dict, from_dict = getattr(value, "to_dict", None), getattr(type(value), "from_dict", None)
    if callable(to_dict) and callable(from_dict):
        cls = type(value)
        return {"$object": f"{cls.__module__}:{cls.__qualname__}", "data": to_dict()}
    raise NotRecordable(f"a result of type {type(value).__name__} cannot be recorded")


def decode_result(value: Any, receiver: Any, worlds: dict[str, Any]) -> Any:
    """The inverse of :func:`encode_result`; agents are found by name, worlds in ``worlds``."""
    if isinstance(value, list):
        return [decode_result(v, receiver, worlds) for v in value]
    if not isinstance(value, dict):
        return value
    if "$self" in value:
        return receiver
    if "$dict" in value:
        return {k: decode_result(v, receiver, worlds) for k, v in value["$dict"].items()}
    if "$agent" in value:
        from tinytroupe.agent import TinyPerson

        return TinyPerson.get_agent_by_name(value["$agent"])
    if "$world" in value:
        return worlds.get(value["$world"])
    if "$object" in value:
        module, _, qualname = value["$object"].partition(":")
        target: Any = importlib.import_module(module)
        for part in qualname.split("."):
            target = getattr(target, part)
        return target.from_dict(value["data"])
    return {k: decode_result(v, receiver, worlds) for k, v in value.items()}
