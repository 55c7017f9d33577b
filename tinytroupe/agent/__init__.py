"""Agents: TinyPerson, its persona, actions, memory and mental faculties."""

from tinytroupe.agent.actions import Action, ActionDefinition, CognitiveState
from tinytroupe.agent.grounding import (
    BaseSemanticGroundingConnector,
    LocalFilesGroundingConnector,
    WebPagesGroundingConnector,
)
from tinytroupe.agent.grounding_faculty import FilesAndWebGroundingFaculty
from tinytroupe.agent.mental_faculty import (
    CustomMentalFaculty,
    MentalFaculty,
    TinyMentalFaculty,
)
from tinytroupe.agent.mental_state import MentalState
from tinytroupe.agent.persona import Persona
from tinytroupe.agent.quality import QualityStats
from tinytroupe.agent.recall import RecallFaculty
from tinytroupe.agent.tiny_person import DEFAULT_RELATION, TinyPerson
from tinytroupe.memory.episodic import EpisodicMemory, MemoryEvent, SemanticMemory

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
    "TinyMentalFaculty",
    "CustomMentalFaculty",
    "RecallFaculty",
    "FilesAndWebGroundingFaculty",
    "BaseSemanticGroundingConnector",
    "LocalFilesGroundingConnector",
    "WebPagesGroundingConnector",
    "MentalState",
    "Persona",
    "QualityStats",
]


def __getattr__(name: str):
    # TinyTroupe's path for the tool faculty: ``from tinytroupe.agent import TinyToolUse``
    if name == "TinyToolUse":  # defined in tinytroupe.tools, above this layer
        from tinytroupe import providers

        return providers.need("TinyToolUse")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
