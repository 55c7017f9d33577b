"""Building an agent's prompt: persona, actions and rules, recent episodes, current situation.

Two messages: a system message that changes only when the persona or faculties change
(persona in compact form, action definitions, rules), and a user message with the bounded
episode transcript (first N events, an omission marker, last M events) and the mental state.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tinytroupe.agent.actions import BUILTIN_ACTIONS, BUILTIN_CONSTRAINTS, ActionDefinition
from tinytroupe.agent.memory import MemoryEvent
from tinytroupe.config import config_manager
from tinytroupe.llm.base import Message
from tinytroupe.prompts import render

if TYPE_CHECKING:
    from tinytroupe.agent.tiny_person import TinyPerson

__all__ = ["build_messages", "render_episodes", "render_event", "render_situation",
           "action_definitions", "EVENT_MAX_CHARS"]

EVENT_MAX_CHARS = 2000  # one remembered event is cut to this many characters in prompts


def action_definitions(agent: TinyPerson) -> list[ActionDefinition]:
    """The action types the agent may take: built-in ones, then its faculties' (DONE last).

    REACH_OUT is offered only inside a world: outside one, nobody could answer it. DONE is
    part of the list (replies may contain it) but is not shown to the model: a turn ends
    where its list of actions ends.
    """
    in_world = getattr(agent, "environment", None) is not None
    builtin = [d for d in BUILTIN_ACTIONS if d.type != "DONE" and (in_world or d.type != "REACH_OUT")]
    extra = [d for f in agent.mental_faculties for d in f.action_definitions()]
    done = [d for d in BUILTIN_ACTIONS if d.type == "DONE"]
    return builtin + extra + done


def _constraints(agent: TinyPerson) -> list[str]:
    return [*BUILTIN_CONSTRAINTS, *(c for f in agent.mental_faculties for c in f.action_constraints())]


def _clip(text: str, limit: int = EVENT_MAX_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_event(event: MemoryEvent, me: str = "you") -> str:
    """One transcript line, written from the agent's point of view (``me`` names the agent)."""
    content = _clip(event.content)
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


def render_episodes(agent: TinyPerson, prefix: int | None = None, lookback: int | None = None) -> str:
    """The bounded transcript: first ``prefix`` events, an omission marker, last ``lookback``."""
    prefix = int(config_manager.get("episodic_memory_fixed_prefix_length")) if prefix is None else prefix
    lookback = int(config_manager.get("episodic_memory_lookback_length")) if lookback is None else lookback
    head, omitted, tail = agent.episodic_memory.window(prefix, lookback)
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


def _current_time(agent: TinyPerson) -> str | None:
    env = getattr(agent, "environment", None)
    when = getattr(env, "current_datetime", None) if env is not None else None
    if when is None:
        return None
    return when.strftime("%A %Y-%m-%d %H:%M") if isinstance(when, datetime) else str(when)


def _people(relations: dict[str, str]) -> str:
    """Names grouped by relation, each relation written once: "Ann, Bob (colleagues); Cy (brother)"."""
    groups: dict[str, list[str]] = {}
    for name, relation in relations.items():
        groups.setdefault(relation, []).append(name)
    return "; ".join(", ".join(names) + (f" ({relation})" if relation else "") for relation, names in groups.items())


def render_situation(agent: TinyPerson) -> str:
    """The mental state section: time, place, context, people, goals, attention, emotions, faculties."""
    state = agent.mental_state
    lines = []
    now = _current_time(agent)
    if now:
        lines.append(f"Date and time: {now}")
    if state.location:
        lines.append(f"Location: {state.location}")
    if state.context:
        lines.append("Context: " + "; ".join(state.context))
    people = agent.accessible_agent_relations()
    if people:
        lines.append("People you can interact with: " + _people(people))
    else:
        lines.append("People you can interact with: nobody in particular")
    for label, value in (("Your reading of the situation", state.situation), ("Goals", state.goals),
                         ("Attention", state.attention), ("Emotions", state.emotions)):
        if value:
            lines.append(f"{label}: {value}")
    for faculty in agent.mental_faculties:
        section = faculty.prompt_section(agent)
        if section:
            lines.append(section)
    return "\n".join(lines)


def system_prompt(agent: TinyPerson) -> str:
    """The system message: who the agent is and how it acts."""
    actions = "\n".join(f"- {d.type}: {d.description}" for d in action_definitions(agent) if d.type != "DONE")
    constraints = "\n".join(f"- {c}" for c in _constraints(agent))
    return render("agent_system.md", name=agent.name, persona=agent.persona_text(),
                  actions=actions, constraints=constraints)


def build_messages(agent: TinyPerson) -> list[Message]:
    """The messages of one turn's LLM call."""
    user = render("agent_turn.md", episodes=render_episodes(agent), situation=render_situation(agent),
                  name=agent.name)
    return [Message(role="system", content=system_prompt(agent)), Message(role="user", content=user)]
