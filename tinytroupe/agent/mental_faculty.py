"""Mental faculties: pluggable abilities with small hooks.

A faculty may contribute a section to the prompt, add action types (with their meaning and
constraints), handle the actions of those types, consolidate memories, and export/restore
its state as plain JSON. Subclasses register themselves by ``kind`` so a saved agent can be
restored with its faculties (their ``__init__`` must work with only ``name=`` given).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from tinytroupe.agent.actions import Action, ActionDefinition
from tinytroupe.agent.memory import MemoryEvent
from tinytroupe.errors import StateError

if TYPE_CHECKING:
    from tinytroupe.agent.tiny_person import TinyPerson

__all__ = ["MentalFaculty", "RecallFaculty", "faculty_from_state"]


class MentalFaculty:
    """Base class of faculties; every hook has a harmless default."""

    kind: ClassVar[str] = "MentalFaculty"
    _registry: ClassVar[dict[str, type[MentalFaculty]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = cls.__dict__.get("kind", cls.__name__)
        MentalFaculty._registry[cls.kind] = cls

    def __init__(self, name: str | None = None):
        self.name = name or self.kind

    def prompt_section(self, agent: TinyPerson) -> str:
        """Text added to the agent's mental state in the prompt ('' for none)."""
        return ""

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        """Action types this faculty adds."""
        return ()

    def action_constraints(self) -> tuple[str, ...]:
        """Rules about those actions, told to the model."""
        return ()

    def process_action(self, agent: TinyPerson, action: Action) -> bool:
        """Handle ``action`` if it is this faculty's; return True when handled."""
        return False

    def consolidate(self, agent: TinyPerson, events: list[MemoryEvent]) -> None:
        """Turn an episode's events into lasting knowledge (the semantic-memory seam)."""

    def to_state(self) -> dict[str, Any]:
        """This faculty's state as plain JSON."""
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`to_state` exported."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.name == self.name and other.to_state() == self.to_state()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def faculty_from_state(entry: dict[str, Any]) -> MentalFaculty:
    """Rebuild a faculty from ``{"kind", "name", "state"}`` as written by an agent's state."""
    kind = entry.get("kind") if isinstance(entry, dict) else None
    cls = MentalFaculty._registry.get(kind) if kind else None
    if cls is None:
        raise StateError(
            f"mental faculty {entry!r} cannot be restored: unknown kind {kind!r}; import the module "
            f"defining it first (known kinds: {', '.join(sorted(MentalFaculty._registry))})."
        )
    faculty = cls(name=entry.get("name"))
    faculty.load_state(entry.get("state") or {})
    return faculty


class RecallFaculty(MentalFaculty):
    """Deliberate recall: a ``RECALL`` action searches episodic memory by keywords."""

    kind = "RecallFaculty"

    def __init__(self, name: str | None = None, max_results: int = 3):
        super().__init__(name)
        self.max_results = max_results
        self.recalled: list[str] = []

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        return (ActionDefinition("RECALL", "search your memory (content: keywords of what to remember)."),)

    def action_constraints(self) -> tuple[str, ...]:
        return ("RECALL when you need details from long ago; the results appear in your next turn.",)

    def prompt_section(self, agent: TinyPerson) -> str:
        if not self.recalled:
            return ""
        return "Recalled memories:\n" + "\n".join(f"- {text}" for text in self.recalled)

    def process_action(self, agent: TinyPerson, action: Action) -> bool:
        if action.type != "RECALL":
            return False
        keywords = re.findall(r"\w+", action.content)
        found = [e for e in agent.episodic_memory.search(keywords, limit=self.max_results + 1)
                 if not (e.role == "action" and e.type == "RECALL")][: self.max_results]
        self.recalled = [f"{e.source or 'you'}: {e.content}" if e.role == "stimulus" else e.content
                         for e in found]
        summary = "; ".join(self.recalled) if self.recalled else "nothing relevant came to mind"
        agent.record_event("note", "RECALL_RESULT", f"Recalled ({action.content}): {summary}")
        return True

    def to_state(self) -> dict[str, Any]:
        return {"max_results": self.max_results, "recalled": list(self.recalled)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.max_results = int(state.get("max_results", self.max_results))
        self.recalled = [str(x) for x in state.get("recalled", [])]
