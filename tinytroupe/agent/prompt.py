"""An agent's turn prompt, assembled from what its parts contribute.

Two messages: a system message that changes only when the persona or faculties change
(persona in compact form, action definitions, rules), and a user message with the bounded
episode transcript (first N events, an omission marker, last M events) and the situation,
which is the sections the agent's parts render for themselves (mental state, people,
faculties), in the agent's order. Nothing here reads an agent: :class:`TurnPrompt` holds
the parts' contributions, gathered by ``TinyPerson.turn_prompt()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from tinytroupe.agent.actions import BUILTIN_ACTIONS, BUILTIN_CONSTRAINTS, ActionDefinition
from tinytroupe.agent.languages import language_line
from tinytroupe.agent.settings import AgentSettings
from tinytroupe.config import config_manager
from tinytroupe.llm.base import Message
from tinytroupe.llm.images import ImageRef
from tinytroupe.memory.episodic import MemoryEvent
from tinytroupe.prompts import render
from tinytroupe.prompts.rai import rai_section

__all__ = ["TurnPrompt", "render_episodes", "render_event", "render_situation", "action_definitions",
           "action_constraints", "clip_line", "EVENT_MAX_CHARS"]

EVENT_MAX_CHARS = 2000  # one remembered event is cut to this many characters in prompts


def action_definitions(faculties: Iterable[Any], in_world: bool) -> list[ActionDefinition]:
    """The action types an agent may take: built-in ones, then its faculties' (DONE last).

    REACH_OUT is offered only inside a world: outside one, nobody could answer it. DONE is
    part of the list (replies may contain it) but is not shown to the model: a turn ends
    where its list of actions ends.
    """
    builtin = [d for d in BUILTIN_ACTIONS if d.type != "DONE" and (in_world or d.type != "REACH_OUT")]
    extra = [d for f in faculties for d in f.action_definitions()]
    done = [d for d in BUILTIN_ACTIONS if d.type == "DONE"]
    return builtin + extra + done


def action_constraints(faculties: Iterable[Any]) -> list[str]:
    """The built-in rules, then the faculties' rules about their actions."""
    return [*BUILTIN_CONSTRAINTS, *(c for f in faculties for c in f.action_constraints())]


def clip_line(text: str, limit: int = EVENT_MAX_CHARS) -> str:
    """``text`` on one line (runs of whitespace become one space), cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_event(event: MemoryEvent, me: str = "you") -> str:
    """One transcript line, written from the agent's point of view (``me`` names the agent)."""
    content = clip_line(event.content)
    if event.role == "stimulus":
        if event.type == "THOUGHT":
            return f"{me} thought: {content}"
        if event.type == "INTERNAL_GOAL_FORMULATION":
            return f"{me} set a goal: {content}"
        who = event.source or "someone"
        return f"{who} -> {me} ({event.type}): {content}"
    if event.role == "action":
        arrow = f" -> {event.target}" if event.target else ""
        return f"{me} [{event.type}{arrow}]: {content}"
    return f"(note) {content}"


def _time_label(sim_time: str | None) -> str | None:
    if not sim_time:
        return None
    try:
        return datetime.fromisoformat(sim_time).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return sim_time


def render_episodes(memory: Any, prefix: int | None = None, lookback: int | None = None) -> str:
    """The bounded transcript of an episodic memory (or an agent's): first ``prefix`` events,
    an omission marker, last ``lookback`` (defaults: the agent's settings, else the configuration's)."""
    if prefix is None or lookback is None:
        settings = getattr(memory, "settings", None) or AgentSettings.from_config()  # an agent's, resolved once
        prefix = settings.episodic_prefix if prefix is None else prefix
        lookback = settings.episodic_lookback if lookback is None else lookback
    memory = getattr(memory, "episodic_memory", memory)
    head, omitted, tail = memory.window(prefix, lookback)
    if not head and not tail:
        return "(nothing yet)"
    lines: list[str] = []
    last_time: str | None = None
    for part, events in (("head", head), ("tail", tail)):
        if part == "tail" and omitted:
            lines.append(f"… ({omitted} events omitted) …")
        for event in events:
            label = _time_label(event.sim_time)
            if label and label != last_time:
                lines.append(f"@ {label}")
                last_time = label
            lines.append(render_event(event))
    return "\n".join(lines)


@dataclass(frozen=True)
class TurnPrompt:
    """The parts' contributions to one turn: who, which actions and rules, what happened, the situation."""

    name: str
    persona: str
    definitions: tuple[ActionDefinition, ...]
    constraints: tuple[str, ...]
    episodes: str
    sections: tuple[str, ...]
    images: tuple[ImageRef, ...] = ()  # images seen in the transcript window (shown to models that see)
    language: str = ""  # the language the person speaks ("" or English: no instruction)

    @property
    def action_types(self) -> tuple[str, ...]:
        return tuple(d.type for d in self.definitions)

    @property
    def situation(self) -> str:
        return "\n".join(s for s in self.sections if s)

    def system(self) -> str:
        actions, constraints = _rules(self.definitions, self.constraints)
        text = render("agent_system.md", name=self.name, persona=self.persona, actions=actions,
                      constraints=constraints)
        return text + language_line(self.language) + _boundaries(config_manager.generation)

    def messages(self, extra: Sequence[Message] = ()) -> list[Message]:
        """The messages of the turn's LLM call (``extra`` appended, e.g. a judge's feedback)."""
        user = render("agent_turn.md", episodes=self.episodes, situation=self.situation, name=self.name)
        return [Message(role="system", content=self.system()), Message(role="user", content=user, images=self.images),
                *extra]


@lru_cache(maxsize=64)
def _rules(definitions: tuple[ActionDefinition, ...], constraints: tuple[str, ...]) -> tuple[str, str]:
    """The action and rule lines of a system prompt (the same for every agent of one shape)."""
    actions = "\n".join(f"- {d.type}: {d.description}" for d in definitions if d.type != "DONE")
    return actions, "\n".join(f"- {c}" for c in constraints)


@lru_cache(maxsize=4)
def _boundaries(generation: int) -> str:
    """The responsible-AI section, read once per generation of the configuration."""
    return rai_section()


def render_situation(agent: Any) -> str:
    """The situation section of ``agent``'s next turn prompt."""
    return agent.turn_prompt().situation
