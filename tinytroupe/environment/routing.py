"""How a world delivers what its agents do: TALK to listeners, REACH_OUT between agents, broadcasts.

:class:`Routing` is the part of :class:`~tinytroupe.environment.TinyWorld` that turns actions
into stimuli. Subclasses change a policy by overriding ``_handle_talk`` or
``_handle_reach_out`` (as :class:`~tinytroupe.environment.TinySocialNetwork` does). Routing
never raises on what a model wrote: an unknown target is broadcast or dropped with a
``world.delivery_dropped`` event.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable
from typing import Any

from tinytroupe import events
from tinytroupe.contracts import (
    ActionKind,
    Agent,
    Stimulus,
    StimulusKind,
    WorldDeliveryDropped,
    WorldReachOutRefused,
)
from tinytroupe.transactions import transactional

__all__ = ["Routing", "action_of"]

logger = logging.getLogger(__name__)


def action_of(entry: Any) -> dict[str, Any]:
    """The ``{"type", "content", "target"}`` dict of one entry returned by ``aact(return_actions=True)``."""
    if isinstance(entry, dict):
        action = entry.get("action", entry)
    else:
        action = getattr(entry, "action", entry)
    if not isinstance(action, dict):
        if hasattr(action, "model_dump"):
            action = action.model_dump()
        else:
            action = {k: getattr(action, k, None) for k in ("type", "content", "target")}
    return action


def _shared_stimulus(speech: Any, source: Any) -> Stimulus:
    """What TinyPerson.listen(speech, source) would perceive, made once for all the listeners."""
    from tinytroupe.agent.tiny_person import TinyPerson, _request_display

    _request_display()
    sender = source.name if isinstance(source, TinyPerson) else (str(source) if source else "")
    text = speech if isinstance(speech, str) else json.dumps(speech, ensure_ascii=False)
    return Stimulus(StimulusKind.CONVERSATION, text, sender)


@functools.cache
def _plain_listener(cls: type) -> bool:
    """Whether agents of ``cls`` listen exactly as TinyPerson does (so they can take a shared stimulus)."""
    from tinytroupe.agent.tiny_person import TinyPerson

    return issubclass(cls, TinyPerson) and cls.listen is TinyPerson.listen and cls.perceive is TinyPerson.perceive


def _clean_name(name: Any) -> str:
    return str(name or "").strip().strip("@\"'").strip()


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
        """The agent a model meant by ``target``, or None.

        Exact names win; then a case-insensitive match; then a unique match on the first
        word (small models often write "bob" or "Bob Smith" for "Bob").
        """
        wanted = _clean_name(target)
        if not wanted:
            return None
        if wanted in self.name_to_agent:
            return self.name_to_agent[wanted]
        lowered = wanted.casefold()
        for name, agent in self.name_to_agent.items():
            if name.casefold() == lowered:
                return agent
        first = lowered.split()[0]
        candidates = [a for n, a in self.name_to_agent.items() if n.casefold().split()[0] == first]
        return candidates[0] if len(candidates) == 1 else None

    # -- action handlers --------------------------------------------------------------------
    def _handle_actions(self, source: Agent, actions: Iterable[Any]) -> None:
        """Route each action of ``source`` that affects others (TALK, REACH_OUT)."""
        for entry in actions or []:
            action = action_of(entry)
            kind = str(action.get("type") or "").upper()
            content = action.get("content")
            target = action.get("target")
            if kind == ActionKind.TALK:
                self._handle_talk(source, content, target)
            elif kind == ActionKind.REACH_OUT:
                self._handle_reach_out(source, content, target)

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
        reason = "no target given" if not _clean_name(target) else f"no agent named {target!r} in this world"
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
        events.publish(WorldDeliveryDropped(self.name, getattr(source_agent, "name", None),
                                            None if target is None else str(target), reason),
                       source=self.name, sim_time=self._sim_time())

    def _refuse_reach_out(self, source_agent: Agent, target: Any, reason: str) -> None:
        events.publish(WorldReachOutRefused(self.name, source_agent.name, None if target is None else str(target),
                                            reason), source=self.name, sim_time=self._sim_time())
        source_agent.socialize(f"Your attempt to reach out to {target} failed: {reason}.", source=self.name)

    # -- broadcasts ---------------------------------------------------------------------------
    @transactional("TinyWorld.broadcast")
    def broadcast(self, speech: str, source: Any = None) -> None:
        """Deliver ``speech`` to every agent of the world except ``source``.

        Agents whose ``listen`` is TinyPerson's own all perceive one shared stimulus (and share
        the memory event it makes), so a crowd's broadcast costs little per listener.
        """
        with self.recording():
            shared = _shared_stimulus(speech, source)
            for agent in list(self.agents):
                if agent is not source:
                    if _plain_listener(type(agent)):
                        agent.perceive(shared, bool(agent.communication_display))  # as listen() shows it
                    else:
                        agent.listen(speech, source=source)

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
