"""An agent's complete state as plain JSON, and back: a loop over the agent's parts.

Each part is listed once as a :class:`Slot` (the field of the state document, the agent
attribute holding the part, how the part exports and rebuilds itself). :func:`encode` and
:func:`decode_parts` loop over the slots; the agent (``TinyPerson``) then installs what
:func:`decode_parts` built, so a damaged state changes nothing. Adding a part to an agent
is adding a slot.

Layout (``state_version`` 2): ``type``, ``state_version``, ``persona``, ``settings``, and one
field per slot. Version 1 kept the ledger's ``last_action`` and ``actions_buffer`` beside
``counters``; they are read into the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tinytroupe.agent.accessibility import Accessibility
from tinytroupe.agent.ledger import TurnLedger
from tinytroupe.agent.memory_keeper import MemoryKeeper
from tinytroupe.agent.mental_faculty import MentalFaculty, faculty_from_state
from tinytroupe.agent.mental_state import MentalState
from tinytroupe.agent.persona import Persona
from tinytroupe.agent.quality import QualityStats
from tinytroupe.errors import StateError
from tinytroupe.memory.episodic import EpisodicMemory, SemanticMemory

__all__ = ["Slot", "PARTS", "encode", "decode_parts", "faculty_entry", "STATE_VERSION"]

STATE_VERSION = 2


@dataclass(frozen=True)
class Slot:
    """One part of an agent in its state document."""

    key: str
    attr: str
    export: Callable[[Any], Any]
    restore: Callable[[Any], Any]
    empty: Callable[[], Any]


def faculty_entry(faculty: MentalFaculty) -> dict[str, Any]:
    """A faculty's saved form: ``{"kind", "name", "state"}``."""
    return {"kind": faculty.kind, "name": faculty.name, "state": faculty.to_state()}


PARTS: tuple[Slot, ...] = (
    Slot("mental_state", "mental_state", lambda p: p.to_state(), MentalState.from_state, dict),
    Slot("accessible_agents", "accessibility", lambda p: p.to_state(), Accessibility.from_state, list),
    Slot("episodic_memory", "episodic_memory", lambda p: p.to_state(), EpisodicMemory.from_state, list),
    Slot("semantic_memory", "semantic_memory", lambda p: p.to_state(), SemanticMemory.from_state, list),
    Slot("mental_faculties", "mental_faculties", lambda fs: [faculty_entry(f) for f in fs],
         lambda entries: [faculty_from_state(e) for e in entries], list),
    Slot("counters", "ledger", lambda p: p.to_state(), TurnLedger.from_state, dict),
    Slot("quality_stats", "quality_stats", lambda p: p.to_dict(), QualityStats.from_dict, dict),
    Slot("memory_keeper", "memory_keeper", lambda p: p.to_state(), MemoryKeeper.from_state, dict),
)


def encode(agent: Any, slots: Sequence[Slot] = PARTS) -> dict[str, Any]:
    """Everything needed to restore ``agent`` exactly; JSON-serialisable."""
    state: dict[str, Any] = {"type": "TinyPerson", "state_version": STATE_VERSION, "persona": agent.persona}
    for slot in slots:
        state[slot.key] = slot.export(getattr(agent, slot.attr))
    state["settings"] = agent.settings.to_state()
    return state


def _migrate(state: dict[str, Any]) -> dict[str, Any]:
    """A version 1 state in the version 2 layout."""
    counters = dict(state.get("counters") or {})
    counters.setdefault("last_action", state.get("last_action"))
    counters.setdefault("actions_buffer", state.get("actions_buffer") or [])
    return {**state, "counters": counters}


def decode_parts(state: Any, slots: Sequence[Slot] = PARTS) -> tuple[Persona, dict[str, Any], dict[str, Any]]:
    """``(persona, {attr: part}, saved settings)`` from :func:`encode`'s output; raises StateError."""
    if not isinstance(state, dict) or state.get("type") != "TinyPerson" or not isinstance(state.get("persona"), dict):
        raise StateError("agent state must be a dict with type 'TinyPerson' and a 'persona'; "
                         "pass what encode_complete_state() returned.")
    version = state.get("state_version", 1)
    if not isinstance(version, int) or version > STATE_VERSION:
        raise StateError(f"agent state version {version!r} is newer than this tinytroupe understands "
                         f"({STATE_VERSION}); upgrade tinytroupe.")
    if version < 2:
        state = _migrate(state)
    persona = Persona(state["persona"])
    if not isinstance(persona.name, str) or not persona.name.strip():
        raise StateError("agent state: field 'persona.name' is missing.")
    parts = {}
    for slot in slots:
        value = state.get(slot.key)
        try:
            parts[slot.attr] = slot.restore(slot.empty() if value is None else value)
        except StateError as exc:  # name the field: the part's own message does not know it
            raise StateError(f"agent state field {slot.key!r}: {exc}") from None
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise StateError(f"agent state field {slot.key!r} is not valid ({type(exc).__name__}); "
                             "restore it from an unmodified encode_complete_state() document.") from None
    settings = state.get("settings") if isinstance(state.get("settings"), dict) else {}
    return persona, parts, settings
