"""The two halves of a sharded world: the shard actor and the proxy its agents have on the driver.

``with shard_world(world, executor): world.run(3)`` (:func:`tinytroupe.executors.shard_world`). Inside the block the world's agents are held by shard actors (:class:`WorldShard`), each with
the driver's runtime rebuilt from :meth:`Runtime.describe` and the run's shared services
(budget ledger, concurrency window, cache owner). The world itself stays on the driver and
runs as always: it steps (a barrier per step), routes what agents do and records the
transcript. It talks to :class:`ShardedAgent` proxies, which forward the agent contract:
a step's turns go to each shard in one call, deliveries are queued and sent per shard in one
call before anything that depends on them (the next turns, a world event, the end of the
step, a state read), and every event the shards' agents emitted is filed on the driver in
the order a local run files it. So the transcript and the final state equal the local
executor's, whatever the number of shards. Leaving the block puts the real agents back in
the world with their final states.

Faults: every command a shard ran is logged on the driver; when its actor dies, a new one is
loaded with the shard's states from the start of the block and the log is replayed (its
model calls are answered by the run's call cache, so nothing paid is asked again), then the
failed command runs again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ray

from tinytroupe import events, llm
from tinytroupe.contracts import Acted
from tinytroupe.errors import SimulationError
from tinytroupe.executors.ray_services import install
from tinytroupe.executors.wire import error_to_data
from tinytroupe.executors.world_shard import ShardHost
from tinytroupe.llm.setup import usage_stats
from tinytroupe.memory.background import memory_in_background
from tinytroupe.runtime import Runtime

if TYPE_CHECKING:
    from tinytroupe.executors.world_shards import WorldShards

__all__ = ["WorldShard", "ShardedAgent", "Shard"]


@ray.remote(max_restarts=0)
class WorldShard:
    """A Ray actor holding one shard's agents; runs commands one at a time in one session per run."""

    def __init__(self, description: dict[str, Any], services: Any, plan: dict[str, Any], world_name: str,
                 world_id: str, holder: str):
        settings = {**description["settings"], "cache_api_calls": False}  # the cache owner answers for the file
        self.runtime = Runtime.from_description({**description, "settings": settings})
        with self.runtime:
            install(llm.default_model(), services, plan, holder)
            self.host = ShardHost(world_name, world_id)
        self._queue: asyncio.Queue | None = None

    async def run(self, command: str, args: list[Any]) -> dict[str, Any]:
        """Run one command in the shard's session (started on first use); its result as data."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            asyncio.ensure_future(self._serve(self._queue))
        queue = self._queue
        if command in ("finish", "cancel"):
            self._queue = None  # the next command starts the next run's session
        future = asyncio.get_running_loop().create_future()
        await queue.put((command, args, future))
        return await future

    async def _serve(self, queue: asyncio.Queue) -> None:
        """One run's session: the runtime current and memory work in the background, as in a world's run."""
        ending = None
        out: dict[str, Any] = {"ok": None}
        try:
            with self.runtime, events.owner(self.host.world.id):  # as a world's run: its memory work is its own
                async with memory_in_background() as scope:
                    while ending is None:
                        command, args, future = await queue.get()
                        if command in ("finish", "cancel"):
                            ending = future
                            if command == "cancel":
                                scope.cancel()
                            break
                        future.set_result(await self._answer(scope, command, args))
        except Exception as exc:  # noqa: BLE001 - sent back as data
            out = {"error": error_to_data(exc)}
        if ending is not None:
            ending.set_result({**out, "usage": self._usage(), "events": self.host.take_early()})

    async def _answer(self, scope: Any, command: str, args: list[Any]) -> dict[str, Any]:
        try:
            if command == "turns":
                out: dict[str, Any] = {"ok": await self.host.turns(*args)}
            elif command == "end_step":
                out = {"ok": await scope.aend_step()}
            elif command in ("load", "deliver", "states"):
                out = {"ok": getattr(self.host, command)(*args)}
            else:
                raise SimulationError(f"a world shard has no command {command!r}")
        except Exception as exc:  # noqa: BLE001 - sent back as data
            out = {"error": error_to_data(exc)}
        out["usage"] = self._usage()
        out["events"] = self.host.take_early()  # memory work in the background (its model calls)
        return out

    def _usage(self) -> dict[str, Any]:
        stats = usage_stats(self.runtime)
        snapshot = stats.snapshot()
        stats.reset()
        return snapshot


@dataclass(frozen=True)
class RemoteTurns:
    """The ceiling a streamed world step reads from a proxied agent's ``model``: the whole group.

    The driver prepares no requests for agents that shards hold (each shard streams and bounds
    its own), and it sends a step's turns to a shard in one call per batch, so holding back
    turns on the driver would only split those batches into many small round trips."""

    max_concurrent: int


class ShardedAgent:
    """Stands in the driver's world for an agent a shard holds: the agent contract, forwarded."""

    state_kind = "agent"

    @property
    def model(self) -> RemoteTurns:
        """See :class:`RemoteTurns`: every agent of the group may start its turn at once."""
        return RemoteTurns(max(1, len(self._group.world.agents)))

    def __init__(self, group: WorldShards, shard: int, name: str, strict: bool):
        self._group, self._shard = group, shard
        self.name, self.strict = name, strict
        self.environment: Any = None

    def __repr__(self) -> str:
        return f"ShardedAgent({self.name!r}, shard={self._shard + 1})"

    def _deliver(self, method: str, *args: Any, **kwargs: Any) -> ShardedAgent:
        self._group.deliver(self, method, args, kwargs)
        return self

    def listen(self, speech: Any, source: Any = None, **kwargs: Any) -> ShardedAgent:
        return self._deliver("listen", speech, source=source, **kwargs)

    def hear(self, stimulus: Any, speech: Any, source: Any = None) -> None:
        self._deliver("hear", stimulus, speech, source)

    def socialize(self, social_description: Any, source: Any = None, **kwargs: Any) -> ShardedAgent:
        return self._deliver("socialize", social_description, source=source, **kwargs)

    def see(self, visual_description: Any = None, source: Any = None, **kwargs: Any) -> ShardedAgent:
        return self._deliver("see", visual_description, source=source, **kwargs)

    def think(self, thought: Any, **kwargs: Any) -> ShardedAgent:
        return self._deliver("think", thought, **kwargs)

    def internalize_goal(self, goal: Any, **kwargs: Any) -> ShardedAgent:
        return self._deliver("internalize_goal", goal, **kwargs)

    def change_context(self, context: Any) -> ShardedAgent:
        return self._deliver("change_context", context)

    def move_to(self, location: str, context: Any = None) -> ShardedAgent:
        return self._deliver("move_to", location, context)

    def make_agent_accessible(self, agent: Any, relation_description: str | None = None) -> ShardedAgent:
        extra = () if relation_description is None else (relation_description,)
        return self._deliver("make_agent_accessible", agent, *extra)

    def make_agent_inaccessible(self, agent: Any) -> ShardedAgent:
        return self._deliver("make_agent_inaccessible", getattr(agent, "name", agent))

    def make_all_agents_inaccessible(self) -> ShardedAgent:
        return self._deliver("make_all_agents_inaccessible")

    async def aturn(self, communication_display: bool | None = None) -> list[Acted]:
        return await self._group.aturn(self, communication_display)

    async def aact(self, *args: Any, **kwargs: Any) -> Any:
        raise SimulationError(f"{self.name} is held by a world shard: it acts when its world steps "
                              "(leave the shard_world block to use the agent directly)")

    def encode_complete_state(self) -> dict[str, Any]:
        return self._group.state_of(self)

    def decode_complete_state(self, state: dict[str, Any]) -> ShardedAgent:
        return self._deliver("decode_complete_state", state)


class Shard:
    """The driver's record of one shard: its actor, agents, starting states and command log."""

    def __init__(self, index: int, names: list[str], states: list[dict[str, Any]]):
        self.index, self.names, self.initial = index, names, states
        self.log: list[tuple[str, list[Any]]] = []
        self.actor: Any = None
        self.restarts = 0

    @property
    def holder(self) -> str:
        """Whose window slots the shard's current actor takes (freed when that actor dies)."""
        return f"world shard {self.index + 1}, actor {self.restarts + 1}"
