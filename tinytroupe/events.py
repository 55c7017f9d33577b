"""Structured events: what domain objects emit instead of printing.

Agents, worlds, factories and the LLM layer call :func:`emit` with a typed payload; renderers, transcript
recorders and tests subscribe. Subscribers are called synchronously in the emitting thread;
a subscriber that raises is logged and dropped from that delivery, never breaking the
simulation. Each :class:`~tinytroupe.runtime.Runtime` has its own bus: a subscriber gets
the events emitted while the runtime it subscribed in is current (a derived runtime shares
its parent's).

Every event has an owner: ``world_id`` and ``simulation_id``, taken from :func:`owner`
blocks (a world wraps everything it drives in one; so does a simulation), which asyncio
tasks and threads started inside inherit. ``subscribe(..., world_id=...)`` delivers only
the events of that world, at a cost that does not grow with the number of worlds. Kinds and
their typed payloads are catalogued in :mod:`tinytroupe.contracts`; ``event.payload`` is the
typed view of ``event.data``.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tinytroupe.contracts import event_kind, payload_for
from tinytroupe.runtime import current_runtime

__all__ = ["Event", "subscribe", "unsubscribe", "emit", "publish", "collect", "EventCollector", "owner",
           "current_owner"]

logger = logging.getLogger(__name__)

_seq = itertools.count(1)


@dataclass(frozen=True)
class Event:
    """One thing that happened.

    ``kind`` is a dotted name such as ``"agent.stimulus"``, ``"agent.action"``,
    ``"world.step"``, ``"llm.fallback"``. ``source`` names the emitter (an agent's or a
    world's name). ``data`` is plain JSON-able data. ``sim_time`` is the simulated time as
    an ISO string when the emitter has a clock.
    """

    kind: str
    source: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    sim_time: str | None = None
    seq: int = field(default_factory=lambda: next(_seq))
    wall_time: float = field(default_factory=time.time)
    world_id: str | None = None
    simulation_id: str | None = None

    @property
    def payload(self) -> Any:
        """The typed payload (a dataclass of :mod:`tinytroupe.contracts`) of this event."""
        return payload_for(self.kind, self.data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "data": self.data,
            "sim_time": self.sim_time,
            "seq": self.seq,
            "wall_time": self.wall_time,
            "world_id": self.world_id,
            "simulation_id": self.simulation_id,
        }

    def content(self) -> dict[str, Any]:
        """What happened, without when it was emitted (``seq``, ``wall_time``): equal in reruns."""
        return {k: v for k, v in self.to_dict().items() if k not in ("seq", "wall_time")}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        return cls(
            kind=d["kind"],
            source=d.get("source"),
            data=dict(d.get("data") or {}),
            sim_time=d.get("sim_time"),
            seq=int(d.get("seq", 0)),
            wall_time=float(d.get("wall_time", 0.0)),
            world_id=d.get("world_id"),
            simulation_id=d.get("simulation_id"),
        )


_owner: contextvars.ContextVar[tuple[str | None, str | None]] = contextvars.ContextVar(
    "tinytroupe_event_owner", default=(None, None))


def current_owner() -> tuple[str | None, str | None]:
    """``(world_id, simulation_id)`` that events emitted here will carry."""
    return _owner.get()


@contextmanager
def owner(world_id: str | None = None, simulation_id: str | None = None, *,
          keep_world: bool = False) -> Iterator[None]:
    """Events emitted inside this block belong to ``world_id`` / ``simulation_id``.

    A None argument keeps the enclosing owner's value; ``keep_world`` keeps an enclosing
    world id when there is one (an agent's own world does not override the world driving it).
    """
    world, simulation = _owner.get()
    if world_id is not None and not (keep_world and world is not None):
        world = world_id
    if simulation_id is not None:
        simulation = simulation_id
    token = _owner.set((world, simulation))
    try:
        yield
    finally:
        _owner.reset(token)


Subscriber = Callable[[Event], None]
_Entry = tuple[Subscriber, "tuple[str, ...] | None"]


class _Bus:
    """The subscriptions of one runtime (:func:`tinytroupe.runtime.current_runtime`)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.everything: list[_Entry] = []  # subscribers of every event
        self.by_world: dict[str, list[_Entry]] = {}  # world id -> subscribers of that world's events


def _bus() -> _Bus:
    """The event bus of the current runtime: subscribers see the events of their own runtime only."""
    return current_runtime().part("events.bus", _Bus)


def subscribe(callback: Subscriber, kinds: Iterable[str] | None = None, *,
              world_id: str | None = None) -> Callable[[], None]:
    """Call ``callback`` for each event of the current runtime (or each event whose kind starts
    with one of ``kinds``; with ``world_id``, only the events owned by that world).

    Returns a function that unsubscribes.
    """
    entry = (callback, tuple(kinds) if kinds is not None else None)
    bus = _bus()
    with bus.lock:
        holder = bus.everything if world_id is None else bus.by_world.setdefault(world_id, [])
        holder.append(entry)

    def _unsubscribe() -> None:
        with bus.lock:
            if entry in holder:
                holder.remove(entry)
            if world_id is not None and not holder and bus.by_world.get(world_id) is holder:
                del bus.by_world[world_id]

    return _unsubscribe


def unsubscribe(callback: Subscriber) -> None:
    """Remove every subscription of ``callback`` (in the current runtime)."""
    bus = _bus()
    with bus.lock:
        bus.everything[:] = [e for e in bus.everything if e[0] is not callback]
        for holder in bus.by_world.values():
            holder[:] = [e for e in holder if e[0] is not callback]


def emit(payload: Any, source: str | None = None, sim_time: str | None = None, **untyped: Any) -> Event:
    """Emit a typed payload (a dataclass of :data:`tinytroupe.contracts.EVENT_PAYLOADS`) as an event
    of its kind, owned by the current :func:`owner`, to every matching subscriber."""
    if isinstance(payload, str) or untyped:
        raise TypeError(f"events.emit({payload!r}, ...): emit a typed payload instead, e.g. "
                        "events.emit(contracts.AgentAction(...)); the kinds and their payload classes are "
                        "listed in tinytroupe.contracts.EVENT_PAYLOADS")
    kind = event_kind(payload)
    world_id, simulation_id = _owner.get()
    event = Event(kind=kind, source=source, data=dict(vars(payload)), sim_time=sim_time, world_id=world_id,
                  simulation_id=simulation_id)
    bus = _bus()
    with bus.lock:
        targets = list(bus.everything)
        if world_id is not None and world_id in bus.by_world:
            targets.extend(bus.by_world[world_id])
    for callback, kinds in targets:
        if kinds is not None and not kind.startswith(kinds):  # kinds: a tuple of prefixes
            continue
        try:
            callback(event)
        except Exception:  # a broken subscriber must not break the simulation
            logger.exception("event subscriber %r failed on %s", callback, kind)
    return event


publish = emit  # the earlier name of emit(payload)


class EventCollector:
    """A context manager that records events, for tests and transcripts."""

    def __init__(self, kinds: Iterable[str] | None = None):
        self.kinds = tuple(kinds) if kinds is not None else None
        self.events: list[Event] = []
        self._unsub: Callable[[], None] | None = None
        self._lock = threading.Lock()

    def _record(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    def __enter__(self) -> EventCollector:
        self._unsub = subscribe(self._record, self.kinds)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._unsub:
            self._unsub()
            self._unsub = None

    def of_kind(self, prefix: str) -> list[Event]:
        return [e for e in self.events if e.kind.startswith(prefix)]


def collect(kinds: Iterable[str] | None = None) -> EventCollector:
    """``with events.collect() as c: ...`` then read ``c.events``."""
    return EventCollector(kinds)
