"""TinyToolUse: the faculty through which an agent uses its tools.

It offers the tools' actions in the agent's turn, shows what the tools add to the agent's
situation, and routes each action to the tool that handles it. A tool that fails (someone
else's tool, malformed content, a model error while enriching) never ends the simulation:
the failure is recorded in the agent's memory, so it can try again, and a ``tool.failed``
event is emitted. The tools' state is saved and restored with the agent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tinytroupe import contracts, events
from tinytroupe._sync import run_sync
from tinytroupe.agent.actions import ActionDefinition
from tinytroupe.agent.mental_faculty import FacultyAction, TinyMentalFaculty
from tinytroupe.errors import LLMError
from tinytroupe.tools.tiny_tool import TinyTool, ToolError, tool_from_state

if TYPE_CHECKING:
    from tinytroupe.contracts import Agent

__all__ = ["TinyToolUse"]


class TinyToolUse(TinyMentalFaculty):
    """``agent.add_mental_faculty(TinyToolUse([TinyWordProcessor(), TinyCalendar()]))``."""

    def __init__(self, tools: Iterable[TinyTool] | None = None, name: str | None = None):
        super().__init__(name or "Tool Use")
        self.tools: list[TinyTool] = []
        for tool in tools or []:
            self.add_tool(tool)

    def add_tool(self, tool: TinyTool) -> None:
        """Give the agent one more tool (a second tool of the same name is refused)."""
        if not isinstance(tool, TinyTool):
            raise ToolError(f"TinyToolUse takes TinyTool objects, got {tool!r}.")
        if any(t.name == tool.name for t in self.tools):
            raise ToolError(f"{self.name}: there is already a tool named {tool.name!r}.")
        self.tools.append(tool)

    def get_tool(self, name: str) -> TinyTool | None:
        return next((t for t in self.tools if t.name == name), None)

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        seen: dict[str, ActionDefinition] = {}
        for tool in self.tools:
            for definition in tool.action_definitions():
                seen.setdefault(definition.type, definition)
        return tuple(seen.values())

    def action_constraints(self) -> tuple[str, ...]:
        return tuple(c for tool in self.tools for c in tool.action_constraints())

    def prompt_section(self, agent: Agent) -> str:
        parts = [tool.prompt_section(agent) for tool in self.tools]
        return "\n".join(p for p in parts if p)

    async def aprocess_action(self, agent: Agent, action: FacultyAction) -> bool:
        for tool in self.tools:
            if not tool.handles(action):
                continue
            try:
                if await tool.aprocess_action(agent, action):
                    return True
            except (ToolError, LLMError) as exc:
                self._record_failure(agent, tool, action, exc)
                return True
        return False

    def process_action(self, agent: Agent, action: FacultyAction) -> bool:
        """Blocking twin of :meth:`aprocess_action` (agents call the async one)."""
        return run_sync(self.aprocess_action(agent, action))

    @staticmethod
    def _record_failure(agent: Agent, tool: TinyTool, action: FacultyAction, exc: Exception) -> None:
        reason = " ".join(str(exc).split())[:400]
        agent.record_event("note", "TOOL_FAILURE", f"Your {action.type} with the {tool.name} failed: {reason}")
        events.emit(contracts.ToolFailed(agent.name, tool.name, action.type, f"{type(exc).__name__}: {reason}"),
                    source=agent.name, sim_time=agent.sim_time())

    def to_state(self) -> dict[str, Any]:
        return {"tools": [tool.encode() for tool in self.tools]}

    def load_state(self, state: dict[str, Any]) -> None:
        self.tools = [tool_from_state(entry) for entry in state.get("tools") or []]
