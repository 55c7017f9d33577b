"""Saving, loading and forking worlds.

A saved world is a versioned document (``{"format": "tinytroupe.world", "version": 1,
"world": <encode_complete_state()>}``) written atomically. A fork is a new world, of the same
class, in exactly the same state (clock, step, random generator, relations, every agent's
memory): the control and treatment arms of an experiment start from one point. The fork's
agents are copies that keep their names but live only in the fork: the world finds them by
name, while ``TinyPerson.get_agent_by_name`` keeps finding the originals. Interventions are
code, not state: add the ones the fork needs to it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tinytroupe.agent import TinyPerson, registry
from tinytroupe.errors import SimulationError, StateError, TinyTroupeError
from tinytroupe.state.files import read_document, write_document
from tinytroupe.state.schema import check_document

__all__ = ["SAVE_FORMAT", "SAVE_VERSION", "save_world", "load_world", "fork_world"]

SAVE_FORMAT = "tinytroupe.world"
SAVE_VERSION = 1


def save_world(world: Any, path: str | os.PathLike) -> Path:
    """Write ``world``'s complete state (agents included) to ``path`` atomically."""
    return write_document(path, SAVE_FORMAT, SAVE_VERSION, {"world": world.encode_complete_state()}, indent=2)


def _world_class(type_name: Any, base: type) -> type:
    pending = [base]
    while pending:
        cls = pending.pop()
        if cls.__name__ == type_name:
            return cls
        pending.extend(cls.__subclasses__())
    return base


def load_world(path: str | os.PathLike, base: type) -> Any:
    """A world restored from a file written by :func:`save_world`.

    Agents of the saved names that already exist in this process are reused and take the
    saved state; the others are created. On a damaged file nothing stays registered.
    """
    doc = read_document(path, SAVE_FORMAT, SAVE_VERSION, "world file")
    check_document(doc, "world", path)
    state = doc.get("world")
    if not isinstance(state, dict) or not isinstance(state.get("name"), str):
        raise StateError(f"{path}: the world file has no 'world.name'; re-save it with world.save()")
    known = set(registry.all_agents)
    world = _world_class(state.get("type"), base)(state["name"])
    try:
        world.decode_complete_state(state)
    except Exception as exc:
        for name in set(registry.all_agents) - known:
            agent = registry.get(name)
            if agent is not None:
                registry.unregister(agent, name)
        if type(world).all_environments.get(world.name) is world:
            del type(world).all_environments[world.name]
        if isinstance(exc, TinyTroupeError):
            raise StateError(f"{path}: {exc}") from None
        if isinstance(exc, Exception):
            raise StateError(f"{path}: the world file cannot be restored ({type(exc).__name__}: {exc}); "
                             "restore it from an unmodified copy") from None
        raise
    return world


def _copy_agent(agent: Any) -> Any:
    if isinstance(agent, TinyPerson):
        with registry.detached():
            return TinyPerson(agent.name, model=agent.model)
    return type(agent)(agent.name)


def fork_world(world: Any, new_name: str) -> Any:
    """A new world named ``new_name`` in exactly ``world``'s state, with copies of its agents."""
    if not isinstance(new_name, str) or not new_name.strip() or new_name == world.name:
        raise SimulationError(f"fork({new_name!r}): give the fork a new, non-empty name (not {world.name!r})")
    state = world.encode_complete_state()
    state["name"] = new_name
    fork = type(world)(new_name)
    for agent in world.agents:
        fork.add_agent(_copy_agent(agent))
    fork.decode_complete_state(state)
    for agent in fork.agents:
        relations = getattr(agent, "accessible_agent_relations", None)
        for name, relation in (relations() if relations else {}).items():
            other = fork.name_to_agent.get(name)
            if other is not None:
                agent.make_agent_accessible(other, relation)
    return fork
