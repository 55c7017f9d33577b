"""The contracts a newcomer learns first: agents, worlds, stateful parts, stimuli and events.

Everything that plugs into an agent or a world is typed against these protocols, not
against the concrete classes, so ``control/`` (and anything else below ``environment/``)
never imports ``TinyPerson`` or ``TinyWorld``.

**Agent parts and faculties.** A ``TinyPerson`` orchestrates parts (turn ledger, mental
state, accessibility, episodic and semantic memory, memory keeper, quality stats, faculties).
A part implements :class:`Part`: ``to_state()`` returns plain JSON, a ``from_state(state)``
classmethod builds the part back, and ``prompt_section(view)`` (or an async
``aprompt_section(view)``, e.g. for retrieval) returns the text it adds to the situation in
the agent's turn prompt ('' for none), rendered from an :class:`AgentView`. A part that needs
more of its agent is given it once, when attached (``tinytroupe.agent.parts.AgentHandle``).
Faculties are bound to their agent when attached and answer the same hooks, plus
``action_definitions()``, ``action_constraints()`` and ``ahandle(action)``, which returns a
typed result (``tinytroupe.agent.parts``); faculties written against the original's interface
(``process_action(agent, action)``, ``prompt_section(agent)``) are adapted there.

**Agents and worlds.** A world drives an agent through :class:`Agent`: ``aturn()`` returns the
turn's actions as :class:`Acted` values, which the world routes (targets resolved by
:func:`resolve_name`, the one rule); a broadcast is one :class:`Stimulus` that each agent
takes in with ``hear()``.

**Events.** Domain code emits typed payloads (:mod:`tinytroupe.events`); every kind is
catalogued in :data:`EVENT_PAYLOADS` (:mod:`tinytroupe.event_payloads`, re-exported here) with
its frozen payload dataclass. ``event.payload``
gives the typed view; the console renderer, the transcript writer and the CLI summary read
payloads. Every event carries ``world_id`` and ``simulation_id``: who it belongs to.

**State types.** Recorded results in checkpoints name their type. Only types registered
with :func:`register_state_type` (the library's own, and the ones a user registers
explicitly) are ever decoded; anything else is refused, nothing is imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from tinytroupe.errors import (
    BadRequestError,
    ProviderError,
    StructuredOutputError,
    TransientError,
)
from tinytroupe.event_payloads import *  # noqa: F403 - re-exported: the event catalogue
from tinytroupe.event_payloads import __all__ as _PAYLOAD_NAMES
from tinytroupe.state.registered import (  # re-exported: part of the contracts
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
    "StimulusKind", "ActionKind", "Stimulus", "ActionValue", "Acted", "AgentView", "Failure", "failure_of",
    "clean_name", "resolve_name", "sender_name",
    "Stateful", "Part", "Agent", "World",
    *_PAYLOAD_NAMES,
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


class ActionValue(Protocol):
    """An action as a world reads it (``tinytroupe.agent.actions.Action`` is the library's)."""

    type: str
    content: str
    target: str

    def to_dict(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class Acted:
    """One action an agent took in a turn, with its cognitive state at that moment: what a turn
    hands its world (``to_dict()`` is the original's ``return_actions`` entry)."""

    action: ActionValue
    cognitive_state: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action.to_dict(), "cognitive_state": dict(self.cognitive_state)}


def clean_name(name: Any) -> str:
    """A name as a model may write it, without the quotes, ``@`` and spaces around it."""
    return str(name or "").strip().strip("@\"'").strip()


def resolve_name(target: Any, names: Iterable[str]) -> str | None:
    """The name among ``names`` a model meant by ``target``, or None: the one rule for targets.

    An exact name wins; then a case-insensitive match; then a unique match on the first word
    (small models often write "bob" or "Bob Smith" for "Bob").
    """
    wanted = clean_name(target)
    if not wanted:
        return None
    names = list(names)
    if wanted in names:
        return wanted
    lowered = wanted.casefold()
    for name in names:
        if name.casefold() == lowered:
            return name
    first = lowered.split()[0]
    candidates = [n for n in names if n.casefold().split()[0] == first]
    return candidates[0] if len(candidates) == 1 else None


@dataclass(frozen=True)
class Failure:
    """Why a turn fell back: the error's type and a short reason of our own wording."""

    error_type: str
    reason: str


_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (StructuredOutputError, "the model's reply was not a usable turn"),
    (TransientError, "the model service gave no reply (a timeout or a lost connection)"),
    (BadRequestError, "the model service refused the request"),
    (ProviderError, "the model service failed"),
)


def failure_of(error: BaseException) -> Failure:
    """The error's type and a short reason of our own: never the error's text (it may hold
    server messages, URLs or credentials)."""
    status = getattr(error, "status", None) if isinstance(error, ProviderError) else None
    if status:  # what the server answered, in our words: its own text may hold anything
        verb = "was rate limiting" if status == 429 else "failed" if status >= 500 else "refused the request"
        reason = f"the model service {verb} (HTTP {status})"
    else:
        reason = next((text for cls, text in _REASONS if isinstance(error, cls)), "the model call failed")
    return Failure(type(error).__name__, getattr(error, "short_reason", None) or reason)


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
    async def aturn(self, communication_display: bool | None = None) -> list[Acted]: ...
    def hear(self, stimulus: Stimulus, speech: Any, source: Any = None) -> Any: ...


def sender_name(source: Any) -> str:
    """Who a stimulus comes from, as its receiver records it: an agent's name, else the text of
    ``source`` ('' for none)."""
    return source.name if isinstance(source, Agent) else (str(source) if source else "")


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
