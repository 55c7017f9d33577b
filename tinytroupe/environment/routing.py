"""How a world delivers what its agents do: TALK to listeners, REACH_OUT between agents, broadcasts.

:class:`Routing` is the part of :class:`~tinytroupe.environment.TinyWorld` that turns actions
into stimuli. Subclasses change a policy by overriding ``_handle_talk`` or
``_handle_reach_out`` (as :class:`~tinytroupe.environment.TinySocialNetwork` does). Routing
never raises on what a model wrote: an unknown target is broadcast or dropped with a
``world.delivery_dropped`` event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from tinytroupe import events
from tinytroupe.contracts import (
    ActionKind,
    ActionValue,
    Agent,
    Stimulus,
    StimulusKind,
    WorldDeliveryDropped,
    WorldReachOutRefused,
    clean_name,
    resolve_name,
    sender_name,
)
from tinytroupe.display import request_display
from tinytroupe.transactions import transactional

__all__ = ["Routing", "conversation"]

logger = logging.getLogger(__name__)


def conversation(speech: Any, source: Any) -> Stimulus:
    """What ``listen(speech, source)`` perceives, made once for all the listeners of a broadcast."""
    text = speech if isinstance(speech, str) else json.dumps(speech, ensure_ascii=False)
    return Stimulus(StimulusKind.CONVERSATION, text, sender_name(source))


class Routing:
    """Action handlers and broadcasts shared by every kind of world.

    Expects the host to provide ``name``, ``agents``, ``name_to_agent``,
    ``broadcast_if_no_target``, ``_sim_time()`` and ``recording()``.
    """

    name: str
    agents: list[Agent]
    name_to_agent: dict[str, Agent]
    broadcast_if_no_target: bool

    # -- looking agents up ----------------------------------------------------------------
    def get_agent_by_name(self, name: str | None) -> Agent | None:
        """The agent of this world called ``name`` (exactly), or None."""
        if name is None:
            return None
        return self.name_to_agent.get(name)

    def resolve_target(self, target: Any) -> Agent | None:
        """The agent a model meant by ``target``, or None (the rule of :func:`~tinytroupe.contracts.resolve_name`)."""
        name = resolve_name(target, self.name_to_agent)
        return None if name is None else self.name_to_agent[name]

    # -- action handlers --------------------------------------------------------------------
    def _handle_actions(self, source: Agent, actions: Iterable[ActionValue]) -> None:
        """Route each action of ``source`` that affects others (TALK, REACH_OUT)."""
        for action in actions:
            if action.type == ActionKind.TALK:
                self._handle_talk(source, action.content, action.target)
            elif action.type == ActionKind.REACH_OUT:
                self._handle_reach_out(source, action.content, action.target)

    def _handle_talk(self, source_agent: Agent, content: Any, target: Any) -> None:
        """Deliver speech to its target, or to everyone else when the target is missing or unknown."""
        target_agent = self.resolve_target(target)
        if target_agent is source_agent and target_agent is not None:
            self._drop(source_agent, target, "an agent cannot talk to itself")
            return
        if target_agent is not None:
            target_agent.listen(content, source=source_agent)
            return
        if self.broadcast_if_no_target:
            self.broadcast(content, source=source_agent)
            return
        reason = "no target given" if not clean_name(target) else f"no agent named {target!r} in this world"
        self._drop(source_agent, target, reason)

    def _handle_reach_out(self, source_agent: Agent, content: Any, target: Any) -> None:
        """Make the two agents accessible to each other and tell both (always allowed here)."""
        target_agent = self.resolve_target(target)
        if target_agent is None or target_agent is source_agent:
            reason = "an agent cannot reach out to itself" if target_agent is source_agent \
                else f"no agent named {target!r} in this world"
            self._refuse_reach_out(source_agent, target, reason)
            return
        source_agent.make_agent_accessible(target_agent)
        target_agent.make_agent_accessible(source_agent)
        source_agent.socialize(f"You reached out to {target_agent.name}, who can now interact with you.",
                               source=self.name)
        target_agent.socialize(f"{source_agent.name} reached out to you and can now interact with you.",
                               source=self.name)

    def _drop(self, source_agent: Agent, target: Any, reason: str) -> None:
        events.emit(WorldDeliveryDropped(self.name, getattr(source_agent, "name", None),
                                            None if target is None else str(target), reason),
                    source=self.name, sim_time=self._sim_time())

    def _refuse_reach_out(self, source_agent: Agent, target: Any, reason: str) -> None:
        events.emit(WorldReachOutRefused(self.name, source_agent.name, None if target is None else str(target),
                                            reason), source=self.name, sim_time=self._sim_time())
        source_agent.socialize(f"Your attempt to reach out to {target} failed: {reason}.", source=self.name)

    # -- broadcasts ---------------------------------------------------------------------------
    @transactional("TinyWorld.broadcast")
    def broadcast(self, speech: str, source: Any = None) -> None:
        """Deliver ``speech`` to every agent of the world except ``source``.

        Every listener hears one shared stimulus (agents that listen as TinyPerson does also share
        the memory event it makes), so a crowd's broadcast costs little per listener.
        """
        request_display()
        with self.recording():
            shared = conversation(speech, source)
            for agent in list(self.agents):
                if agent is not source:
                    agent.hear(shared, speech, source)

    @transactional("TinyWorld.broadcast_thought")
    def broadcast_thought(self, thought: str, source: Any = None) -> None:
        """Make every agent think ``thought``."""
        with self.recording():
            for agent in list(self.agents):
                agent.think(thought)

    @transactional("TinyWorld.broadcast_internal_goal")
    def broadcast_internal_goal(self, internal_goal: str) -> None:
        """Give every agent the goal ``internal_goal``."""
        with self.recording():
            for agent in list(self.agents):
                agent.internalize_goal(internal_goal)

    @transactional("TinyWorld.broadcast_context_change")
    def broadcast_context_change(self, context: list[str]) -> None:
        """Change every agent's situational context."""
        with self.recording():
            for agent in list(self.agents):
                agent.change_context(context)

    def make_everyone_accessible(self) -> None:
        """Make all agents of the world accessible to each other."""
        for agent in self.agents:
            for other in self.agents:
                if other is not agent:
                    agent.make_agent_accessible(other)

    # provided by the host
    def _sim_time(self) -> str | None:  # pragma: no cover - overridden
        return None

    def recording(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError
