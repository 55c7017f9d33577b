"""Memory: an ordered episodic store of what an agent perceived and did, in episodes.

Episodic memory keeps every event; prompts read a bounded view of it (the first N events
plus the last M, see :meth:`EpisodicMemory.window`), so prompt size stays flat on long runs.
Events since the last :meth:`EpisodicMemory.commit_episode` form the current episode, which
consolidation turns into semantic memory (:mod:`tinytroupe.memory.semantic`, re-exported
here). The original TinyTroupe's saved memory format is read too (:mod:`tinytroupe.memory.legacy`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from tinytroupe.errors import StateError
from tinytroupe.llm.images import ImageRef
from tinytroupe.memory.base import TinyMemory
from tinytroupe.memory.legacy import (
    events_from_legacy,
    events_from_roleless,
    is_legacy_item,
    legacy_items,
    original_item,
)
from tinytroupe.memory.processors import EpisodicConsolidator, MemoryProcessor, ReflectionConsolidator
from tinytroupe.memory.semantic import SemanticMemory
from tinytroupe.memory.state import restores
from tinytroupe.runtime import current_runtime

logger = logging.getLogger("tinytroupe")

__all__ = ["MemoryEvent", "shared_event", "TinyMemory", "EpisodicMemory", "SemanticMemory", "EpisodicConsolidator",
           "ReflectionConsolidator", "MemoryProcessor", "Role", "OMISSION_NOTE"]

Role = Literal["stimulus", "action", "note"]
_ROLES = ("stimulus", "action", "note")
_STOPWORDS = frozenset(
    "the and for are but not you your with this that was were have has had from they them what when "
    "where who how why can could would should will about into than then there their its our out".split()
)


def _keywords(text: str) -> set[str]:
    """The words of ``text`` worth matching on: lower-case, 3+ letters, no stop words."""
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 2 and w not in _STOPWORDS}


@dataclass(frozen=True)
class MemoryEvent:
    """One remembered event.

    ``role``: ``stimulus`` (perceived), ``action`` (done) or ``note`` (the agent's own
    bookkeeping, e.g. a fallback or a stopped repetition). ``type`` is the stimulus or action
    type (``CONVERSATION``, ``TALK``...). ``source`` is who caused a stimulus, ``target`` whom
    an action was for. ``sim_time`` is the simulated time (ISO) or None outside a world.
    ``image`` is a seen image, by reference and hash (its description is ``content``).
    """

    role: Role
    type: str
    content: str
    source: str = ""
    target: str = ""
    sim_time: str | None = None
    item: dict[str, Any] | None = field(default=None, compare=False, repr=False)  # as stored, original shape
    image: ImageRef | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {"role": self.role, "type": self.type, "content": self.content,
             "source": self.source, "target": self.target, "sim_time": self.sim_time}
        if self.image is not None:  # only then, so text-only states are unchanged
            d["image"] = self.image.to_dict()
        return d

    # -- the original's item view: ``event["role"]``, ``event["content"]["stimuli"]``... -------
    def as_original(self) -> dict[str, Any]:
        """This event as the original's memory item (``role``, ``type``, ``content``, ``simulation_timestamp``);
        an item stored in that shape comes back as it was given."""
        return dict(self.item) if self.item is not None else original_item(self)

    def __getitem__(self, key: str) -> Any:
        return self.as_original()[key]

    def __contains__(self, key: object) -> bool:
        return key in self.as_original()

    def get(self, key: str, default: Any = None) -> Any:
        """A field of :meth:`as_original`, or ``default``."""
        return self.as_original().get(key, default)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MemoryEvent:
        if not isinstance(d, dict) or d.get("role") not in _ROLES or "type" not in d:
            raise StateError(
                f"episodic memory event {d!r} is not valid: it needs 'role' (one of {', '.join(_ROLES)}), "
                "'type' and 'content'."
            )
        return cls(role=d["role"], type=str(d["type"]), content=str(d.get("content", "")),
                   source=str(d.get("source") or ""), target=str(d.get("target") or ""),
                   sim_time=d.get("sim_time"), image=_image_of(d))


OMISSION_NOTE = "(other memories omitted for brevity)"


def _matches(event: MemoryEvent, role: str | None, type: str | None, item_type: str | None) -> bool:
    kind = {"note": "feedback"}.get(event.role, event.role)  # the original's item types
    if event.item is not None and event.item.get("type"):
        kind = str(event.item["type"])  # stored in the original's shape: its own type decides
    return ((role is None or event.role == role) and (type is None or event.type == type)
            and (item_type is None or item_type in (kind, event.role, event.type)))


def _from_original(item: dict[str, Any], dicts: list[dict[str, Any]]) -> list[MemoryEvent]:
    """Events of an item stored in the original's shape; a single event keeps the item itself."""
    events = [MemoryEvent.from_dict(d) for d in dicts]
    if len(events) == 1:
        events = [MemoryEvent(**{**events[0].to_dict(), "item": dict(item)})]
    return events


class EpisodicMemory(TinyMemory):
    """Ordered events with simulated timestamps, grouped in episodes; bounded windows for prompts."""

    def __init__(self, events: Iterable[MemoryEvent] = (), fixed_prefix_length: int = 20,
                 lookback_length: int = 100):
        self._events: list[MemoryEvent] = list(events)
        self.episode_start = 0  # index of the first event of the current episode
        self.fixed_prefix_length = fixed_prefix_length
        self.lookback_length = lookback_length

    def store(self, event: MemoryEvent | dict[str, Any]) -> None:
        """Append an event (a :class:`MemoryEvent`, its dict, or an original-format item, with or
        without ``role``); anything but a dict raises TypeError, as in the original."""
        if isinstance(event, MemoryEvent):
            self._events.append(event)
        elif not isinstance(event, dict):
            raise TypeError(f"episodic memory stores events (dicts with 'type' and 'content'), got {event!r}")
        elif ("role" not in event or event.get("role") == "system") and "type" in event:
            plain = {k: v for k, v in event.items() if k != "role"}  # system feedback stored live is kept
            self._events.extend(_from_original(event, events_from_roleless(plain)))
        elif is_legacy_item(event):
            self._events.extend(_from_original(event, events_from_legacy([event])))
        else:
            self._events.append(MemoryEvent.from_dict(event))

    def store_all(self, events: Iterable[MemoryEvent | dict[str, Any]]) -> None:
        for event in events:
            self.store(event)

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self):
        return iter(self._events)

    def count(self) -> int:
        """How many events are remembered (the current episode's included)."""
        return len(self._events)

    # -- episodes --------------------------------------------------------------------------
    def commit_episode(self) -> None:
        """End the current episode: later events start a new one."""
        self.episode_start = len(self._events)

    def get_current_episode(self, item_types: list[str] | None = None) -> list[MemoryEvent]:
        """The events since the last :meth:`commit_episode` (only of ``item_types`` when given:
        ``stimulus``, ``action``, ``feedback``/``note``, or event types such as ``TALK``)."""
        events = self._events[self.episode_start:]
        if item_types is None:
            return list(events)
        return [e for e in events if any(_matches(e, None, None, t) for t in item_types)]

    @property
    def current_episode_length(self) -> int:
        return len(self._events) - self.episode_start

    @property
    def memory(self) -> list[dict[str, Any]]:
        """The committed events as the original's items (a copy; store through :meth:`store`)."""
        return [e.as_original() for e in self._events[:self.episode_start]]

    @property
    def episodic_buffer(self) -> list[dict[str, Any]]:
        """The current episode's events as the original's items (a copy)."""
        return [e.as_original() for e in self._events[self.episode_start:]]

    # -- retrieving ------------------------------------------------------------------------
    def retrieve_all(self, *, role: str | None = None, type: str | None = None,
                     item_type: str | None = None) -> list[MemoryEvent]:
        """Every event, optionally only those of a role, a type and/or an original item type."""
        return [e for e in self._events if _matches(e, role, type, item_type)]

    def retrieve_first(self, n: int, include_omission_info: bool = False, **filters: Any) -> list[MemoryEvent]:
        """The first ``n`` events (after filtering), with an omission note after them when asked."""
        events = self.retrieve_all(**filters)
        head = events[: max(0, n)]
        return head + ([_omission()] if include_omission_info and len(events) > len(head) else [])

    def retrieve_last(self, n: int | None, include_omission_info: bool = False, **filters: Any) -> list[MemoryEvent]:
        """The last ``n`` events (all when None), with an omission note before them when asked."""
        events = self.retrieve_all(**filters)
        tail = events if n is None else (events[-n:] if n > 0 else [])
        return ([_omission()] if include_omission_info and len(events) > len(tail) else []) + tail

    def retrieve_recent(self, n: int | None = None, include_omission_info: bool = True,
                        item_type: str | None = None) -> list[MemoryEvent]:
        """The last ``n`` events; without ``n``, the first ``fixed_prefix_length`` and last
        ``lookback_length`` events, with an omission note between them when asked."""
        if n is not None:
            return self.retrieve_last(n, item_type=item_type)
        return self.retrieve(self.fixed_prefix_length, self.lookback_length, include_omission_info, item_type)

    def retrieve_relevant(self, relevance_target: str, top_k: int = 20) -> list[MemoryEvent]:
        """Not offered by episodic memory (as in the original): use :meth:`search` or the semantic memory."""
        raise NotImplementedError("EpisodicMemory has no relevance retrieval: use search(keywords) for "
                                  "keyword matches, or the agent's semantic_memory.retrieve_relevant()")

    def retrieve(self, first_n: int | None, last_n: int | None, include_omission_info: bool = True,
                 item_type: str | None = None) -> list[MemoryEvent]:
        """The first ``first_n`` and last ``last_n`` events (None: no limit on that side), never
        overlapping, with an omission note between them when events were left out."""
        events = self.retrieve_all(item_type=item_type)
        if first_n is None and last_n is None:
            return events
        head = events[: first_n] if first_n is not None else []
        rest = events[len(head):]
        tail = rest if last_n is None else (rest[-last_n:] if last_n > 0 else [])
        omitted = len(events) - len(head) - len(tail)
        return head + ([_omission()] if include_omission_info and omitted else []) + tail

    def window(self, prefix: int, lookback: int) -> tuple[list[MemoryEvent], int, list[MemoryEvent]]:
        """``(first prefix events, number omitted, last lookback events)``, never overlapping."""
        total = len(self._events)
        if prefix + lookback >= total:
            return list(self._events), 0, []
        head = self._events[:prefix]
        tail = self._events[total - lookback:] if lookback > 0 else []
        return list(head), total - len(head) - len(tail), list(tail)

    def search(self, keywords: Iterable[str], limit: int = 5) -> list[MemoryEvent]:
        """Events mentioning the most of ``keywords`` (case-insensitive), best first, newest on ties."""
        words = _keywords(" ".join(keywords))
        if not words:
            return []
        scored = []
        for index, event in enumerate(self._events):
            score = len(words & _keywords(f"{event.content} {event.source} {event.target}"))
            if score:
                scored.append((score, index, event))
        scored.sort(key=lambda t: (-t[0], -t[1]))
        return [event for _, _, event in scored[:limit]]

    def clear(self, max_prefix_to_clear: int | None = None, max_suffix_to_clear: int | None = None) -> None:
        """Forget: everything, or only the first ``max_prefix_to_clear`` and/or last
        ``max_suffix_to_clear`` events. The current episode starts afresh."""
        if max_prefix_to_clear is None and max_suffix_to_clear is None:
            self._events.clear()
        else:
            if max_prefix_to_clear:
                del self._events[: max_prefix_to_clear]
            if max_suffix_to_clear:
                del self._events[-max_suffix_to_clear:]
        self.episode_start = len(self._events)

    # -- state -----------------------------------------------------------------------------
    def to_state(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self._events]

    @classmethod
    @restores("episodic memory")
    def from_state(cls, state: Any) -> EpisodicMemory:
        """Restore :meth:`to_state`'s list; also reads the original TinyTroupe's saved memory."""
        legacy = legacy_items(state)
        if legacy is not None:
            return cls(MemoryEvent.from_dict(d) for d in events_from_legacy(legacy))
        if not isinstance(state, list):
            raise StateError("episodic memory state must be a list of events.")
        events = []
        for index, item in enumerate(state):
            try:
                events.append(MemoryEvent.from_dict(item))
            except StateError as exc:
                raise StateError(f"item [{index}]: {exc}") from None
        return cls(events)


def _omission() -> MemoryEvent:
    return MemoryEvent(role="note", type="OMISSION", content=OMISSION_NOTE)


def _image_of(d: dict[str, Any]) -> ImageRef | None:
    raw = d.get("image")
    if raw is None:
        return None
    try:
        return ImageRef.model_validate(raw)
    except ValueError as exc:
        raise StateError(f"episodic memory event's 'image' {raw!r} is not valid: it needs 'source', 'sha256' "
                         f"and 'media_type' ({exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc})") from exc


def shared_event(*fields: Any) -> MemoryEvent:
    """A MemoryEvent of ``fields``: the one made last in this runtime when it is equal (the
    listeners of a broadcast share one)."""
    runtime = current_runtime()
    last = runtime.part("agent.last_event")
    if last is not None and last[0] == fields:
        return last[1]
    role, type_, content, source, target, sim_time = fields
    event = MemoryEvent(role=role, type=type_, content=content, source=source, target=target, sim_time=sim_time)
    runtime.set_part("agent.last_event", (fields, event))
    return event
