"""Simulation: the scope that records top-level operations and replays them from their state.

Each top-level operation (see :mod:`tinytroupe.transactions`) is keyed by a hash of the
state of every object the simulation owns just before it, the receiver, the operation's
name and its canonical arguments. A known key restores the recorded state after the
operation and returns the recorded result without running it (no LLM call); an unknown one
runs for real and is recorded. Because keys depend on state and not on positions, a
changed or inserted step re-runs only from where the state first differs, and concurrent
agents inside a world step replay alike whatever their timing.

Top-level operations of one simulation are serialized: their recorded "after" states must
not mix with another operation's half-done work.

A checkpoint found damaged while replaying (a state that does not match its hash, a patch
that does not apply, a result that does not decode) is never written again: the simulation
remembers it in :attr:`Simulation.damaged`, and checkpoints are skipped from then on, so the
damaged file stays exactly as it was found for the user to inspect or delete.

A record also keeps the transcript events the operation produced in each world it owns (in
the order the world filed them, read from ``world.transcript_since`` where the world offers
it, so concurrent agents' events are kept in the step's order, not in the order they
happened to arrive), and the usage of its model calls: a replayed operation files those events into the worlds'
transcripts again (a resumed run's transcript equals the uninterrupted run's) and reports
the usage it saved in its ``control.hit`` event. This module sees agents and worlds only
through :mod:`tinytroupe.contracts`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinytroupe import contracts, events, transactions
from tinytroupe.contracts import Stateful, World, kind_class, kind_of
from tinytroupe.control.codec import (
    NotRecordable,
    canonical_args,
    canonical_text,
    decode_result,
    digest,
    encode_result,
    state_text,
)
from tinytroupe.control.scope_methods import ScopeMethods
from tinytroupe.control.store import Record, ReplayStore
from tinytroupe.errors import SimulationError, StateError
from tinytroupe.events import Event
from tinytroupe.state.files import read_document, write_document

__all__ = ["Simulation", "CHECKPOINT_FORMAT", "CHECKPOINT_VERSION"]

logger = logging.getLogger(__name__)

CHECKPOINT_FORMAT = "tinytroupe.checkpoint"
CHECKPOINT_VERSION = 1


@dataclass(frozen=True)
class _Entry:
    """One owned object's encoded state in a snapshot."""

    obj: Any
    text: str
    hash: str


@dataclass
class _Plan:
    """What a top-level operation will do: its key, and the record to replay if there is one."""

    key: str | None
    receiver_key: str
    snapshot: dict[str, _Entry]
    record: Record | None
    positions: dict[str, int] | None = None  # world key -> transcript position before the operation


_TRANSCRIPT_KINDS = ("agent.", "world.", "llm.call")


class _OpEvents:
    """The events one running operation produces in this simulation (transcript events and model usage)."""

    def __init__(self, simulation_id: str):
        self.simulation_id = simulation_id
        self.events: list[Event] = []
        self.usage: dict[str, Any] = {"calls": 0, "input_tokens": 0, "output_tokens": 0, "cost": 0.0}
        self._lock = threading.Lock()
        self._stop = events.subscribe(self, _TRANSCRIPT_KINDS)

    def __call__(self, event: Event) -> None:
        if event.simulation_id != self.simulation_id:
            return
        with self._lock:
            if event.kind == "llm.call":
                data = event.data
                agent = (data.get("tags") or {}).get("agent")
                targets = [self.usage]
                if isinstance(agent, str) and agent:  # per agent too: per-agent budgets carry over on resume
                    targets.append(self.usage.setdefault("by_agent", {}).setdefault(
                        agent, {"calls": 0, "input_tokens": 0, "output_tokens": 0, "cost": 0.0}))
                for usage in targets:
                    usage["calls"] += 1
                    usage["input_tokens"] += int(data.get("input_tokens") or 0)
                    usage["output_tokens"] += int(data.get("output_tokens") or 0)
                    usage["cost"] += float(data.get("cost") or 0.0)
            elif event.world_id is not None:
                self.events.append(event)

    def close(self) -> None:
        self._stop()


def _loop_running_here() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class Simulation(ScopeMethods):
    """A recording scope: owned objects, replay records, hit and miss counters, checkpoints
    (and the original's ``begin``, ``add_*`` and transaction methods: see :mod:`.scope_methods`)."""

    def __init__(self, cache_path: str | Path | None = None, auto_checkpoint: bool = False,
                 id: str = "default"):
        if auto_checkpoint and cache_path is None:
            raise SimulationError("control.begin(auto_checkpoint=True) needs a file: pass cache_path='...'")
        self.id = id
        self.cache_path = Path(cache_path) if cache_path is not None else None
        self.auto_checkpoint = auto_checkpoint
        self.cache_hits = 0
        self.cache_misses = 0
        self.status = self.STATUS_STOPPED  # begin() starts it
        self._executed: list[dict[str, Any]] = []  # what this run did, for execution_trace
        self.damaged: str | None = None  # why the checkpoint file was found damaged; then it is never written
        self._reload()
        self._marked = self._parallel = 0  # transactions marked by hand (begin_transaction...)
        self._objects: list[Any] = []
        self._owned: set[int] = set()
        self._objects_lock = threading.RLock()
        self._op_lock = threading.Lock()
        self._pending_checkpoint = False

    def __repr__(self) -> str:
        return (f"Simulation(cache_path={str(self.cache_path) if self.cache_path else None!r}, "
                f"status={self.status!r}, hits={self.cache_hits}, misses={self.cache_misses})")

    def _reload(self) -> None:
        """Read the records of ``cache_path`` (none when there is no file yet)."""
        store = ReplayStore()
        if self.cache_path is not None and self.cache_path.exists():
            store = self._load(self.cache_path)
        self._store, self.damaged = store, None
        self._cached_keys = list(store.records)  # what the file held, for cached_trace

    @staticmethod
    def _load(path: Path) -> ReplayStore:
        doc = read_document(path, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, "checkpoint")
        return ReplayStore.from_document(doc, path)

    # -- owned objects ---------------------------------------------------------------------
    def register(self, obj: Any) -> None:
        """Own ``obj`` (an agent, world or factory); forked agents are owned through their world."""
        if not isinstance(obj, Stateful):
            return
        if getattr(obj, "detached", False):  # a forked world's copy: owned through its world
            return
        with self._objects_lock:
            if id(obj) not in self._owned:
                self._owned.add(id(obj))
                self._objects.append(obj)

    def _adopt(self, obj: Any) -> None:
        """Own the receiver of an operation and what its outcome depends on (its world, its agents)."""
        kind = kind_of(obj)
        if kind == "agent":
            environment = getattr(obj, "environment", None)
            if environment is not None and kind_of(environment) == "world":
                self._adopt(environment)
            self.register(obj)
        elif kind == "world":
            self.register(obj)
            for agent in obj.agents:
                self.register(agent)
        else:
            self.register(obj)

    @property
    def objects(self) -> list[Any]:
        """The agents, worlds and factories this simulation owns, in the order they joined it."""
        with self._objects_lock:
            return list(self._objects)

    def worlds(self) -> list[World]:
        """The worlds this simulation owns."""
        return [o for o in self.objects if kind_of(o) == "world"]

    def _keys(self) -> dict[str, Any]:
        keys: dict[str, Any] = {}
        counts: dict[str, int] = {}
        for obj in self.objects:
            kind = kind_of(obj)
            name = getattr(obj, "name", None)
            if not isinstance(name, str):
                counts[kind] = counts.get(kind, 0) + 1
                name = str(counts[kind])
            key, n = f"{kind}:{name}", 2
            while key in keys:
                key, n = f"{kind}:{name}#{n}", n + 1
            keys[key] = obj
        return keys

    # -- states ----------------------------------------------------------------------------
    def _snapshot(self) -> dict[str, _Entry]:
        keys = self._keys()
        agent_keys = {id(obj): key for key, obj in keys.items() if kind_of(obj) == "agent"}
        snapshot = {}
        for key, obj in keys.items():
            state = obj.encode_complete_state()
            if kind_of(obj) == "world":
                state = dict(state)
                state["agents"] = [{"$ref": agent_keys[id(a)]} if id(a) in agent_keys else s
                                   for a, s in zip(obj.agents, state["agents"], strict=True)]
            text = state_text(state)
            snapshot[key] = _Entry(obj, text, digest(text))
        return snapshot

    def _keep(self, snapshot: dict[str, _Entry]) -> dict[str, str]:
        """Store every state of ``snapshot`` not stored yet; returns key -> hash."""
        for key, entry in snapshot.items():
            if not self._store.is_current(key, entry.hash):
                self._store.put_state(key, entry.hash, json.loads(entry.text))
        return {key: entry.hash for key, entry in snapshot.items()}

    def _restore(self, after: dict[str, str], live: dict[str, _Entry]) -> None:
        """Bring every object to the recorded ``after`` states (all read and checked before any change).

        A changed world is decoded with its agents' states, which restores those agents too;
        other changed agents are decoded on their own. Decoders get private copies.
        """
        changed = {k: self._store.materialize(k, h, self.cache_path)[1]
                   for k, h in after.items() if k not in live or live[k].hash != h}

        def text_of(key: str) -> str:
            if key in changed:
                return changed[key]
            if key in live and live[key].hash == after.get(key):
                return live[key].text
            return self._store.materialize(key, after[key], self.cache_path)[1]

        objects = {k: e.obj for k, e in live.items()}
        done: set[str] = set()
        with transactions.untracked():
            for key in changed.keys() - objects.keys():
                if key.startswith("agent:"):
                    objects[key] = self._new_agent(json.loads(changed[key]))
            for key in sorted(changed, key=lambda k: kind_of(objects.get(k)) != "world"):
                obj = objects.get(key)
                if obj is None:
                    logger.warning("control: the recorded %s no longer exists; its state was not restored", key)
                    continue
                if key in done:
                    continue
                state = json.loads(changed[key])
                if kind_of(obj) == "world":
                    refs = [a["$ref"] for a in state["agents"] if isinstance(a, dict) and "$ref" in a]
                    state["agents"] = [json.loads(text_of(a["$ref"])) if isinstance(a, dict) and "$ref" in a
                                       else a for a in state["agents"]]
                    done.update(refs)
                obj.decode_complete_state(state)

    def _new_agent(self, state: dict[str, Any]) -> Any:
        name = (state.get("persona") or {}).get("name") or ""
        agents: Any = kind_class("agent")
        if agents is None:
            raise SimulationError("control: no agent class is registered to restore a recorded agent")
        agent = agents.get_agent_by_name(name) or agents(name)
        self.register(agent)
        return agent

    # -- operations ------------------------------------------------------------------------
    def _plan(self, op: transactions.Operation) -> _Plan:
        self._adopt(op.receiver)
        snapshot = self._snapshot()
        reverse = {id(e.obj): k for k, e in snapshot.items()}
        receiver_key = reverse.get(id(op.receiver))
        if receiver_key is None:  # a forked agent: it lives inside its world's state
            world_key = reverse.get(id(getattr(op.receiver, "environment", None)), "?")
            receiver_key = f"{world_key}/{getattr(op.receiver, 'name', type(op.receiver).__name__)}"
        try:
            args = canonical_args(op.arguments())
        except NotRecordable as exc:
            logger.debug("control: %s runs unrecorded: %s", op.name, exc)
            self._executed.append({"key": None, "op": op.name, "receiver": receiver_key, "replayed": False})
            return _Plan(None, receiver_key, snapshot, None)
        before = digest(canonical_text(sorted((k, e.hash) for k, e in snapshot.items())))
        key = digest(canonical_text([before, receiver_key, op.name, args]))
        record = self._store.get(key)
        self._executed.append({"key": key, "op": op.name, "receiver": receiver_key, "replayed": record is not None})
        positions = {k: w.transcript_position for k, w in self._keys().items()
                     if kind_of(w) == "world" and hasattr(w, "transcript_since")}
        if record is None:
            self.cache_misses += 1
            events.emit(contracts.ControlMiss(self.id, op.name, receiver_key, key), source="control")
        else:
            events.emit(contracts.ControlHit(self.id, op.name, receiver_key, key, dict(record.usage)), source="control")
        return _Plan(key, receiver_key, snapshot, record, positions)

    def _replay(self, op: transactions.Operation, plan: _Plan) -> Any:
        try:
            return self._replay_record(op, plan)
        except StateError as exc:
            self.damaged = str(exc)
            raise

    def _replay_record(self, op: transactions.Operation, plan: _Plan) -> Any:
        assert plan.record is not None
        self._restore(plan.record.after, plan.snapshot)
        self.cache_hits += 1
        self._restore_transcripts(plan.record)
        worlds = {w.name: w for w in self.worlds()}
        where = f"{self.cache_path or 'simulation'}, record {plan.key}"
        return decode_result(plan.record.result, op.receiver, worlds, where)

    def _restore_transcripts(self, record: Record) -> None:
        keys = self._keys()
        for world_key, recorded in record.transcripts.items():
            world = keys.get(world_key)
            if world is not None and kind_of(world) == "world":
                world.restore_transcript(Event.from_dict(e) for e in recorded)

    def _transcripts(self, collected: _OpEvents, positions: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
        """Per world key, the events the operation filed: as the world filed them where it says
        (``transcript_since``), else as they were emitted."""
        worlds = {key: obj for key, obj in self._keys().items() if kind_of(obj) == "world"}
        by_id = {getattr(obj, "id", None): key for key, obj in worlds.items()}
        transcripts: dict[str, list[dict[str, Any]]] = {}
        for event in collected.events:
            key = by_id.get(event.world_id)
            if key is not None and key not in positions:
                transcripts.setdefault(key, []).append(event.to_dict())
        for key, position in positions.items():
            world = worlds.get(key)
            filed = world.transcript_since(position) if world is not None else []
            if filed:
                transcripts[key] = [event.to_dict() for event in filed]
        return transcripts

    def _record(self, op: transactions.Operation, plan: _Plan, result: Any, collected: _OpEvents) -> None:
        if plan.key is None:
            return
        try:
            encoded = encode_result(result, op.receiver)
        except NotRecordable as exc:
            logger.debug("control: %s is not recorded: %s", op.name, exc)
            return
        after = self._snapshot()
        hashes = self._keep(after)
        self._store.add(plan.key, Record(op.name, plan.receiver_key, encoded, hashes,
                                         self._transcripts(collected, plan.positions or {}),
                                         dict(collected.usage)))
        if self.auto_checkpoint:
            self._write(after)

    def run_sync(self, op: transactions.Operation) -> Any:
        """Replay or run a top-level sync operation (the handler side of :mod:`tinytroupe.transactions`)."""
        with self._serialized(), events.owner(simulation_id=self.id):
            plan = self._plan(op)
            if plan.record is not None:
                return self._replay(op, plan)
            collected = _OpEvents(self.id)
            try:
                result = op.execute()
            finally:
                collected.close()
            self._record(op, plan, result, collected)
            return result

    async def run_async(self, op: transactions.Operation) -> Any:
        """Replay or run a top-level async operation."""
        while not self._op_lock.acquire(blocking=False):
            await asyncio.sleep(0.002)
        try:
            with events.owner(simulation_id=self.id):
                plan = self._plan(op)
                if plan.record is not None:
                    return self._replay(op, plan)
                collected = _OpEvents(self.id)
                try:
                    result = await op.aexecute()
                finally:
                    collected.close()
                self._record(op, plan, result, collected)
                return result
        finally:
            self._release()

    @contextmanager
    def _serialized(self) -> Iterator[None]:
        if not self._op_lock.acquire(blocking=False):
            if _loop_running_here():
                raise SimulationError(
                    "a state-changing call was made while another one of the same simulation was still "
                    "running in this event loop; await the first (inside control.begin() operations "
                    "must not overlap)"
                )
            self._op_lock.acquire()
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        try:
            if self._pending_checkpoint:
                self._write()
        finally:
            self._op_lock.release()

    # -- checkpoints -----------------------------------------------------------------------
    def _write(self, snapshot: dict[str, _Entry] | None = None) -> Path:
        assert self.cache_path is not None
        self._pending_checkpoint = False
        if self.damaged is not None:
            logger.warning("control: %s was found damaged; it is left as it is, not written", self.cache_path)
            return self.cache_path
        hashes = self._keep(snapshot if snapshot is not None else self._snapshot())
        body = {"simulation_id": self.id, "state": hashes,
                "stats": {"cache_hits": self.cache_hits, "cache_misses": self.cache_misses},
                **self._store.to_document()}
        return write_document(self.cache_path, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, body)

    def checkpoint(self) -> Path:
        """Write the complete state and the replay records to ``cache_path`` atomically.

        Called from inside an operation (an intervention, say), it is written as soon as the
        running top-level operation ends.
        """
        if self.cache_path is None:
            raise SimulationError("control.checkpoint(): this simulation has no file; "
                                  "start it with control.begin(cache_path='simulation.cache.json')")
        if self.damaged is not None:
            raise StateError(f"{self.cache_path}: the checkpoint was found damaged and is not written over "
                             f"({self.damaged})")
        if transactions.depth() > 0:
            self._pending_checkpoint = True
            return self.cache_path
        with self._serialized():
            return self._write()

    def state(self) -> dict[str, Any]:
        """The complete state now: object key -> plain JSON state (worlds refer to agents by key)."""
        return {key: json.loads(entry.text) for key, entry in self._snapshot().items()}

    def fork(self, suffix: str) -> dict[str, World]:
        """Fork every world this simulation owns into ``"<name> <suffix>"``; returns old name -> fork."""
        if not isinstance(suffix, str) or not suffix.strip():
            raise SimulationError("Simulation.fork(suffix): give a non-empty suffix for the forked worlds' names")
        return {w.name: w.fork(f"{w.name} {suffix.strip()}") for w in self.worlds()}

    def end(self) -> None:
        """Write a last checkpoint (when there is a file) and stop."""
        from tinytroupe import control  # the package's running-scope slot (same layer)

        try:
            if self.status == self.STATUS_STARTED and self.cache_path is not None and self.damaged is None:
                self.checkpoint()
        finally:
            self.status = self.STATUS_STOPPED
            control._deactivate(self)


def read_checkpoint_state(path: str | Path) -> dict[str, Any]:
    """The complete state saved in a checkpoint file: object key -> plain JSON state."""
    source = Path(path)
    doc = read_document(source, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, "checkpoint")
    store = ReplayStore.from_document(doc, source)
    hashes = doc.get("state")
    if not isinstance(hashes, dict) or any(h not in store.blobs for h in hashes.values()):
        raise StateError(f"{source}: the checkpoint's 'state' is damaged; delete it or choose another path")
    return {key: store.state(key, h, source) for key, h in hashes.items()}
