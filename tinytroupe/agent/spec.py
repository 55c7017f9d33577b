"""The extra parts of an agent specification file beyond the persona: memories, mental state, faculties.

A saved ``*.agent.json`` always has ``type`` and ``persona``; TinyTroupe's saved agents add
``mental_faculties``, ``current_episode_event_count`` and, when asked, ``episodic_memory``,
``semantic_memory`` and ``mental_state``. What this module cannot read (another tool's
memory format, an unknown faculty) is skipped with a log message, so the persona still loads.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from tinytroupe.agent.memory_keeper import MemoryKeeper
from tinytroupe.agent.mental_faculty import faculty_from_state
from tinytroupe.agent.mental_state import MentalState
from tinytroupe.errors import StateError
from tinytroupe.memory.episodic import EpisodicMemory, SemanticMemory

if TYPE_CHECKING:
    from tinytroupe.contracts import Agent

__all__ = ["specification", "restore_extras"]

logger = logging.getLogger(__name__)


def specification(agent: Agent, *, include_memory: bool = False, include_mental_faculties: bool = True,
                  include_mental_state: bool = False) -> dict[str, Any]:
    """The ``*.agent.json`` document of ``agent``."""
    doc: dict[str, Any] = {"type": "TinyPerson", "persona": agent.persona}
    if include_mental_faculties:
        doc["mental_faculties"] = [{"kind": f.kind, "name": f.name, "state": f.to_state()}
                                   for f in agent.mental_faculties]
    doc["current_episode_event_count"] = agent.current_episode_event_count
    if include_memory:
        doc["episodic_memory"] = agent.episodic_memory.to_state()
        doc["semantic_memory"] = agent.semantic_memory.to_state()
        doc["memory_keeper"] = agent.memory_keeper.to_state()
    if include_mental_state:
        doc["mental_state"] = agent.mental_state.to_state()
    return doc


def _origin(doc: dict[str, Any]) -> str:
    return str(doc.get("_origin", "specification"))


def restore_extras(agent: Agent, doc: dict[str, Any], *, memory: bool = True, faculties: bool = True,
                   mental_state: bool = True) -> None:
    """Restore what ``doc`` holds beyond the persona onto ``agent``."""
    for key in ("episodic_memory", "semantic_memory") if memory else ():
        if doc.get(key) is not None and not isinstance(doc[key], (list, dict)):
            logger.warning("%s: %s skipped (expected a list, got %s)", _origin(doc), key, type(doc[key]).__name__)
    if memory and isinstance(doc.get("episodic_memory"), (list, dict)):  # ours, or the original's format
        try:
            agent.episodic_memory = EpisodicMemory.from_state(doc["episodic_memory"])
        except StateError as exc:
            logger.warning("%s: episodic_memory skipped (%s)", _origin(doc), exc)
    if memory and isinstance(doc.get("semantic_memory"), (list, dict)):
        try:
            agent.semantic_memory = SemanticMemory.from_state(doc["semantic_memory"])
        except StateError as exc:
            logger.warning("%s: semantic_memory skipped (%s)", _origin(doc), exc)
    if memory and isinstance(doc.get("memory_keeper"), dict):
        try:
            agent.memory_keeper = MemoryKeeper.from_state(doc["memory_keeper"])
        except StateError as exc:
            logger.warning("%s: memory_keeper skipped (%s)", _origin(doc), exc)
    if mental_state and isinstance(doc.get("mental_state"), dict):
        agent.mental_state = MentalState.from_state(doc["mental_state"])
    if isinstance(doc.get("current_episode_event_count"), int):
        agent.current_episode_event_count = doc["current_episode_event_count"]
        agent.episodic_memory.episode_start = max(0, len(agent.episodic_memory) - agent.current_episode_event_count)
    for entry in (doc.get("mental_faculties") or []) if faculties else []:
        try:
            agent.add_mental_faculty(faculty_from_state(entry))
        except StateError as exc:
            logger.warning("%s: mental faculty skipped (%s)", _origin(doc), exc)
