"""The turn ledger: an agent's counters, last action, failures and the buffer of actions not yet popped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tinytroupe.agent.actions import Action
from tinytroupe.contracts import AgentView

__all__ = ["TurnLedger"]


@dataclass
class TurnLedger:
    """What an agent has done, counted. ``failures`` counts fallback turns by error type."""

    fallback_count: int = 0
    actions_count: int = 0
    current_episode_event_count: int = 0
    last_action: Action | None = None
    actions_buffer: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    faculty_thoughts: int = field(default=0, compare=False)  # thoughts faculties gave (not saved)

    def record_action(self, action: Action) -> None:
        """Count ``action`` and keep it for :meth:`pop_actions` (DONE is buffered, not counted)."""
        if action.type != "DONE":
            self.last_action = action
            self.actions_count += 1
        self.actions_buffer.append(action.to_dict())

    def record_fallback(self, error_type: str) -> None:
        self.fallback_count += 1
        self.failures[error_type] = self.failures.get(error_type, 0) + 1

    def something_new_happened(self) -> None:
        """A stimulus arrived: repeating the last action is no longer a loop."""
        self.last_action = None

    def pop_actions(self) -> list[dict[str, Any]]:
        actions, self.actions_buffer = self.actions_buffer, []
        return actions

    def prompt_section(self, view: AgentView) -> str:
        return ""

    def to_state(self) -> dict[str, Any]:
        return {"fallback_count": self.fallback_count, "actions_count": self.actions_count,
                "current_episode_event_count": self.current_episode_event_count,
                "failures": dict(self.failures),
                "last_action": self.last_action.to_dict() if self.last_action else None,
                "actions_buffer": [dict(a) for a in self.actions_buffer]}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TurnLedger:
        last = state.get("last_action")
        return cls(fallback_count=int(state.get("fallback_count", 0)),
                   actions_count=int(state.get("actions_count", 0)),
                   current_episode_event_count=int(state.get("current_episode_event_count", 0)),
                   last_action=Action.from_dict(last) if last else None,
                   actions_buffer=[dict(a) for a in state.get("actions_buffer") or []],
                   failures={str(k): int(v) for k, v in (state.get("failures") or {}).items()})
