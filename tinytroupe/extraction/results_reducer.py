"""ResultsReducer: a simulation's events reduced to rows by rules, one rule per event type.

A rule is called for every remembered stimulus or action whose type it is registered for
(``"TALK"``, ``"CONVERSATION"``...) with the original's keyword arguments: ``focus_agent``,
``source_agent``, ``target_agent``, ``kind`` (``"stimulus"`` or ``"action"``), ``event``,
``content`` and ``timestamp``. What it returns becomes a row (``None`` skips the event)::

    reducer = ResultsReducer()
    reducer.add_reduction_rule("TALK", lambda focus_agent, source_agent, target_agent, content, **_:
                               {"author": source_agent.name, "target": target_agent.name, "content": content})
    reducer.reduce_agent_to_dataframe(lisa, column_names=["author", "target", "content"])

A participant that is not an agent (the world, a moderator) is passed as an object with a
``name`` only, so rules can read ``.name`` on either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.extraction import tables, trajectory

__all__ = ["ResultsReducer", "ExternalParticipant"]


@dataclass(frozen=True)
class ExternalParticipant:
    """Someone in an event who is not an agent (a world, a moderator): a name and nothing else."""

    name: str


class ResultsReducer:
    """Reduces agents' and worlds' histories to rows with rules (see the module docstring)."""

    def __init__(self) -> None:
        self.results: dict[str, list[Any]] = {}
        self.rules: dict[str, Callable[..., Any]] = {}

    def add_reduction_rule(self, trigger: str, func: Callable[..., Any]) -> ResultsReducer:
        """Call ``func`` for every event of type ``trigger``; one rule per type."""
        if trigger in self.rules:
            raise SpecificationError(f"ResultsReducer: there is already a rule for {trigger!r}; "
                                     "one rule per event type (combine them in one function)")
        if not callable(func):
            raise SpecificationError(f"ResultsReducer: the rule for {trigger!r} must be callable")
        self.rules[trigger] = func
        return self

    def reduce_agent(self, agent: Any) -> list[Any]:
        """The rows the rules make from ``agent``'s remembered events, oldest first."""
        rows = []
        for event in trajectory.agent_events(agent):
            rule = self.rules.get(event["type"])
            if rule is None or event["role"] not in ("stimulus", "action"):
                continue
            if event["role"] == "stimulus":
                kind, source, target = "stimulus", _participant(event["source"]), agent
            else:
                kind, source, target = "action", agent, _participant(event["target"])
            row = rule(focus_agent=agent, source_agent=source, target_agent=target, kind=kind,
                       event=event["type"], content=event["content"], timestamp=event.get("sim_time"))
            if row is not None:
                rows.append(row)
        self.results[trajectory.agent_name(agent)] = rows
        return rows

    def reduce_agents(self, agents: Iterable[Any]) -> list[Any]:
        """The rows of every agent in turn."""
        return [row for agent in agents for row in self.reduce_agent(agent)]

    def reduce_world(self, world: Any) -> list[Any]:
        """The rows of every agent of ``world``, in the world's order."""
        return self.reduce_agents(trajectory.world_agents(world))

    def reduce_agent_to_dataframe(self, agent: Any, column_names: Sequence[str] | None = None) -> Any:
        """:meth:`reduce_agent` as a pandas DataFrame with ``column_names`` (needs the analysis extra)."""
        return tables.to_dataframe(self.reduce_agent(agent), column_names)

    def reduce_world_to_dataframe(self, world: Any, column_names: Sequence[str] | None = None) -> Any:
        """:meth:`reduce_world` as a pandas DataFrame."""
        return tables.to_dataframe(self.reduce_world(world), column_names)


def _participant(name: str) -> Any:
    if not name:
        return None
    from tinytroupe.agent import TinyPerson

    return TinyPerson.get_agent_by_name(name) or ExternalParticipant(name)
