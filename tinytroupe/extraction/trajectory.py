"""What the results layer reads from a simulation: agents' histories and a world's agents.

The one place that knows how agents and worlds expose what happened, so extraction,
reduction and reports stay the same when those classes change inside.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tinytroupe.errors import SpecificationError

__all__ = ["agent_name", "agent_history", "agent_events", "world_agents", "agent_persona", "names", "fork_agent",
           "minibio"]


def agent_name(agent: Any) -> str:
    name = getattr(agent, "name", None)
    if not isinstance(name, str) or not name:
        raise SpecificationError(f"{agent!r} is not a TinyPerson: it has no name")
    return name


def agent_history(agent: Any) -> str:
    """The agent's whole remembered history (stimuli and actions) as transcript lines."""
    text = agent.pretty_current_interactions(max_content_length=None)
    return text if text.strip() else "(nothing has happened to this person yet)"


def agent_events(agent: Any) -> list[dict[str, Any]]:
    """The agent's remembered events as plain dicts: role, type, content, source, target, sim_time."""
    memory = getattr(agent, "episodic_memory", None)
    if memory is None:
        return []
    return [event.to_dict() if hasattr(event, "to_dict") else dict(event) for event in memory.retrieve_all()]


def world_agents(world: Any) -> list[Any]:
    """The agents of ``world``, in the world's order."""
    agents = getattr(world, "agents", None)
    if agents is None:
        raise SpecificationError(f"{world!r} is not a TinyWorld: it has no agents")
    return list(agents)


def agent_persona(agent: Any) -> dict[str, Any]:
    """The agent's persona as a plain dict."""
    persona = getattr(agent, "persona", None)
    if callable(persona):
        persona = persona()
    return dict(persona or {})


def names(agents: Iterable[Any]) -> list[str]:
    return [agent_name(a) for a in agents]


def fork_agent(agent: Any) -> Any:
    """A copy of ``agent`` in its exact state that lives outside the name registry, so what
    happens to the copy (an interview) leaves the original's memories as they were."""
    from tinytroupe.agent import TinyPerson, registry

    with registry.detached():
        copy = TinyPerson(agent.name, model=getattr(agent, "model", None))
    copy.decode_complete_state(agent.encode_complete_state())
    return copy


def minibio(agent: Any) -> str:
    describe = getattr(agent, "minibio", None)
    return describe() if callable(describe) else agent_name(agent)
