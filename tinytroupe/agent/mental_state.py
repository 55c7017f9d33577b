"""The agent's current situation and mind: where it is, what surrounds it, what it wants and feels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tinytroupe.agent.actions import COGNITIVE_FIELDS, CognitiveState
from tinytroupe.contracts import AgentView

__all__ = ["MentalState"]


@dataclass
class MentalState:
    """Location and context come from the outside (``move_to``, ``change_context``); goals,
    attention, emotions and the agent's own reading of the situation (``situation``) come
    from its last turn's cognitive state."""

    location: str | None = None
    context: list[str] = field(default_factory=list)
    goals: str = ""
    situation: str = ""
    attention: str = ""
    emotions: str = ""

    def update_cognitive(self, state: CognitiveState) -> None:
        """Take the fields the model filled in; empty ones keep their previous value."""
        if state.goals:
            self.goals = state.goals
        if state.context:
            self.situation = state.context
        if state.attention:
            self.attention = state.attention
        if state.emotions:
            self.emotions = state.emotions

    def cognitive_dict(self) -> dict[str, str]:
        """The cognitive state in the reply's shape (goals, context, attention, emotions)."""
        values = {"goals": self.goals, "context": self.situation,
                  "attention": self.attention, "emotions": self.emotions}
        return {name: values[name] for name in COGNITIVE_FIELDS}

    def prompt_section(self, view: AgentView) -> str:
        """Time, place, context, then the agent's own reading of the situation, goals, attention, emotions."""
        lines = []
        if view.now is not None:
            now = view.now.strftime("%A %Y-%m-%d %H:%M") if isinstance(view.now, datetime) else str(view.now)
            lines.append(f"Date and time: {now}")
        if self.location:
            lines.append(f"Location: {self.location}")
        if self.context:
            lines.append("Context: " + "; ".join(self.context))
        for label, value in (("Your reading of the situation", self.situation), ("Goals", self.goals),
                             ("Attention", self.attention), ("Emotions", self.emotions)):
            if value:
                lines.append(f"{label}: {value}")
        return "\n".join(lines)

    def to_state(self) -> dict[str, Any]:
        return {"location": self.location, "context": list(self.context), "goals": self.goals,
                "situation": self.situation, "attention": self.attention, "emotions": self.emotions}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> MentalState:
        return cls(location=state.get("location"), context=[str(c) for c in state.get("context", [])],
                   goals=state.get("goals", ""), situation=state.get("situation", ""),
                   attention=state.get("attention", ""), emotions=state.get("emotions", ""))
