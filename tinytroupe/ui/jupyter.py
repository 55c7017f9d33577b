"""Jupyter display helpers: an agent card and its recent interactions as HTML.

Agents already show as Markdown in a notebook (``TinyPerson._repr_markdown_``); these helpers
give a richer card. ``show(agent)`` displays it when IPython is there and returns the HTML.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["agent_html", "interactions_html", "show"]

_ROLE_COLOURS = {"stimulus": "#0b7285", "action": "#2b8a3e", "note": "#a08000"}


def agent_html(agent: Any) -> str:
    """An HTML card: name, mini biography, location, goals and memory size."""
    state = agent.mental_state
    rows = [("Location", state.location), ("Context", "; ".join(state.context)), ("Goals", state.goals),
            ("Emotions", state.emotions),
            ("Can reach", ", ".join(agent.accessible_agent_relations())),
            ("Memory", f"{len(agent.episodic_memory)} events")]
    body = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th>"
                   f"<td>{html.escape(str(v))}</td></tr>" for k, v in rows if v)
    return (f"<div style='border:1px solid #ccc;border-radius:6px;padding:8px'>"
            f"<b>{html.escape(agent.name)}</b> <i>(TinyPerson)</i>"
            f"<p>{html.escape(agent.minibio())}</p><table>{body}</table></div>")


def interactions_html(agent: Any, last_n: int = 20) -> str:
    """The agent's last ``last_n`` remembered events, coloured by role."""
    lines = []
    for event in agent.episodic_memory.retrieve_last(last_n):
        colour = _ROLE_COLOURS.get(event.role, "#333")
        who = event.source if event.role == "stimulus" and event.source else agent.name
        arrow = f" → {event.target}" if event.target else ""
        lines.append(f"<div style='color:{colour}'><b>{html.escape(who)}{html.escape(arrow)}</b> "
                     f"[{html.escape(event.type)}] {html.escape(event.content)}</div>")
    return "".join(lines) or "<i>no interactions yet</i>"


def show(agent: Any, interactions: bool = True) -> str:
    """Display the agent card (and its interactions) in Jupyter; returns the HTML either way."""
    text = agent_html(agent) + (interactions_html(agent) if interactions else "")
    try:
        from IPython.display import HTML, display
    except ImportError:
        return text
    display(HTML(text))
    return text
