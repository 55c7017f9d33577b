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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

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
    max_everyone_accessible: int
    # in a crowd (a world of more than max_everyone_accessible agents), how many untargeted
    # replies of one step every listener hears in full; the others are summarised (see CrowdRound)
    crowd_replies_heard: ClassVar[int] = 20
    _round: CrowdRound | None = None

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
            if self._round is None or self._round.admit(source_agent):
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

    # -- a step's deliveries -------------------------------------------------------------------
    @contextmanager
    def delivery_round(self) -> Iterator[None]:
        """The deliveries of one step: in a crowd, untargeted replies past ``crowd_replies_heard``
        are not delivered one by one; when the round ends each listener hears one summary of them.

        A room-sized world delivers every reply in full, as before. A round that fails (an error
        in the step) delivers no summary.
        """
        if self._round is not None or len(self.agents) <= self.max_everyone_accessible:
            yield
            return
        self._round = CrowdRound(self.crowd_replies_heard)
        try:
            yield
        finally:
            round_, self._round = self._round, None
        self._deliver_summary(round_)

    def _deliver_summary(self, round_: CrowdRound) -> None:
        """Tell every listener, in one shared line, who else spoke in the round without being heard."""
        if not round_.unheard:
            return
        stimuli: dict[str, Stimulus] = {}  # one stimulus per distinct summary text
        with self.recording():
            for agent in list(self.agents):
                text = round_.summary_for(agent.name)
                if text:
                    stimulus = stimuli.get(text) or stimuli.setdefault(
                        text, Stimulus(StimulusKind.SOCIAL, text, self.name))
                    agent.hear(stimulus, text, self.name)

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


class CrowdRound:
    """One step of a crowd: the first ``heard`` untargeted replies reach every listener in full;
    the speakers of the others are only counted (and the first few named) in a summary."""

    NAMED = 3  # speakers named in the summary

    def __init__(self, heard: int):
        self.heard = heard
        self.delivered = 0
        self.unheard: list[str] = []  # speakers of the replies past the bound, in delivery order
        self._speakers: set[str] = set()
        self._texts: dict[tuple[int, tuple[str, ...]], str] = {}  # one text object per distinct summary

    def admit(self, source: Agent) -> bool:
        """Whether this reply is delivered in full (else it is counted for the summary)."""
        if self.delivered < self.heard:
            self.delivered += 1
            return True
        self.unheard.append(source.name)
        self._speakers.add(source.name)
        return False

    def summary_for(self, listener: str) -> str:
        """What ``listener`` hears of the replies it did not hear in full ('' when none were others')."""
        own = listener in self._speakers
        count = len(self.unheard) - (1 if own else 0)
        if count <= 0:
            return ""
        names = tuple(n for n in self.unheard[: self.NAMED + 1] if n != listener)[: self.NAMED]
        key = (count, names)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = _summary_text(count, names)
        return text


def _summary_text(count: int, names: tuple[str, ...]) -> str:
    others = count - len(names)
    who = ", ".join(names) + (f" and {others:,} others" if others else "")
    if not others and len(names) > 1:
        who = ", ".join(names[:-1]) + f" and {names[-1]}"
    verb = "were" if count > 1 else "was"
    return (f"{who} {verb} also speaking at the same time; in the crowd you could not make out "
            "what they said.")
