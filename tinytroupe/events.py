"""Structured events: what domain objects emit instead of printing.

Agents, worlds, factories and the LLM layer call :func:`emit`; renderers, transcript
recorders and tests subscribe. Subscribers are called synchronously in the emitting thread;
a subscriber that raises is logged and dropped from that delivery, never breaking the
simulation.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Event", "subscribe", "unsubscribe", "emit", "collect", "EventCollector"]

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "data": self.data,
            "sim_time": self.sim_time,
            "seq": self.seq,
            "wall_time": self.wall_time,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        return cls(
            kind=d["kind"],
            source=d.get("source"),
            data=dict(d.get("data") or {}),
            sim_time=d.get("sim_time"),
            seq=int(d.get("seq", 0)),
            wall_time=float(d.get("wall_time", 0.0)),
        )


Subscriber = Callable[[Event], None]

_lock = threading.Lock()
_subscribers: list[tuple[Subscriber, tuple[str, ...] | None]] = []


def subscribe(callback: Subscriber, kinds: Iterable[str] | None = None) -> Callable[[], None]:
    """Call ``callback`` for each event (or each event whose kind starts with one of ``kinds``).

    Returns a function that unsubscribes.
    """
    entry = (callback, tuple(kinds) if kinds is not None else None)
    with _lock:
        _subscribers.append(entry)

    def _unsubscribe() -> None:
        with _lock:
            if entry in _subscribers:
                _subscribers.remove(entry)

    return _unsubscribe


def unsubscribe(callback: Subscriber) -> None:
    """Remove every subscription of ``callback``."""
    with _lock:
        _subscribers[:] = [e for e in _subscribers if e[0] is not callback]


def emit(kind: str, source: str | None = None, sim_time: str | None = None, **data: Any) -> Event:
    """Build an event and deliver it to every matching subscriber."""
    event = Event(kind=kind, source=source, data=data, sim_time=sim_time)
    with _lock:
        targets = list(_subscribers)
    for callback, kinds in targets:
        if kinds is not None and not any(kind.startswith(k) for k in kinds):
            continue
        try:
            callback(event)
        except Exception:  # a broken subscriber must not break the simulation
            logger.exception("event subscriber %r failed on %s", callback, kind)
    return event


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
