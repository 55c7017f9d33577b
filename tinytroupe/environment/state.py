"""A world's complete state as plain JSON-able data, and its exact restoration.

The document holds the world's name, clock, step counter, seed, random generator state
(``random.Random.getstate()`` as JSON lists), its agents' own states in the world's order,
and whatever a subclass adds (a network's relations). Interventions are code, not data:
they stay as they are on the world being restored.
"""

from __future__ import annotations

import random
from typing import Any

from tinytroupe.contracts import kind_class
from tinytroupe.environment.clock import SimClock
from tinytroupe.errors import StateError

__all__ = ["encode_world", "decode_world", "rng_state_to_json", "rng_state_from_json", "STATE_VERSION"]

STATE_VERSION = 1


def rng_state_to_json(rng: random.Random) -> list[Any]:
    """``rng.getstate()`` as nested lists of numbers."""
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def rng_state_from_json(data: Any) -> tuple[Any, ...]:
    """The argument for ``random.Random.setstate`` from :func:`rng_state_to_json`'s output."""
    try:
        version, internal, gauss = data
        state = (int(version), tuple(int(x) for x in internal), gauss)
        random.Random().setstate(state)  # validates length and types
    except (TypeError, ValueError):
        raise StateError(
            "world state field 'rng_state' is not a random generator state; restore it from an "
            "unmodified encode_complete_state() document"
        ) from None
    return state


def agent_name_in_state(state: dict[str, Any]) -> str:
    """The agent name recorded in an agent's encoded state."""
    for holder in (state, state.get("persona") or {}, state.get("_persona") or {}):
        if isinstance(holder, dict) and isinstance(holder.get("name"), str):
            return holder["name"]
    raise StateError("world state field 'agents': an agent state has no 'name'; it cannot be restored")


def encode_world(world: Any) -> dict[str, Any]:
    """The complete state of ``world`` (see the module docstring)."""
    state: dict[str, Any] = {
        "type": type(world).__name__,
        "version": STATE_VERSION,
        "name": world.name,
        "current_datetime": world._clock.to_state(),
        "broadcast_if_no_target": world.broadcast_if_no_target,
        "simulation_step": world.simulation_step,
        "simulation_id": world.simulation_id,
        "seed": world.seed,
        "rng_state": rng_state_to_json(world._rng),
        "agents": [agent.encode_complete_state() for agent in world.agents],
    }
    state.update(world._encode_extra())
    return state


def _require(state: dict[str, Any], field: str) -> Any:
    if field not in state:
        raise StateError(f"world state has no field {field!r}; it was not made by encode_complete_state()")
    return state[field]


def decode_world(world: Any, state: dict[str, Any]) -> None:
    """Restore ``world`` in place from :func:`encode_world`'s output."""
    if not isinstance(state, dict):
        raise StateError(f"a world state must be a dict, got {type(state).__name__}")
    if state.get("version", STATE_VERSION) > STATE_VERSION:
        raise StateError(f"world state version {state['version']} is newer than this tinytroupe "
                         f"understands ({STATE_VERSION}); upgrade tinytroupe")
    rng_state = rng_state_from_json(_require(state, "rng_state"))
    clock = SimClock.from_state(_require(state, "current_datetime"))
    agents = [_restore_agent(world, agent_state) for agent_state in _require(state, "agents")]

    old_name = world.name
    world.name = _require(state, "name")
    if old_name != world.name:
        type(world).all_environments.pop(old_name, None)
        type(world).all_environments[world.name] = world  # restored state: this world is now that one
    world._clock = clock
    world.broadcast_if_no_target = bool(state.get("broadcast_if_no_target", True))
    world.simulation_step = int(_require(state, "simulation_step"))
    world.simulation_id = state.get("simulation_id")
    world.seed = state.get("seed")
    world._rng.setstate(rng_state)
    for agent in list(world.agents):
        if agent not in agents and getattr(agent, "environment", None) is world:
            agent.environment = None
    world.agents = agents
    world.name_to_agent = {agent.name: agent for agent in agents}
    for agent in agents:
        agent.environment = world
    world._decode_extra(state)


def _restore_agent(world: Any, agent_state: dict[str, Any]) -> Any:
    """The agent of that name in the world (or anywhere, or a new one), with its state restored."""
    name = agent_name_in_state(agent_state)
    agent = world.name_to_agent.get(name)
    if agent is None:
        cls = kind_class("agent")  # the registered agent class (TinyPerson)
        if cls is None:
            raise StateError(f"the world state holds agent {name!r}, but no agent class is registered; "
                             "import tinytroupe.agent before restoring a world")
        finder = getattr(cls, "get_agent_by_name", None)
        agent = finder(name) if finder is not None else None
        if agent is None:
            agent = cls(name)
    agent.decode_complete_state(agent_state)
    return agent
