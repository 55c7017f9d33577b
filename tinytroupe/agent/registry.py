"""The name registry of agents, which TinyTroupe's API requires (name lookup).

The names live in the current runtime (:attr:`tinytroupe.runtime.Runtime.agents`);
:data:`all_agents` (``TinyPerson.all_agents``) is a dict view of the current runtime's.

Names are unique: registering a taken name raises, unless the caller asks for a new name
(:func:`unique_name` appends `` 2``, `` 3``... deterministically). Agents created inside
:func:`detached` (the copies living in a forked world) keep their names but stay out of the
registry: their world finds them by name, name lookup keeps finding the originals.
"""

from __future__ import annotations

import contextvars
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tinytroupe.errors import SimulationError
from tinytroupe.runtime import RegistryView, current_runtime

if TYPE_CHECKING:
    from tinytroupe.agent.tiny_person import TinyPerson

__all__ = ["all_agents", "register", "unregister", "rename", "get", "has", "unique_name", "clear",
           "detached", "is_detached"]

all_agents: RegistryView = RegistryView("agents")
_lock = threading.RLock()
_detaching: contextvars.ContextVar[bool] = contextvars.ContextVar("tinytroupe_detaching", default=False)


def _detached() -> weakref.WeakSet[TinyPerson]:
    return current_runtime().part("agent.detached", weakref.WeakSet)


@contextmanager
def detached() -> Iterator[None]:
    """Agents created in this block (in this context) are not registered by name."""
    token = _detaching.set(True)
    try:
        yield
    finally:
        _detaching.reset(token)


def is_detached(agent: TinyPerson) -> bool:
    """Whether ``agent`` lives outside the name registry (a forked world's copy)."""
    return agent in _detached()


def has(name: str) -> bool:
    """Whether an agent named ``name`` exists in this process."""
    with _lock:
        return name in all_agents


def get(name: str) -> TinyPerson | None:
    """The agent named ``name``, or None."""
    with _lock:
        return all_agents.get(name)


def unique_name(base: str) -> str:
    """``base`` if it is free, else the first free ``"base 2"``, ``"base 3"``..."""
    with _lock:
        if base not in all_agents:
            return base
        n = 2
        while f"{base} {n}" in all_agents:
            n += 1
        return f"{base} {n}"


def register(agent: TinyPerson, name: str) -> None:
    """Claim ``name`` for ``agent``, or raise SimulationError if another agent has it."""
    if _detaching.get():
        _detached().add(agent)
    if agent in _detached():
        return
    with _lock:
        holder = all_agents.get(name)
        if holder is not None and holder is not agent:
            raise SimulationError(
                f"an agent named {name!r} already exists; agent names must be unique. Choose another "
                f"name (e.g. {unique_name(name)!r}), pass auto_rename=True when loading, or call "
                "TinyPerson.clear_agents() to start afresh."
            )
        all_agents[name] = agent


def unregister(agent: TinyPerson, name: str) -> None:
    """Release ``name`` if ``agent`` holds it."""
    with _lock:
        if all_agents.get(name) is agent:
            del all_agents[name]


def rename(agent: TinyPerson, old: str, new: str) -> None:
    """Move ``agent`` from ``old`` to ``new`` (raises if ``new`` is taken)."""
    if agent in _detached():
        return
    with _lock:
        register(agent, new)
        if old != new:
            unregister(agent, old)


def clear() -> None:
    """Forget every agent (their objects stay usable, but name lookup no longer finds them)."""
    with _lock:
        all_agents.clear()
