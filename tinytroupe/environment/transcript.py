"""A world's transcript: the events of its agents and of itself, kept while it runs, saved as JSONL.

A :class:`WorldRecorder` subscribes to :mod:`tinytroupe.events` only while the world is doing
something (running, stepping, broadcasting), keeps the events whose source is the world or
one of its agents in a bounded list, and tallies the ``llm.call`` events of its agents in a
private :class:`~tinytroupe.llm.wrappers.usage.UsageStats` (per agent under the ``agent`` tag).

While agents act concurrently their events interleave by chance; :meth:`WorldRecorder.hold`
keeps them aside and files them afterwards in the step's agent order, so a transcript is the
same from one run to the next.
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinytroupe import events
from tinytroupe.errors import StateError
from tinytroupe.events import Event
from tinytroupe.llm.wrappers.usage import UsageStats

__all__ = ["WorldRecorder", "save_transcript", "load_transcript", "DEFAULT_MAX_EVENTS"]

DEFAULT_MAX_EVENTS = 100_000
_KINDS = ("agent.", "world.", "llm.call")


class WorldRecorder:
    """Records one world's events and costs while the world is active."""

    def __init__(self, world: Any, max_events: int = DEFAULT_MAX_EVENTS):
        self._world = world
        self.events: deque[Event] = deque(maxlen=max_events)
        self.stats = UsageStats()
        self._lock = threading.RLock()
        self._depth = 0
        self._unsubscribe: Any = None
        self._held: list[Event] | None = None

    @contextmanager
    def active(self) -> Iterator[WorldRecorder]:
        """Record while inside this block (blocks may nest, in any thread)."""
        with self._lock:
            self._depth += 1
            if self._depth == 1:
                self._unsubscribe = events.subscribe(self._on_event, _KINDS)
        try:
            yield self
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._unsubscribe is not None:
                    self._unsubscribe()
                    self._unsubscribe = None

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

    def _on_event(self, event: Event) -> None:
        names = self._world.name_to_agent
        if event.kind.startswith("llm.call"):
            tags = event.data.get("tags") or {}
            if tags.get("agent") in names or tags.get("world") == self._world.name:
                data = event.data
                self.stats.record_call(str(data.get("model")), tags, input_tokens=int(data.get("input_tokens") or 0),
                                       output_tokens=int(data.get("output_tokens") or 0),
                                       cached=bool(data.get("cached")), cost=data.get("cost"))
            return
        if event.source != self._world.name and event.source not in names:
            return
        with self._lock:
            if self._held is not None:
                self._held.append(event)
            else:
                self.events.append(event)

    def clear(self) -> None:
        with self._lock:
            self.events.clear()


def save_transcript(path: str | os.PathLike, transcript: Sequence[Event]) -> Path:
    """Write events as JSON lines to ``path`` (atomically) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for event in transcript:
            fh.write(json.dumps(event.to_dict(), ensure_ascii=False, default=str) + "\n")
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
                result.append(Event.from_dict(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                raise StateError(
                    f"{source}, line {number}: not a transcript event ({exc}); "
                    "the file may be truncated or not a tinytroupe transcript"
                ) from None
    return result
