"""A world's transcript: the events it owns, kept as it runs, saved as JSONL.

A :class:`WorldRecorder` subscribes to :mod:`tinytroupe.events` for one world id (events are
owned by the world that drove them, never matched by name), keeps the world and agent
events in a list, and tallies the ``llm.call`` events in a private
:class:`~tinytroupe.llm.wrappers.usage.UsageStats` (per agent under the ``agent`` tag).

While agents act concurrently their events interleave by chance; :meth:`WorldRecorder.hold`
keeps them aside and files them afterwards in the step's agent order, so a transcript is the
same from one run to the next. Each event filed gets ``seq`` = its place among the events this
world filed (1, 2, ...; a left-out delivery takes a number too), so a resumed run, whose
replayed events are filed again in their recorded order, numbers them as the uninterrupted run
did. The transcript file is written from the events' typed payloads (:mod:`tinytroupe.contracts`),
one JSON object per line.

Nothing an agent did is ever left out: actions, fallbacks and world events are all kept. Only
deliveries (``agent.stimulus``: one event per listener, so a crowd's broadcast makes N x N of
them) are bounded, by ``max_events``; past it, deliveries are counted in :attr:`WorldRecorder.omitted`
instead of kept, a warning says so once, and the run summary says how many were left out.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinytroupe import events
from tinytroupe.contracts import LLMCall
from tinytroupe.errors import StateError
from tinytroupe.events import Event
from tinytroupe.llm.wrappers.usage import UsageStats

__all__ = ["WorldRecorder", "save_transcript", "load_transcript", "DEFAULT_MAX_EVENTS", "RECORDED_KINDS"]

DEFAULT_MAX_EVENTS = 100_000  # deliveries kept per world; actions and world events are always kept
RECORDED_KINDS = ("agent.", "world.", "llm.call")
BOUNDED_KINDS = ("agent.stimulus",)

logger = logging.getLogger(__name__)


class WorldRecorder:
    """Records one world's events and costs."""

    def __init__(self, world_id: str, max_events: int = DEFAULT_MAX_EVENTS):
        self.world_id = world_id
        self.events: list[Event] = []
        self.max_deliveries = max_events
        self.omitted: dict[str, int] = {}  # kind -> deliveries counted but not kept
        self._deliveries = 0
        self._filed = 0  # events filed (kept or left out): the last seq given
        self.stats = UsageStats()
        self._lock = threading.RLock()
        self._held: list[Event] | None = None
        self._unsubscribe = events.subscribe(self._on_event, RECORDED_KINDS, world_id=world_id)

    def close(self) -> None:
        """Stop recording (the world is gone)."""
        self._unsubscribe()

    @contextmanager
    def hold(self, order: Sequence[str]) -> Iterator[None]:
        """Keep events aside inside this block; then file them by source in ``order``, then by seq."""
        with self._lock:
            self._held = []
        try:
            yield
        finally:
            with self._lock:
                held, self._held = self._held or [], None
                rank = {name: i for i, name in enumerate(order)}
                held.sort(key=lambda e: (rank.get(e.source or "", len(rank)), e.seq))
                for event in held:
                    self._keep(event)

    def _keep(self, event: Event) -> None:
        """File one event, numbered, or count it when it is a delivery past the bound (lock held)."""
        self._filed += 1
        if event.kind in BOUNDED_KINDS:
            if self._deliveries >= self.max_deliveries:
                if not self.omitted:
                    logger.warning("world %s: more than %d deliveries; further deliveries are counted, not kept "
                                   "in the transcript (every action is kept)", self.world_id, self.max_deliveries)
                self.omitted[event.kind] = self.omitted.get(event.kind, 0) + 1
                return
            self._deliveries += 1
        self.events.append(event if event.seq == self._filed else _renumbered(event, self._filed))

    def mark(self) -> tuple[int, int, int, dict[str, int]]:
        """Where the transcript stands now, for :meth:`rewind`."""
        with self._lock:
            return len(self.events), self._deliveries, self._filed, dict(self.omitted)

    def rewind(self, mark: tuple[int, int, int, dict[str, int]]) -> None:
        """Forget what was filed since ``mark`` (a step put back whole)."""
        with self._lock:
            length, self._deliveries, self._filed, self.omitted = mark[0], mark[1], mark[2], dict(mark[3])
            del self.events[length:]

    @property
    def position(self) -> int:
        """How many events are kept now (for :meth:`since`)."""
        with self._lock:
            return len(self.events)

    def since(self, position: int) -> list[Event]:
        """The events kept after ``position``, in filing order."""
        with self._lock:
            return self.events[position:]

    def _tally(self, event: Event) -> None:
        call: LLMCall = event.payload
        self.stats.record_call(str(call.model), call.tags or {}, input_tokens=int(call.input_tokens or 0),
                               output_tokens=int(call.output_tokens or 0), cached=bool(call.cached), cost=call.cost)

    def _on_event(self, event: Event) -> None:
        if event.kind.startswith("llm.call"):
            self._tally(event)
            return
        with self._lock:
            if self._held is not None:
                self._held.append(event)
            else:
                self._keep(event)

    def restore(self, recorded: Iterable[Event]) -> None:
        """File earlier events (a replayed operation's) into the transcript, as this world's.

        Their model calls are not tallied: cost statistics count the calls made here.
        """
        with self._lock:
            for event in recorded:
                if event.kind.startswith(("agent.", "world.")):
                    self._keep(dataclasses.replace(event, world_id=self.world_id))

    def clear(self) -> None:
        with self._lock:
            self.events.clear()
            self.omitted.clear()
            self._deliveries = self._filed = 0


def _renumbered(event: Event, seq: int) -> Event:
    """A copy of ``event`` numbered ``seq`` (``dataclasses.replace`` without re-running its
    constructor: this runs once per delivery a world files)."""
    copy = object.__new__(Event)
    copy.__dict__.update(event.__dict__)
    object.__setattr__(copy, "seq", seq)
    return copy


def _line(event: Event) -> dict[str, Any]:
    """One transcript line; its data must fit the kind's typed payload (else TypeError)."""
    event.payload  # noqa: B018 - builds the typed payload, refusing data that does not fit it
    return event.to_dict()


def save_transcript(path: str | os.PathLike, transcript: Sequence[Event]) -> Path:
    """Write events as JSON lines to ``path`` (atomically) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for event in transcript:
            fh.write(json.dumps(_line(event), ensure_ascii=False, default=str) + "\n")
    os.replace(tmp, target)
    return target


def load_transcript(path: str | os.PathLike) -> list[Event]:
    """Read a transcript written by :func:`save_transcript`."""
    source = Path(path)
    if not source.is_file():
        raise StateError(f"{source}: transcript file not found; check the path given to load_transcript")
    result: list[Event] = []
    with open(source, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                event = Event.from_dict(json.loads(line))
                event.payload  # noqa: B018 - a line whose data does not fit its kind's payload is refused
                result.append(event)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise StateError(
                    f"{source}, line {number}: not a transcript event ({exc}); "
                    "the file may be truncated or not a tinytroupe transcript"
                ) from None
    return result
