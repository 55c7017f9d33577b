"""The contracts a newcomer learns first: agents, worlds, stateful parts, stimuli and events.

Everything that plugs into an agent or a world is typed against these protocols, not
against the concrete classes, so ``control/`` (and anything else below ``environment/``)
never imports ``TinyPerson`` or ``TinyWorld``.

**Agent parts and faculties.** A ``TinyPerson`` orchestrates parts (turn ledger, mental
state, accessibility, episodic and semantic memory, quality stats, faculties). A part
implements :class:`Part`: ``to_state()`` returns plain JSON, a ``from_state(state)``
classmethod builds the part back, and ``prompt_section(view)`` (or an async
``aprompt_section(view)``, e.g. for retrieval) returns the text it adds to the situation in
the agent's turn prompt ('' for none), rendered from an :class:`AgentView`, never from the
agent's internals. To add a part, give it those methods, add a slot for it (state key,
attribute) to ``tinytroupe.agent.state.PARTS`` and its attribute to
``TinyPerson.PROMPT_PARTS``: encoding, decoding and the prompt pick it up. Faculties (``agent/mental_faculty.py``) are parts with more
hooks: ``action_definitions()`` and ``action_constraints()`` (offered to the model),
``process_action(agent, action)``, ``consolidate(agent, events)``, and
``prompt_section(agent)``; their saved entries are ``{"kind", "name", "state"}``.

**Events.** Domain code emits events (:mod:`tinytroupe.events`) of the kinds catalogued
here in :data:`EVENT_PAYLOADS`, each with a typed payload dataclass. ``event.payload``
gives the typed view; the console renderer, the transcript writer and the CLI summary read
payloads. Every event carries ``world_id`` and ``simulation_id``: who it belongs to.

**State types.** Recorded results in checkpoints name their type. Only types registered
with :func:`register_state_type` (the library's own, and the ones a user registers
explicitly) are ever decoded; anything else is refused, nothing is imported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from tinytroupe.state_types import (  # re-exported: part of the contracts
    LIBRARY_STATE_TYPES,
    STATE_TYPES,
    kind_class,
    kind_of,
    register_state_kind,
    register_state_type,
    state_type,
    state_type_name,
)

__all__ = [
    "StimulusKind", "ActionKind", "Stimulus", "AgentView",
    "Stateful", "Part", "Agent", "World",
    "EVENT_PAYLOADS", "payload_for", "event_kind",
    "AgentStimulus", "AgentAction", "AgentFallback", "AgentGuard", "AgentQuality",
    "WorldStep", "WorldSkip", "WorldIntervention", "WorldDeliveryDropped", "WorldReachOutRefused",
    "LLMCall", "LLMRetry", "LLMRepair", "ControlHit", "ControlMiss",
    "FactoryPerson", "FactoryFailed", "FactoryRetry", "FactoryPlan", "RunSaved", "ReportDisplay",
    "register_state_type", "state_type", "state_type_name", "STATE_TYPES", "LIBRARY_STATE_TYPES",
    "register_state_kind", "kind_of", "kind_class",
]


class StimulusKind(StrEnum):
    """What an agent perceives (the original's stimulus types)."""

    CONVERSATION = "CONVERSATION"
    VISUAL = "VISUAL"
    THOUGHT = "THOUGHT"
    INTERNAL_GOAL_FORMULATION = "INTERNAL_GOAL_FORMULATION"
    SOCIAL = "SOCIAL"


class ActionKind(StrEnum):
    """The built-in action types; faculties add their own (any upper-case word)."""

    TALK = "TALK"
    THINK = "THINK"
    REACH_OUT = "REACH_OUT"
    DONE = "DONE"


@dataclass(frozen=True)
class Stimulus:
    """Something delivered to an agent: its kind, content, and who sent it (a name, or '')."""

    kind: StimulusKind
    content: str
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, StimulusKind):
            object.__setattr__(self, "kind", StimulusKind(self.kind))
        if not isinstance(self.content, str):
            raise TypeError(f"Stimulus.content must be text, got {type(self.content).__name__}")


@dataclass(frozen=True)
class AgentView:
    """What a part may know when it renders its prompt section: never the agent itself."""

    name: str
    now: datetime | None = None
    in_world: bool = False
    recent: tuple[str, ...] = ()  # the latest remembered events' text (a relevance target)


# -- state ----------------------------------------------------------------------------------
@runtime_checkable
class Stateful(Protocol):
    """An object simulation control can snapshot and restore (agents, worlds, factories).

    A class may say what it is with a ``state_kind`` class attribute (``"agent"``,
    ``"world"``); an agent living only inside a forked world has ``detached`` true.
    """

    def encode_complete_state(self) -> dict[str, Any]: ...
    def decode_complete_state(self, state: dict[str, Any]) -> Any: ...


@runtime_checkable
class Part(Protocol):
    """One part of an agent: owns its state (``to_state``, and a ``from_state(state)``
    classmethod building a new part) and renders its own prompt section."""

    def to_state(self) -> Any: ...
    def prompt_section(self, view: AgentView) -> str: ...


# -- agents and worlds ------------------------------------------------------------------------
@runtime_checkable
class Agent(Stateful, Protocol):
    """What a world needs from an agent."""

    name: str
    environment: Any

    def listen(self, speech: Any, source: Any = None) -> Any: ...
    def socialize(self, social_description: Any, source: Any = None) -> Any: ...
    def think(self, thought: Any) -> Any: ...
    def internalize_goal(self, goal: Any) -> Any: ...
    def change_context(self, context: list[str]) -> Any: ...
    def make_agent_accessible(self, agent: Any, relation_description: str = ...) -> Any: ...
    def make_agent_inaccessible(self, agent: Any) -> Any: ...
    def make_all_agents_inaccessible(self) -> Any: ...
    async def aact(self, *args: Any, **kwargs: Any) -> Any: ...


@runtime_checkable
class World(Stateful, Protocol):
    """What an agent (and simulation control) needs from its world."""

    name: str
    id: str
    agents: list[Any]
    name_to_agent: dict[str, Any]

    @property
    def current_datetime(self) -> datetime | None: ...
    def restore_transcript(self, events: Iterable[Any]) -> None: ...
    def fork(self, new_name: str) -> Any: ...


# -- event payloads ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AgentStimulus:
    agent: str
    type: str
    content: str
    sender: str = ""
    display: bool = True

@dataclass(frozen=True)
class AgentAction:
    agent: str
    type: str
    content: str = ""
    target: str = ""
    display: bool = True

@dataclass(frozen=True)
class AgentFallback:
    """A turn the model could not give: the failure's type and a short, fixed reason (no raw text)."""

    agent: str
    error_type: str
    reason: str
    display: bool = True
    error: str = ""  # "<error_type>: <reason>"

    def __post_init__(self) -> None:
        if not self.error:
            object.__setattr__(self, "error", f"{self.error_type}: {self.reason}")

@dataclass(frozen=True)
class AgentGuard:
    agent: str
    reason: str
    note: str = ""
    display: bool = True

@dataclass(frozen=True)
class AgentQuality:
    agent: str
    score: int
    attempt: int
    passed: bool
    threshold: int
    feedback: str = ""
    scores: dict[str, int] = field(default_factory=dict)  # per criterion

@dataclass(frozen=True)
class WorldStep:
    world: str
    step: int
    run_step: int = 1
    total_steps: int = 1
    time: str | None = None

@dataclass(frozen=True)
class WorldSkip:
    world: str
    steps: int

@dataclass(frozen=True)
class WorldIntervention:
    world: str
    name: str
    step: int
    justification: str | None = None

@dataclass(frozen=True)
class WorldDeliveryDropped:
    world: str
    agent: str | None
    target: str | None
    reason: str

@dataclass(frozen=True)
class WorldReachOutRefused:
    world: str
    agent: str
    target: str | None
    reason: str

@dataclass(frozen=True)
class LLMCall:
    provider: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cached: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    cost: float | None = None

@dataclass(frozen=True)
class LLMRetry:
    attempt: int
    error: str = ""
    status: int | None = None
    delay: float = 0.0

@dataclass(frozen=True)
class LLMRepair:
    attempt: int
    mode: str
    problem: str
    output_type: str

@dataclass(frozen=True)
class ControlHit:
    simulation: str
    op: str
    receiver: str
    key: str
    replayed: dict[str, Any] = field(default_factory=dict)  # usage of the replayed calls

@dataclass(frozen=True)
class ControlMiss:
    simulation: str
    op: str
    receiver: str
    key: str

@dataclass(frozen=True)
class FactoryPerson:
    name: str
    index: int = 0
    batch_position: int = 0
    batch_size: int = 0
    attempts: int = 0
    minibio: str = ""
    verbose: bool = False

@dataclass(frozen=True)
class FactoryFailed:
    batch_position: int
    error: str = ""

@dataclass(frozen=True)
class FactoryRetry:
    batch_position: int
    reason: str = ""

@dataclass(frozen=True)
class FactoryPlan:
    dimensions: list[Any] = field(default_factory=list)

@dataclass(frozen=True)
class ReportDisplay:
    content: str = ""
    title: str | None = None

@dataclass(frozen=True)
class RunSaved:
    summary: str = ""
    state: str = ""
    transcript: str = ""
    checkpoint: str = ""


EVENT_PAYLOADS: dict[str, type] = {
    "agent.stimulus": AgentStimulus, "agent.action": AgentAction, "agent.fallback": AgentFallback,
    "agent.guard": AgentGuard, "agent.quality": AgentQuality,
    "world.step": WorldStep, "world.skip": WorldSkip, "world.intervention": WorldIntervention,
    "world.delivery_dropped": WorldDeliveryDropped, "world.reach_out_refused": WorldReachOutRefused,
    "llm.call": LLMCall, "llm.retry": LLMRetry, "llm.repair": LLMRepair,
    "control.hit": ControlHit, "control.miss": ControlMiss,
    "factory.person": FactoryPerson, "factory.failed": FactoryFailed, "factory.retry": FactoryRetry,
    "factory.plan": FactoryPlan, "cli.run_saved": RunSaved, "report.display": ReportDisplay,
}
"""Event kind -> payload dataclass. A kind not listed here has an untyped payload (its dict)."""

_KIND_OF = {cls: kind for kind, cls in EVENT_PAYLOADS.items()}


def event_kind(payload: Any) -> str:
    return _KIND_OF[type(payload)]  # the event kind of a payload instance


def payload_for(kind: str, data: Mapping[str, Any]) -> Any:
    """The typed payload of an event of ``kind`` (fields it does not know are left out;
    missing ones take their defaults); the plain dict for a kind with no payload class."""
    cls = EVENT_PAYLOADS.get(kind)
    if cls is None:
        return dict(data)
    known: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            known[f.name] = data[f.name]
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            known[f.name] = None
    return cls(**known)
