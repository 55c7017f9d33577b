"""A world's transcript: the events it owns, kept as it runs, saved as JSONL.

A :class:`WorldRecorder` subscribes to :mod:`tinytroupe.events` for one world id (events are
owned by the world that drove them, never matched by name), keeps the world and agent
events in a bounded list, and tallies the ``llm.call`` events in a private
:class:`~tinytroupe.llm.wrappers.usage.UsageStats` (per agent under the ``agent`` tag).

While agents act concurrently their events interleave by chance; :meth:`WorldRecorder.hold`
keeps them aside and files them afterwards in the step's agent order, so a transcript is the
same from one run to the next. The transcript file is written from the events' typed
payloads (:mod:`tinytroupe.contracts`), one JSON object per line.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from collections import deque
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

DEFAULT_MAX_EVENTS = 100_000
RECORDED_KINDS = ("agent.", "world.", "llm.call")


class WorldRecorder:
    """Records one world's events and costs."""

    def __init__(self, world_id: str, max_events: int = DEFAULT_MAX_EVENTS):
        self.world_id = world_id
        self.events: deque[Event] = deque(maxlen=max_events)
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
                self.events.extend(held)

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
                self.events.append(event)

    def restore(self, recorded: Iterable[Event]) -> None:
        """File earlier events (a replayed operation's) into the transcript, as this world's.

        Their model calls are not tallied: cost statistics count the calls made here.
        """
        with self._lock:
            for event in recorded:
                if event.kind.startswith(("agent.", "world.")):
                    self.events.append(dataclasses.replace(event, world_id=self.world_id))

    def clear(self) -> None:
        with self._lock:
            self.events.clear()


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
