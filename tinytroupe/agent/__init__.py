"""Agents: TinyPerson, its persona, actions, memory and mental faculties."""

from tinytroupe.agent.actions import Action, ActionDefinition, CognitiveState
from tinytroupe.agent.memory import EpisodicMemory, MemoryEvent, SemanticMemory
from tinytroupe.agent.mental_faculty import MentalFaculty, RecallFaculty
from tinytroupe.agent.mental_state import MentalState
from tinytroupe.agent.persona import Persona
from tinytroupe.agent.quality import QualityStats
from tinytroupe.agent.tiny_person import DEFAULT_RELATION, TinyPerson

__all__ = [
    "TinyPerson",
    "DEFAULT_RELATION",
    "Action",
    "ActionDefinition",
    "CognitiveState",
    "EpisodicMemory",
    "MemoryEvent",
    "SemanticMemory",
    "MentalFaculty",
    "RecallFaculty",
    "MentalState",
    "Persona",
    "QualityStats",
]
