"""One shard of a sharded world: the agents a Ray actor holds, and what it does with them.

:class:`ShardHost` is plain Python (testable without Ray): it rebuilds its agents from their
states, applies deliveries (``listen``, ``hear``, ``make_agent_accessible``...) and runs
turns, and hands back, as plain data, every event its agents emitted (so the driver files
them into the world's transcript in the order a local run files them). Its agents live in a
:class:`ShardWorldView`, a stand-in for their world: the world's name, id and clock, and
the agents held here (another shard's agent is known by its name only).
"""

from __future__ import annotations

import asyncio
from typing import Any

from tinytroupe import events
from tinytroupe.contracts import Stimulus, kind_class
from tinytroupe.environment.state import agent_name_in_state
from tinytroupe.environment.transcript import RECORDED_KINDS
from tinytroupe.errors import ConfigError
from tinytroupe.executors.wire import error_to_data

__all__ = ["ShardHost", "ShardWorldView", "DELIVERIES", "encode_arg"]

# what a world (or a script, between runs) may ask of a sharded agent, besides its turns
DELIVERIES = frozenset({"listen", "hear", "socialize", "think", "internalize_goal", "see", "change_context",
                        "move_to", "make_agent_accessible", "make_agent_inaccessible",
                        "make_all_agents_inaccessible", "decode_complete_state"})


class OtherAgent:
    """An agent held by another shard, as this shard's agents know it: by name."""

    def __init__(self, name: str):
        self.name = name

    def __str__(self) -> str:
        return self.name


class ShardWorldView:
    """What a shard's agents see of their world: its name, id, clock and the agents held here."""

    def __init__(self, name: str, world_id: str):
        self.name = name
        self.id = world_id
        self.current_datetime: Any = None
        self.name_to_agent: dict[str, Any] = {}

    @property
    def agents(self) -> list[Any]:
        return list(self.name_to_agent.values())


def encode_arg(value: Any) -> Any:
    """A delivery's argument as plain data: agents by name, stimuli as their fields."""
    if isinstance(value, Stimulus):
        return {"$stimulus": [value.kind.value, value.content, value.source]}
    name = getattr(value, "name", None)
    if isinstance(name, str) and callable(getattr(value, "aturn", None)):
        return {"$agent": name}
    return value


class ShardHost:
    """The agents of one shard and the events they emit (see the module docstring)."""

    def __init__(self, world_name: str, world_id: str):
        self.world = ShardWorldView(world_name, world_id)
        self._sink: list[Any] = []
        self.early: list[dict[str, Any]] = []  # emitted between commands (memory work in the background)
        self._unsubscribe = events.subscribe(self._sink.append, RECORDED_KINDS, world_id=world_id)

    def close(self) -> None:
        self._unsubscribe()

    def load(self, states: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rebuild the agents from their states; says each one's name and strictness."""
        cls = kind_class("agent")
        if cls is None:
            raise ConfigError("a world shard found no agent class; import tinytroupe.agent on the workers")
        out = []
        for state in states:
            name = agent_name_in_state(state)
            agent = self.world.name_to_agent.get(name) or cls(name)
            agent.decode_complete_state(state)
            agent.environment = self.world
            self.world.name_to_agent[agent.name] = agent
            out.append({"name": agent.name, "strict": bool(getattr(agent, "strict", False))})
        return out

    def _decode_arg(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            if "$agent" in value:
                return self.world.name_to_agent.get(value["$agent"]) or OtherAgent(value["$agent"])
            if "$stimulus" in value:
                return Stimulus(*value["$stimulus"])
        return value

    def drain(self) -> list[dict[str, Any]]:
        """The events emitted since the last drain, as data."""
        taken = [e.to_dict() for e in self._sink]
        self._sink.clear()
        return taken

    def deliver(self, ops: list[list[Any]]) -> list[list[dict[str, Any]]]:
        """Apply ``[method, agent name, args, kwargs, clock]`` in order; the events of each."""
        out = []
        self.early.extend(self.drain())
        for method, name, args, kwargs, clock in ops:
            if method not in DELIVERIES:
                raise ConfigError(f"a world shard does not forward {method!r} to its agents")
            self.world.current_datetime = clock
            agent = self.world.name_to_agent[name]
            with events.owner(self.world.id):
                getattr(agent, method)(*map(self._decode_arg, args), **{k: self._decode_arg(v) for k, v in kwargs.items()})
            out.append(self.drain())
        return out

    async def turns(self, names: list[str], display: bool | None, clock: Any) -> dict[str, dict[str, Any]]:
        """Each named agent's turn, concurrently: its actions (or its error) and its events, by agent."""
        self.world.current_datetime = clock
        self.early.extend(self.drain())
        agents = [self.world.name_to_agent[n] for n in names]
        with events.owner(self.world.id):  # as the world's recording() does: its model calls are its own
            outcomes = await asyncio.gather(*(a.aturn(communication_display=display) for a in agents),
                                            return_exceptions=True)
        result: dict[str, dict[str, Any]] = {}
        for name, outcome in zip(names, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                if not isinstance(outcome, Exception):
                    raise outcome
                result[name] = {"error": error_to_data(outcome), "events": []}
            else:
                result[name] = {"acted": [a.to_dict() for a in outcome or []], "events": []}
        for event in self.drain():
            owner = event["source"]
            if event["kind"].startswith("llm."):
                owner = ((event.get("data") or {}).get("tags") or {}).get("agent", owner)
            result.get(owner, result[names[0]])["events"].append(event)
        return result

    def take_early(self) -> list[dict[str, Any]]:
        """The events emitted between commands, once."""
        taken, self.early = self.early + self.drain(), []
        return taken

    def states(self, names: list[str]) -> list[dict[str, Any]]:
        """The named agents' complete states."""
        return [dict(self.world.name_to_agent[n].encode_complete_state()) for n in names]
