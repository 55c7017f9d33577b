"""RecallFaculty: deliberate remembering, as an action.

``RECALL`` (content: what to remember) retrieves the most relevant memories (semantic memory
by meaning, plus older episodic events that mention it); ``RECALL_WITH_FULL_SCAN`` reads the
whole semantic memory with the model and sums up what bears on it (slower, thorough). Either
way the result comes back to the agent as a thought it perceives, which the agent acts on
before its turn ends, and stays in a bounded section of the next prompts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinytroupe.agent.actions import ActionDefinition
from tinytroupe.agent.mental_faculty import FacultyAction, TinyMentalFaculty
from tinytroupe.agent.parts import NOT_HANDLED, ActionResult, AgentHandle
from tinytroupe.agent.prompt import clip_line
from tinytroupe.memory.state import restores

if TYPE_CHECKING:
    from tinytroupe.contracts import Agent

__all__ = ["RecallFaculty"]

RECALLED_MAX_CHARS = 1500


class RecallFaculty(TinyMentalFaculty):
    """``RECALL`` and ``RECALL_WITH_FULL_SCAN``; see the module docstring."""

    kind = "RecallFaculty"

    def __init__(self, name: str | None = None, max_results: int = 5, requires_faculties: list[str] | None = None):
        super().__init__(name, requires_faculties)
        self.max_results = max_results
        self.recalled: list[str] = []
        self._of: Any = None  # the agent's handle, given when the faculty is attached

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        return (
            ActionDefinition("RECALL", "remember what you know about something (content: what to remember)."),
            ActionDefinition("RECALL_WITH_FULL_SCAN", "think back over everything you remember about something: "
                                                      "slower but thorough (content: what to remember)."),
        )

    def action_constraints(self) -> tuple[str, ...]:
        return ("RECALL before answering about things from long ago that are not in your recent memory; "
                "what you remember comes back to you as a thought.",)

    def bind(self, handle: Any) -> None:
        """Attach to an agent: ``handle`` gives its memories (see :class:`~tinytroupe.agent.parts.AgentHandle`)."""
        self._of = handle

    def prompt_section(self, view: Any = None) -> str:
        if not self.recalled:
            return ""
        return "Recalled memories:\n" + "\n".join(f"- {text}" for text in self.recalled)

    async def ahandle(self, action: Any) -> ActionResult:
        """Remember what ``action`` asks for; the memories come back as a thought to perceive."""
        if action.type == "RECALL":
            found = await self._of.aretrieve_relevant_memories(action.content, top_k=self.max_results)
            self.recalled = [clip_line(t, RECALLED_MAX_CHARS) for t in found]
            summary = "; ".join(self.recalled) if self.recalled else "nothing relevant comes to mind"
        elif action.type == "RECALL_WITH_FULL_SCAN":
            text = await self._of.asummarize_relevant_memories_via_full_scan(action.content)
            self.recalled = [clip_line(text, RECALLED_MAX_CHARS)] if text else []
            summary = self.recalled[0] if self.recalled else "nothing relevant comes to mind"
        else:
            return NOT_HANDLED
        return ActionResult(True, thoughts=(f"I remember, about {action.content.strip() or 'that'}: {summary}",))

    async def aprocess_action(self, agent: Agent, action: FacultyAction) -> bool:
        """The original's hook: bind to ``agent`` and handle ``action`` (the agent perceives the result)."""
        self.bind(AgentHandle(agent))
        result = await self.ahandle(action)
        for thought in result.thoughts:
            agent.perceive_thought(thought)
        return result.handled

    def process_action(self, agent: Agent, action: FacultyAction) -> bool:
        from tinytroupe._sync import run_sync

        return run_sync(self.aprocess_action(agent, action))

    def to_state(self) -> dict[str, Any]:
        return {"max_results": self.max_results, "recalled": list(self.recalled)}

    @restores("RecallFaculty")
    def load_state(self, state: dict[str, Any]) -> None:
        self.max_results = int(state.get("max_results", self.max_results))
        self.recalled = [str(x) for x in state.get("recalled", [])]
