"""Registered state types and kinds of stateful objects: what a checkpoint may name, and how
code below the agents and worlds (simulation control) finds their classes without importing them.

Re-exported by :mod:`tinytroupe.contracts`.
"""

from __future__ import annotations

from typing import Any

from tinytroupe import extensions

__all__ = ["STATE_TYPES", "LIBRARY_STATE_TYPES", "register_state_type", "state_type", "state_type_name",
           "register_state_kind", "kind_of", "kind_class"]

# -- registered state types ----------------------------------------------------------------------
STATE_TYPES: dict[str, type] = extensions.table("state_type")
"""Name -> class of the value types a checkpoint may hold (``to_dict``/``from_dict``); read-only
here, :func:`register_state_type` adds one (the table lives in :mod:`tinytroupe.extensions`)."""

LIBRARY_STATE_TYPES: tuple[str, ...] = (
    "tinytroupe.agent.actions:Action",
    "tinytroupe.memory.episodic:MemoryEvent",
    "tinytroupe.agent.quality:QualityStats",
    "tinytroupe.events:Event",
    "tinytroupe.factory.population:Dimension",
    "tinytroupe.factory.naming:NameBook",
)
"""The library's own value types, registered on first use (only these modules are ever imported)."""


def state_type_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"  # the name a class is registered under by default


def register_state_type(cls: type, name: str | None = None) -> type:
    """Allow ``cls`` (with ``to_dict()`` and a ``from_dict(data)`` classmethod) in checkpoints.

    Usable as a decorator. Only registered types are decoded from a checkpoint; decoding
    never imports a module.
    """
    if not callable(getattr(cls, "to_dict", None)) or not callable(getattr(cls, "from_dict", None)):
        raise TypeError(f"{cls.__name__} needs to_dict() and a from_dict() classmethod to be a state type")
    return extensions.register("state_type", name or state_type_name(cls), cls)


def state_type(name: str) -> type | None:
    """The class registered as ``name``, or None."""
    if name not in STATE_TYPES and name in LIBRARY_STATE_TYPES:
        import importlib

        module, _, attr = name.partition(":")
        register_state_type(getattr(importlib.import_module(module), attr), name)
    return STATE_TYPES.get(name)


# -- kinds of stateful objects -------------------------------------------------------------------
def register_state_kind(kind: str, cls: type) -> type:
    """Make ``cls`` the class of stateful objects of ``kind`` (``"agent"``, ``"world"``), so
    code below it (simulation control) can find and make them without importing it."""
    return extensions.register("state_kind", kind, cls)


def kind_of(obj: Any) -> str:
    """``"agent"``, ``"world"``, or the class name of another stateful object."""
    kind = getattr(type(obj), "state_kind", None)
    return kind if isinstance(kind, str) else type(obj).__name__


def kind_class(kind: str) -> type | None:
    return extensions.lookup("state_kind", kind)  # the class registered for ``kind``, or None
