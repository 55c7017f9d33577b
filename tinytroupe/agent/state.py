"""An agent's complete state as plain JSON, and back: persona, memories, mind, faculties, counters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinytroupe.agent.actions import Action
from tinytroupe.agent.memory import EpisodicMemory, SemanticMemory
from tinytroupe.agent.mental_faculty import faculty_from_state
from tinytroupe.agent.mental_state import MentalState
from tinytroupe.agent.persona import Persona
from tinytroupe.agent.quality import QualityStats
from tinytroupe.errors import StateError

if TYPE_CHECKING:
    from tinytroupe.agent.tiny_person import TinyPerson

__all__ = ["encode", "decode", "STATE_VERSION"]

STATE_VERSION = 1


def encode(agent: TinyPerson) -> dict[str, Any]:
    """Everything needed to restore ``agent`` exactly; JSON-serialisable."""
    return {
        "type": "TinyPerson",
        "state_version": STATE_VERSION,
        "persona": agent.persona,
        "mental_state": agent.mental_state.to_state(),
        "accessible_agents": [{"name": n, "relation": r} for n, r in agent.accessible_agent_relations().items()],
        "episodic_memory": agent.episodic_memory.to_state(),
        "semantic_memory": agent.semantic_memory.to_state(),
        "mental_faculties": [{"kind": f.kind, "name": f.name, "state": f.to_state()}
                             for f in agent.mental_faculties],
        "counters": {
            "fallback_count": agent.fallback_count,
            "actions_count": agent.actions_count,
            "current_episode_event_count": agent.current_episode_event_count,
        },
        "quality_stats": agent.quality_stats.to_dict(),
        "settings": {
            "strict": agent.strict,
            "enable_quality_checks": agent.enable_quality_checks,
            "schema_max_actions": agent.schema_max_actions,
            "repetition_guard": agent.repetition_guard,
        },
        "last_action": agent.last_action.to_dict() if agent.last_action else None,
        "actions_buffer": [dict(a) for a in agent._actions_buffer],
    }


def decode(agent: TinyPerson, state: dict[str, Any]) -> None:
    """Restore ``agent`` from :func:`encode`'s output (accessible agents are found by name)."""
    if not isinstance(state, dict) or state.get("type") != "TinyPerson" or "persona" not in state:
        raise StateError("agent state must be a dict with type 'TinyPerson' and a 'persona'; "
                         "pass what encode_complete_state() returned.")
    version = state.get("state_version", STATE_VERSION)
    if version > STATE_VERSION:
        raise StateError(f"agent state version {version} is newer than this tinytroupe understands "
                         f"({STATE_VERSION}); upgrade tinytroupe.")
    persona = Persona(state["persona"])
    if not persona.name:
        raise StateError("agent state: field 'persona.name' is missing.")
    agent._set_persona(persona)
    agent.mental_state = MentalState.from_state(state.get("mental_state") or {})
    agent.episodic_memory = EpisodicMemory.from_state(state.get("episodic_memory") or [])
    agent.semantic_memory = SemanticMemory.from_state(state.get("semantic_memory") or [])
    agent.mental_faculties = [faculty_from_state(e) for e in state.get("mental_faculties") or []]
    agent.make_all_agents_inaccessible()
    for entry in state.get("accessible_agents") or []:
        agent._accessible[entry["name"]] = entry.get("relation", "")
    counters = state.get("counters") or {}
    agent.fallback_count = int(counters.get("fallback_count", 0))
    agent.actions_count = int(counters.get("actions_count", 0))
    agent.current_episode_event_count = int(counters.get("current_episode_event_count", 0))
    agent.quality_stats = QualityStats.from_dict(state.get("quality_stats") or {})
    settings = state.get("settings") or {}
    agent.strict = bool(settings.get("strict", agent.strict))
    agent.enable_quality_checks = settings.get("enable_quality_checks", agent.enable_quality_checks)
    agent.schema_max_actions = int(settings.get("schema_max_actions", agent.schema_max_actions))
    agent.repetition_guard = bool(settings.get("repetition_guard", agent.repetition_guard))
    last = state.get("last_action")
    agent.last_action = Action.from_dict(last) if last else None
    agent._actions_buffer = [dict(a) for a in state.get("actions_buffer") or []]
