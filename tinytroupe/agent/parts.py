"""The one hook protocol of an agent's parts, faculties and tools, and their binding to the agent.

A part is given what it needs of its agent once, when it is attached (:meth:`BoundFaculty.bind`),
and then answers the same four hooks as every other part:

- ``prompt_section(view)``: the text it adds to the situation, from a read-only
  :class:`~tinytroupe.contracts.AgentView`;
- ``action_definitions()`` / ``action_constraints()``: the actions it offers and their rules;
- ``ahandle(action)``: handle one action and return an :class:`ActionResult` (whether it was
  handled, and whether the agent took in something new, so the turn decides again with it).

Faculties written against the original's interface (``process_action(agent, action)``,
``actions_definitions_prompt()``, ``prompt_section(agent)``) are adapted here, at attach time,
by :class:`BoundFaculty`; the turn loop sees only the protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from tinytroupe.agent.actions import Action, ActionDefinition
from tinytroupe.contracts import Acted, AgentView
from tinytroupe.memory.episodic import MemoryEvent

__all__ = ["ActionResult", "AgentPart", "AgentHandle", "BoundFaculty", "acted_of"]


@dataclass(frozen=True)
class ActionResult:
    """What handling one action gave: ``handled`` when a part took it; ``thoughts`` the agent is
    to perceive because of it (a recalled memory); ``news`` when the agent perceived something
    (these thoughts, or what an original-style faculty made it perceive), so the rest of the turn
    is decided again with it in mind."""

    handled: bool = False
    news: bool = False
    thoughts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.thoughts and not self.news:
            object.__setattr__(self, "news", True)


NOT_HANDLED = ActionResult()


@runtime_checkable
class AgentPart(Protocol):
    """The hooks every bound part answers (see the module docstring)."""

    def prompt_section(self, view: AgentView) -> str: ...
    def action_definitions(self) -> tuple[ActionDefinition, ...]: ...
    def action_constraints(self) -> tuple[str, ...]: ...
    async def ahandle(self, action: Action) -> ActionResult: ...


class AgentHandle:
    """What a part may use of its agent, given to it once when it is attached: the agent's name,
    model, settings, persona, memories, mental state and simulated time (read through the handle,
    so a restored part sees the agent as it is now)."""

    __slots__ = ("_agent",)

    def __init__(self, agent: Any):
        self._agent = agent

    name = property(lambda self: self._agent.name)
    model = property(lambda self: self._agent.model)
    settings = property(lambda self: self._agent.settings)
    persona = property(lambda self: self._agent.persona)
    episodic_memory = property(lambda self: self._agent.episodic_memory)
    semantic_memory = property(lambda self: self._agent.semantic_memory)
    mental_state = property(lambda self: self._agent.mental_state)

    def persona_text(self) -> str:
        return self._agent.persona_text()

    async def aretrieve_relevant_memories(self, relevance_target: str, top_k: int = 20) -> list[str]:
        return await self._agent.aretrieve_relevant_memories(relevance_target, top_k=top_k)

    async def asummarize_relevant_memories_via_full_scan(self, relevance_target: str) -> str:
        return await self._agent.asummarize_relevant_memories_via_full_scan(relevance_target)

    def sim_time(self) -> str | None:
        return self._agent.sim_time()


class BoundFaculty:
    """A mental faculty bound to its agent. A faculty that speaks the protocol (``bind(handle)``
    and ``ahandle(action)``) is given its :class:`AgentHandle` once, here; an original-style one
    gets the protocol's hooks over its own (``prompt_section(agent)``, ``aprocess_action(agent,
    action)``, ``consolidate(agent, events)``)."""

    def __init__(self, faculty: Any, agent: Any, news: Any):
        self.faculty = faculty
        self._agent = agent
        self._news = news  # () -> int: how many things the agent has perceived from its faculties
        self.native = callable(getattr(faculty, "ahandle", None)) and callable(getattr(faculty, "bind", None))
        if self.native:
            faculty.bind(AgentHandle(agent))

    def prompt_section(self, view: AgentView) -> str:
        return self.faculty.prompt_section(view if self.native else self._agent)

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        return tuple(self.faculty.action_definitions())

    def action_constraints(self) -> tuple[str, ...]:
        return tuple(self.faculty.action_constraints())

    async def ahandle(self, action: Action) -> ActionResult:
        if self.native:
            return await self.faculty.ahandle(action)
        before = self._news()
        handled = bool(await self.faculty.aprocess_action(self._agent, action))
        return ActionResult(handled, self._news() != before)

    def consolidate(self, events: list[MemoryEvent]) -> None:
        self.faculty.consolidate(self._agent, events)


def acted_of(entry: Any) -> Acted:
    """An :class:`~tinytroupe.contracts.Acted` from an entry of ``aact(return_actions=True)`` as
    an agent class written against the original's interface returns it."""
    if isinstance(entry, Acted):
        return entry
    action = entry.get("action", entry) if isinstance(entry, Mapping) else getattr(entry, "action", entry)
    state = entry.get("cognitive_state") if isinstance(entry, Mapping) else None
    if not isinstance(action, Action):
        if not isinstance(action, Mapping):
            action = {k: getattr(action, k, None) for k in ("type", "content", "target")}
        action = Action(str(action.get("type") or "").strip() or "DONE", action.get("content") or "",
                        action.get("target") or "")
    return Acted(action, dict(state or {}))
