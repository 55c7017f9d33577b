"""The extension registry: code registered by kind and name, one table for the whole process.

What the layers above (or a user) make known to the layers below is code, not run state:
providers of higher-layer functions (``providers``), state types and kinds (``state_type``,
``state_kind``), document schemas (``document``), custom model clients (``client``), shard
tasks (``shard_task``), faculty and tool classes (``faculty``, ``tool``), the original's serializable
classes (``json_serializable``), and values a setting
accepts beyond its declared choices (``choice:api_type``). Code is the same for every
:class:`~tinytroupe.runtime.Runtime` of a process, so it lives here, once; each owning module
keeps its own public functions and calls these.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["register", "unregister", "lookup", "table", "kinds"]

_lock = threading.RLock()
_registry: dict[str, dict[str, Any]] = {}
"""Kind -> {name -> registered thing}."""


def table(kind: str) -> dict[str, Any]:
    """The live ``{name: thing}`` table of ``kind`` (read it; change it with :func:`register`)."""
    with _lock:
        return _registry.setdefault(kind, {})


def register(kind: str, name: str, thing: Any) -> Any:
    """Register ``thing`` as ``name`` of ``kind`` (replacing what was there); returns ``thing``."""
    with _lock:
        _registry.setdefault(kind, {})[name] = thing
    return thing


def unregister(kind: str, name: str) -> Any:
    """Forget ``name`` of ``kind``; returns what was registered (None if nothing)."""
    with _lock:
        return _registry.get(kind, {}).pop(name, None)


def lookup(kind: str, name: str, default: Any = None) -> Any:
    """What is registered as ``name`` of ``kind``, else ``default``."""
    return _registry.get(kind, {}).get(name, default)


def kinds() -> list[str]:
    """The kinds with at least one registration."""
    with _lock:
        return sorted(k for k, v in _registry.items() if v)
