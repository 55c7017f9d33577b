"""Memory: an ordered episodic store of what an agent perceived and did, and a semantic seam.

Episodic memory keeps every event; prompts read a bounded view of it (the first N events
plus the last M, see :meth:`EpisodicMemory.window`), so prompt size stays flat on long runs.
Consolidation into semantic memory is a seam: faculties implement it (see
:class:`~tinytroupe.agent.mental_faculty.MentalFaculty.consolidate`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from tinytroupe.errors import StateError

__all__ = ["MemoryEvent", "EpisodicMemory", "SemanticMemory", "Role"]

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
    """

    role: Role
    type: str
    content: str
    source: str = ""
    target: str = ""
    sim_time: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "type": self.type, "content": self.content,
                "source": self.source, "target": self.target, "sim_time": self.sim_time}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MemoryEvent:
        if not isinstance(d, dict) or d.get("role") not in _ROLES or "type" not in d:
            raise StateError(
                f"episodic memory event {d!r} is not valid: it needs 'role' (one of {', '.join(_ROLES)}), "
                "'type' and 'content'."
            )
        return cls(role=d["role"], type=str(d["type"]), content=str(d.get("content", "")),
                   source=str(d.get("source") or ""), target=str(d.get("target") or ""),
                   sim_time=d.get("sim_time"))


class EpisodicMemory:
    """Ordered events with simulated timestamps; bounded windows for prompts."""

    def __init__(self, events: Iterable[MemoryEvent] = ()):
        self._events: list[MemoryEvent] = list(events)

    def store(self, event: MemoryEvent) -> None:
        """Append an event."""
        self._events.append(event)

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self):
        return iter(self._events)

    def retrieve_all(self, *, role: str | None = None, type: str | None = None) -> list[MemoryEvent]:
        """Every event, optionally only those of a role and/or type."""
        return [e for e in self._events
                if (role is None or e.role == role) and (type is None or e.type == type)]

    def retrieve_first(self, n: int, **filters: Any) -> list[MemoryEvent]:
        """The first ``n`` events (after filtering)."""
        return self.retrieve_all(**filters)[: max(0, n)]

    def retrieve_last(self, n: int, **filters: Any) -> list[MemoryEvent]:
        """The last ``n`` events (after filtering)."""
        return self.retrieve_all(**filters)[-n:] if n > 0 else []

    def retrieve_recent(self, n: int = 10) -> list[MemoryEvent]:
        """The last ``n`` events; the same as ``retrieve_last(n)``."""
        return self.retrieve_last(n)

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

    def clear(self) -> None:
        """Forget everything."""
        self._events.clear()

    def to_state(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self._events]

    @classmethod
    def from_state(cls, state: list[dict[str, Any]]) -> EpisodicMemory:
        if not isinstance(state, list):
            raise StateError("episodic memory state must be a list of events.")
        return cls(MemoryEvent.from_dict(d) for d in state)


class SemanticMemory:
    """Facts an agent knows, as short texts; keyword retrieval until a faculty brings embeddings."""

    def __init__(self, facts: Iterable[str] = ()):
        self._facts: list[str] = list(facts)

    def store(self, fact: str) -> None:
        """Remember ``fact`` (duplicates are ignored)."""
        if fact and fact not in self._facts:
            self._facts.append(fact)

    def __len__(self) -> int:
        return len(self._facts)

    def retrieve_all(self) -> list[str]:
        return list(self._facts)

    def retrieve_relevant(self, query: str, top_k: int = 5) -> list[str]:
        """The facts sharing the most words with ``query``."""
        words = _keywords(query)
        scored = [(len(words & _keywords(f)), i, f) for i, f in enumerate(self._facts)]
        scored = [t for t in scored if t[0] > 0]
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [f for _, _, f in scored[:top_k]]

    def to_state(self) -> list[str]:
        return list(self._facts)

    @classmethod
    def from_state(cls, state: list[str]) -> SemanticMemory:
        if not isinstance(state, list):
            raise StateError("semantic memory state must be a list of strings.")
        return cls(str(f) for f in state)
