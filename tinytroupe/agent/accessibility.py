"""Whom an agent can interact with: names, how it relates to each, and (when known) the agents themselves."""

from __future__ import annotations

from typing import Any

from tinytroupe.contracts import AgentView

__all__ = ["Accessibility", "people_text"]


def people_text(relations: dict[str, str]) -> str:
    """Names grouped by relation, each relation written once: "Ann, Bob (colleagues); Cy (brother)"."""
    groups: dict[str, list[str]] = {}
    for name, relation in relations.items():
        groups.setdefault(relation, []).append(name)
    return "; ".join(", ".join(names) + (f" ({relation})" if relation else "") for relation, names in groups.items())


class Accessibility:
    """An agent's accessible agents, in the order they became accessible."""

    def __init__(self, relations: dict[str, str] | None = None):
        self.relations: dict[str, str] = dict(relations or {})
        self._refs: dict[str, Any] = {}

    def add(self, agent: Any, relation: str) -> None:
        self.relations[agent.name] = relation
        self._refs[agent.name] = agent

    def remove(self, name: str) -> None:
        self.relations.pop(name, None)
        self._refs.pop(name, None)

    def clear(self) -> None:
        self.relations.clear()
        self._refs.clear()

    def agents(self, *lookups: dict[str, Any] | Any) -> list[Any]:
        """The accessible agents that still exist: the known object, else the first lookup that finds one."""
        found = []
        for name in self.relations:
            agent = self._refs.get(name)
            for lookup in lookups:
                if agent is not None:
                    break
                agent = lookup.get(name) if lookup is not None else None
            if agent is not None:
                found.append(agent)
        return found

    def prompt_section(self, view: AgentView) -> str:
        people = people_text(self.relations) if self.relations else "nobody in particular"
        return f"People you can interact with: {people}"

    def to_state(self) -> list[dict[str, str]]:
        return [{"name": n, "relation": r} for n, r in self.relations.items()]

    @classmethod
    def from_state(cls, state: list[dict[str, Any]]) -> Accessibility:
        return cls({str(e["name"]): str(e.get("relation", "")) for e in state or [] if isinstance(e, dict) and "name" in e})
