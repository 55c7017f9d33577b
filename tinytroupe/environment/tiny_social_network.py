"""TinySocialNetwork: a world whose agents reach only the agents they are related to.

::

    net = TinySocialNetwork("Office", seed=1)
    net.add_relation(lisa, oscar, name="coworkers")
    net.run(2)

At the start of every step each agent's accessible agents are set from the relations. A
``REACH_OUT`` to an unrelated agent is refused: the agent is told, and a
``world.reach_out_refused`` event is emitted. ``TALK`` is routed as in any world.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tinytroupe.environment.tiny_world import TinyWorld
from tinytroupe.errors import StateError

__all__ = ["TinySocialNetwork"]


class TinySocialNetwork(TinyWorld):
    """A world with named relations between pairs of agents."""

    _everyone_accessible_on_add: ClassVar[bool] = False

    def __init__(self, name: str = "A TinySocialNetwork", broadcast_if_no_target: bool = True, **kwargs: Any):
        self.relations: dict[str, list[tuple[Any, Any]]] = {}
        super().__init__(name, broadcast_if_no_target=broadcast_if_no_target, **kwargs)

    def add_relation(self, agent_1: Any, agent_2: Any, name: str = "default") -> TinySocialNetwork:
        """Relate two agents (adding them to the network when needed); returns the network. Relating
        the same pair again adds the pair again, as the original does."""
        for agent in (agent_1, agent_2):
            if agent not in self.agents:
                self.add_agent(agent)
        self.relations.setdefault(name, []).append((agent_1, agent_2))  # a repeated relation is kept, as in the original
        return self

    def remove_agent(self, agent: Any) -> TinySocialNetwork:
        """Take ``agent`` out of the network and out of every relation."""
        super().remove_agent(agent)
        for name, pairs in self.relations.items():
            self.relations[name] = [p for p in pairs if agent not in p]
        return self

    def is_in_relation_with(self, agent_1: Any, agent_2: Any, relation_name: str | None = None) -> bool:
        """Whether the two agents are related (by ``relation_name``, or by any relation)."""
        names = [relation_name] if relation_name is not None else list(self.relations)
        for name in names:
            for pair in self.relations.get(name, []):
                if pair == (agent_1, agent_2) or pair == (agent_2, agent_1):
                    return True
        return False

    def related_agents(self, agent: Any) -> list[Any]:
        """The agents related to ``agent`` by any relation, in the order relations were added."""
        found: list[Any] = []
        for pairs in self.relations.values():
            for a, b in pairs:
                other = b if a is agent else a if b is agent else None
                if other is not None and other not in found:
                    found.append(other)
        return found

    # -- stepping and routing ----------------------------------------------------------------
    def _before_interventions(self) -> None:
        self._update_agents_contexts()

    def _update_agents_contexts(self) -> None:
        """Set every agent's accessible agents from the relations."""
        for agent in self.agents:
            agent.make_all_agents_inaccessible()
        for name, pairs in self.relations.items():
            for a, b in pairs:
                a.make_agent_accessible(b, relation_description=f"related to you ({name})")
                b.make_agent_accessible(a, relation_description=f"related to you ({name})")

    def _handle_reach_out(self, source_agent: Any, content: Any, target: Any) -> None:
        target_agent = self.resolve_target(target)
        if target_agent is not None and target_agent is not source_agent \
                and not self.is_in_relation_with(source_agent, target_agent):
            self._refuse_reach_out(source_agent, target_agent.name,
                                   f"{source_agent.name} and {target_agent.name} are not related in this network")
            return
        super()._handle_reach_out(source_agent, content, target)

    # -- state -------------------------------------------------------------------------------
    def _encode_extra(self) -> dict[str, Any]:
        return {"relations": {name: [[a.name, b.name] for a, b in pairs] for name, pairs in self.relations.items()}}

    def _decode_extra(self, state: dict[str, Any]) -> None:
        relations: dict[str, list[tuple[Any, Any]]] = {}
        for name, pairs in (state.get("relations") or {}).items():
            restored = []
            for pair in pairs:
                agents = [self.name_to_agent.get(n) for n in pair]
                if len(agents) != 2 or None in agents:
                    raise StateError(f"network state field 'relations'['{name}'] names {pair!r}, "
                                     "which are not both agents of the saved network")
                restored.append((agents[0], agents[1]))
            relations[name] = restored
        self.relations = relations
