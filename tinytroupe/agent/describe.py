"""Readable text about an agent, with no LLM call: a mini biography and its recent interactions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinytroupe.agent.prompt import render_event

if TYPE_CHECKING:
    from tinytroupe.contracts import Agent

__all__ = ["minibio", "pretty_interactions", "markdown_card"]


def _join(values: object, limit: int = 3) -> str:
    if isinstance(values, list):
        return ", ".join(str(v).rstrip(".") for v in values[:limit])
    if isinstance(values, dict):
        return ", ".join(f"{k}: {v}" for k, v in list(values.items())[:limit])
    return str(values).rstrip(".") if values else ""


def minibio(agent: Agent, extended: bool = True) -> str:
    """One short paragraph: name, age, occupation, where they live, then traits and interests."""
    get = agent.get
    who = agent.name
    facts = []
    if get("age") is not None:
        facts.append(f"{get('age')} years old")
    title = get("occupation.title") or (get("occupation") if isinstance(get("occupation"), str) else None)
    if title:
        organization = get("occupation.organization")
        facts.append(f"{title}" + (f" at {organization}" if organization else ""))
    residence = get("residence") or get("country_of_residence")
    if residence:
        facts.append(f"living in {residence}")
    text = who + (" is " + ", ".join(facts) if facts else "") + "."
    if extended:
        traits = _join(get("personality.traits") or get("personality"))
        interests = _join(get("preferences.interests"))
        if traits:
            text += f" Personality: {traits}."
        if interests:
            text += f" Interests: {interests}."
    return text


def pretty_interactions(agent: Agent, first_n: int | None = None, last_n: int | None = None,
                        max_content_length: int | None = None, *, simplified: bool = True, skip_system: bool = True,
                        include_omission_info: bool = True) -> str:
    """The agent's remembered events as transcript lines (first ``first_n`` and/or last ``last_n``).

    ``skip_system`` leaves out the agent's own notes; ``simplified=False`` shows each event in
    the original's item shape; ``include_omission_info`` marks where events were left out.
    """
    events = agent.episodic_memory.retrieve_all()
    head, tail, omitted = events, [], 0
    if first_n is not None or last_n is not None:
        head = events[: first_n or 0]
        rest = events[len(head):]
        tail = rest[-last_n:] if last_n else []
        omitted = len(rest) - len(tail)
    lines = []
    for part in (head, tail):
        if part is tail and omitted and include_omission_info:
            lines.append(f"… ({omitted} events omitted) …")
        for event in part:
            if skip_system and event.role == "note":
                continue
            item = event.as_original()
            line = render_event(event, me=agent.name) if simplified else f"{item.get('role', 'note')}: {item['content']}"
            if max_content_length and len(line) > max_content_length:
                line = line[: max_content_length - 1] + "…"
            lines.append((f"[{event.sim_time}] " if event.sim_time else "") + line)
    return "\n".join(lines)


def markdown_card(agent: Agent) -> str:
    """A small Markdown view of the agent, for Jupyter."""
    lines = [f"**{agent.name}** (TinyPerson)", "", minibio(agent)]
    state = agent.mental_state
    if state.location:
        lines += ["", f"*Location:* {state.location}"]
    if state.goals:
        lines += [f"*Goals:* {state.goals}"]
    lines += ["", f"*Memory:* {len(agent.episodic_memory)} events; "
                  f"*accessible:* {', '.join(agent.accessible_agent_relations()) or 'nobody'}"]
    return "\n".join(lines)
