"""The driver's half of a sharded world: shards started, commands sent and retried, events filed.

See :mod:`tinytroupe.executors.ray_world` for the design. :class:`WorldShards` replaces a
world's agents by :class:`~tinytroupe.executors.ray_world.ShardedAgent` proxies, batches what
they are asked per shard, files the shards' events into the world's transcript in order, and
joins the world's background-memory scope as a keeper (so the shards end their steps and
their runs when the world does). A shard whose actor died is rebuilt and replayed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import ray
from ray.exceptions import RayActorError

from tinytroupe import control, events, transactions
from tinytroupe.agent.actions import Action
from tinytroupe.contracts import Acted, Stimulus, payload_for
from tinytroupe.errors import SimulationError
from tinytroupe.executors.ray_world import Shard, ShardedAgent, WorldShard
from tinytroupe.executors.services import apply_spent
from tinytroupe.executors.wire import add_usage, error_from_data
from tinytroupe.executors.world_shard import encode_arg
from tinytroupe.fanout import split
from tinytroupe.llm import budget as budget_module
from tinytroupe.llm.setup import usage_stats
from tinytroupe.memory.background import current_background
from tinytroupe.runtime import current_runtime

__all__ = ["WorldShards", "LOGGED", "MAX_RESTARTS"]

LOGGED = frozenset({"deliver", "turns", "end_step", "finish", "cancel"})  # what changes a shard's agents
MAX_RESTARTS = 3  # new actors per shard before its failure ends the run


class WorldShards:
    """A world's agents held by Ray actors for the length of a ``shard_world`` block."""

    def __init__(self, world: Any, executor: Any, shards: int | None = None):
        self.world, self.executor = world, executor
        self.count = int(shards or executor.workers)
        if self.count < 1:
            raise ValueError(f"shard_world: shards must be at least 1, got {shards}")
        self.shards: list[Shard] = []
        self.after_command: Callable[[int, str], None] | None = None  # called on each result (tests hook here)
        self._pending: list[tuple[int, list[Any], tuple[str | None, str | None]]] = []
        self._turns: dict[int, list[tuple[str, asyncio.Future]]] | None = None
        self._snapshot: dict[str, dict[str, Any]] | None = None
        self._flushing = False
        self._shared: tuple[Any, Any] | None = None  # the last stimulus encoded, and its encoding
        self._tasks: set[asyncio.Future] = set()

    # -- starting and closing ------------------------------------------------------------
    def start(self) -> WorldShards:
        """Load the world's agents into shard actors and put proxies in their place."""
        self.executor.connect()
        self.runtime = current_runtime()
        self.services, self.plan = self.executor._run_services(self.runtime), self.executor._plan(self.runtime)
        ray.get(self.services.budget_start.remote(self.plan["budget"]))
        self.description = self.runtime.describe()
        self.originals = list(self.world.agents)
        pieces = split(self.originals, self.count)
        self._cpus = min(1.0, max(1, int(ray.cluster_resources().get("CPU", 1))) / len(pieces))
        for index, piece in enumerate(pieces):
            shard = Shard(index, [a.name for a in piece], [dict(a.encode_complete_state()) for a in piece])
            shard.actor = self._new_actor(shard)
            self.shards.append(shard)
        loaded = self._call_all({s.index: ("load", [s.initial]) for s in self.shards})
        proxies = {}
        for shard in self.shards:
            for info in loaded[shard.index]:
                proxies[info["name"]] = ShardedAgent(self, shard.index, info["name"], info["strict"])
        self.world.agents = [proxies[a.name] for a in self.originals]
        self.world.name_to_agent = {p.name: p for p in self.world.agents}
        for proxy in self.world.agents:
            proxy.environment = self.world
        self._unsubscribe = events.subscribe(self._on_event, ("agent.", "world."))
        return self

    def _new_actor(self, shard: Shard) -> Any:
        return WorldShard.options(num_cpus=self._cpus, scheduling_strategy="SPREAD").remote(
            self.description, self.services, self.plan, self.world.name, self.world.id, shard.holder)

    def close(self) -> None:
        """Put the real agents back in the world, in their final states; stop the actors."""
        try:
            self.flush()
            states = self._all_states()
        finally:
            self._unsubscribe()
            for shard in self.shards:
                ray.kill(shard.actor)
        self._settle_budget()
        real = {a.name: a for a in self.originals}
        agents = [real.get(a.name, a) if isinstance(a, ShardedAgent) else a for a in self.world.agents]
        for agent in agents:
            if agent.name in states:
                agent.decode_complete_state(states[agent.name])
            agent.environment = self.world
        self.world.agents = agents
        self.world.name_to_agent = {a.name: a for a in agents}

    # -- commands ------------------------------------------------------------------------
    def _settle(self, shard: Shard, command: str, args: list[Any], out: dict[str, Any]) -> Any:
        if command in LOGGED:
            shard.log.append((command, args))
        add_usage(usage_stats(self.runtime), out.get("usage") or {})
        self._file(out.get("events") or [], events.current_owner())
        if self.after_command is not None:
            self.after_command(shard.index, command)
        if "error" in out:
            raise error_from_data(out["error"], f"world shard {shard.index + 1} of {len(self.shards)}")
        return out["ok"]

    def _recover(self, shard: Shard, exc: BaseException) -> None:
        """A new actor for ``shard``: its starting states loaded and its log replayed."""
        if shard.restarts >= MAX_RESTARTS:
            raise SimulationError(f"world shard {shard.index + 1}: its actor died {shard.restarts + 1} times "
                                  f"({exc}); the run stops") from exc
        ray.kill(shard.actor)
        ray.get(self.services.reclaim.remote(shard.holder))  # the window slots it held
        shard.restarts += 1
        shard.actor = self._new_actor(shard)
        ray.get(shard.actor.run.remote("load", [shard.initial]))
        for command, args in shard.log:  # events and usage of these were filed when they first ran
            ray.get(shard.actor.run.remote(command, args))

    def _call_all(self, commands: dict[int, tuple[str, list[Any]]]) -> dict[int, Any]:
        """Run one command on each of several shards at once (blocking); their results by shard."""
        refs = {i: self.shards[i].actor.run.remote(c, a) for i, (c, a) in commands.items()}
        results = {}
        for index, ref in refs.items():
            shard, (command, args) = self.shards[index], commands[index]
            while True:
                try:
                    out = ray.get(ref)
                    break
                except RayActorError as exc:
                    self._recover(shard, exc)
                    ref = shard.actor.run.remote(command, args)
            results[index] = self._settle(shard, command, args, out)
        return results

    async def _acall(self, shard: Shard, command: str, args: list[Any]) -> Any:
        while True:
            try:
                out = await shard.actor.run.remote(command, args)
                break
            except RayActorError as exc:
                self._recover(shard, exc)
        return self._settle(shard, command, args, out)

    # -- deliveries ----------------------------------------------------------------------
    def deliver(self, proxy: ShardedAgent, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Queue one call on a proxied agent; sent at once outside a world's operation."""
        op = [method, proxy.name, [self._encode(a) for a in args], {k: self._encode(v) for k, v in kwargs.items()},
              self.world.current_datetime]
        world_id, simulation_id = events.current_owner()
        if simulation_id is None:  # a real agent's call is an operation of the running simulation
            simulation = control.current_simulation()
            simulation_id = simulation.id if simulation is not None else None
        self._pending.append((proxy._shard, op, (world_id, simulation_id)))
        self._snapshot = None
        if current_background() is None and transactions.depth() == 0:
            self.flush()

    def _encode(self, value: Any) -> Any:
        """``encode_arg(value)``, made once for a stimulus shared by a broadcast's listeners (so it is
        sent once per shard: pickling keeps one copy of an object used many times)."""
        if type(value) is not Stimulus:
            return encode_arg(value)
        if self._shared is None or self._shared[0] is not value:
            self._shared = (value, encode_arg(value))
        return self._shared[1]

    def flush(self) -> None:
        """Send the queued deliveries (one call per shard) and file their events in call order."""
        if not self._pending or self._flushing:
            return
        pending, self._pending = self._pending, []
        places: dict[int, list[int]] = {}
        for position, (index, _, _) in enumerate(pending):
            places.setdefault(index, []).append(position)
        results = self._call_all({i: ("deliver", [[pending[p][1] for p in ps]]) for i, ps in places.items()})
        filed: list[list[dict[str, Any]]] = [[] for _ in pending]
        for index, positions in places.items():
            for position, got in zip(positions, results[index], strict=True):
                filed[position] = got
        self._flushing = True
        try:
            for (_, _, owner), got in zip(pending, filed, strict=True):
                self._file(got, owner)
        finally:
            self._flushing = False

    def _file(self, recorded: list[dict[str, Any]], owner: tuple[str | None, str | None]) -> None:
        for event in recorded:
            with events.owner(owner[0] or event.get("world_id"), owner[1]):
                events.emit(payload_for(event["kind"], event.get("data") or {}), event.get("source"),
                            event.get("sim_time"))

    def _on_event(self, event: events.Event) -> None:
        """An event of the world on the driver: queued deliveries come first in the transcript."""
        if self._pending and not self._flushing and event.world_id == self.world.id:
            self.flush()

    # -- turns ---------------------------------------------------------------------------
    async def aturn(self, proxy: ShardedAgent, display: bool | None) -> list[Acted]:
        """One agent's turn; the turns asked for in the same moment go to each shard in one call."""
        self.flush()
        background = current_background()
        if background is not None:
            background.join(self)  # the world's step end and run end reach the shards
        loop = asyncio.get_running_loop()
        if self._turns is None:
            self._turns = {}
            loop.call_soon(self._start_turns, display)
        future = loop.create_future()
        self._turns.setdefault(proxy._shard, []).append((proxy.name, future))
        self._snapshot = None
        got = await future
        self._file(got["events"], events.current_owner())
        if "error" in got:
            raise error_from_data(got["error"], f"{proxy.name} on world shard {proxy._shard + 1}")
        return [Acted(Action.from_dict(a["action"]), a.get("cognitive_state") or {}) for a in got["acted"]]

    def _start_turns(self, display: bool | None) -> None:
        batch, self._turns = self._turns or {}, None
        task = asyncio.ensure_future(self._send_turns(batch, display))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_turns(self, batch: dict[int, list[tuple[str, asyncio.Future]]], display: bool | None) -> None:
        clock = self.world.current_datetime

        async def one(index: int, waiting: list[tuple[str, asyncio.Future]]) -> None:
            try:
                got = await self._acall(self.shards[index], "turns", [[n for n, _ in waiting], display, clock])
            except BaseException as exc:  # every agent of the shard sees the shard's failure
                for _, future in waiting:
                    if not future.done():
                        future.set_exception(exc)
                return
            for name, future in waiting:
                if not future.done():
                    future.set_result(got[name])

        await asyncio.gather(*(one(i, w) for i, w in batch.items()))

    # -- the world's steps and runs (the background-memory keeper protocol) ----------------
    async def aprepared(self) -> None:
        """The world's step ends: deliveries sent, the shards' memory work of the step awaited."""
        self.flush()
        self._call_all({s.index: ("end_step", []) for s in self.shards})
        self._snapshot = None
        self._settle_budget()

    async def asettle(self) -> None:
        """The world's run ends: the shards finish their memory work."""
        self.flush()
        self._call_all({s.index: ("finish", []) for s in self.shards})
        self._snapshot = None
        self._settle_budget()

    def cancel_background(self) -> None:
        """The world's run failed: the shards stop their memory work."""
        self._pending.clear()
        self._call_all({s.index: ("cancel", []) for s in self.shards})
        self._snapshot = None

    def _settle_budget(self) -> None:
        driver_budget = budget_module.active(self.runtime)
        if self.plan["budget"] is not None and driver_budget is not None:
            spent = ray.get(self.services.budget_spent.remote())
            if spent is not None:
                apply_spent(driver_budget, spent)

    # -- states --------------------------------------------------------------------------
    def _all_states(self) -> dict[str, dict[str, Any]]:
        got = self._call_all({s.index: ("states", [s.names]) for s in self.shards})
        for shard in self.shards:  # between runs, the states are where a new actor starts: the log can go
            if not shard.log or shard.log[-1][0] in ("finish", "cancel"):
                shard.initial, shard.log = got[shard.index], []
        return {n: state for s in self.shards for n, state in zip(s.names, got[s.index], strict=True)}

    def state_of(self, proxy: ShardedAgent) -> dict[str, Any]:
        """``proxy``'s agent's complete state (every shard's states fetched at once, until something changes)."""
        if self._snapshot is None:
            self.flush()
            self._snapshot = self._all_states()
        return self._snapshot[proxy.name]
