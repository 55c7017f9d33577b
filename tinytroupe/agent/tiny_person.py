"""TinyPerson: a simulated person who perceives stimuli and acts.

The class orchestrates; its parts own their state and do the work: :mod:`persona` (who),
:mod:`memory` (what happened), :mod:`mental_state` (where and how), :mod:`accessibility`
(whom it can reach), :mod:`ledger` (counters, last action, the action buffer),
:mod:`memory_keeper` (consolidation, retrieval, biography), :mod:`mental_faculty` (pluggable
abilities, bound to the agent once through :mod:`parts`), :mod:`quality` (optional judging).
The parts are listed once in :data:`tinytroupe.agent.state.PARTS`: encoding and decoding loop
over them. The turn loop is :mod:`acting`; :mod:`turn` decides a turn from the prompt the
parts rendered, without seeing the agent. Settings are resolved once, when the agent is built
(:class:`~tinytroupe.agent.settings.AgentSettings`). The original's conveniences live in
:mod:`legacy`, files and the name registry in :mod:`person_files`, memory methods in
:mod:`memory_api`. Every stimulus and action is stored in episodic memory and emitted as an
event owned by the agent's world; nothing here prints.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any, ClassVar

from tinytroupe import events, transactions
from tinytroupe.agent import registry
from tinytroupe.agent import state as state_module
from tinytroupe.agent.accessibility import Accessibility
from tinytroupe.agent.acting import MAX_FOLLOWUPS, ActingMixin  # noqa: F401 - MAX_FOLLOWUPS kept here
from tinytroupe.agent.compat_api import AgentState, OriginalAgentAPI, is_original_state
from tinytroupe.agent.ledger import TurnLedger
from tinytroupe.agent.legacy import LegacyPersonaMixin
from tinytroupe.agent.memory_api import MemoryMixin
from tinytroupe.agent.memory_keeper import MemoryKeeper
from tinytroupe.agent.mental_faculty import MentalFaculty
from tinytroupe.agent.mental_state import MentalState
from tinytroupe.agent.parts import AgentHandle, BoundFaculty
from tinytroupe.agent.person_files import SAVE_FORMAT, SAVE_VERSION, PersonFilesMixin
from tinytroupe.agent.persona import Persona
from tinytroupe.agent.quality import ActionGenerator, QualityStats
from tinytroupe.agent.seeing import visual_stimulus
from tinytroupe.agent.settings import AgentSettings
from tinytroupe.contracts import (
    AgentStimulus,
    Stimulus,
    StimulusKind,
    payload_of,
    register_state_kind,
)
from tinytroupe.display import request_display
from tinytroupe.errors import SpecificationError
from tinytroupe.llm.base import LLMModel
from tinytroupe.llm.images import ImageRef
from tinytroupe.memory.episodic import EpisodicMemory, MemoryEvent, SemanticMemory, shared_event
from tinytroupe.transactions import transactional

__all__ = ["TinyPerson", "DEFAULT_RELATION", "SAVE_FORMAT", "SAVE_VERSION"]

DEFAULT_RELATION = "An agent I can currently interact with."
_DISPLAY = ("communication_display",)  # display flags do not change what happens


class TinyPerson(ActingMixin, MemoryMixin, PersonFilesMixin, OriginalAgentAPI, LegacyPersonaMixin):
    """A simulated person. ``TinyPerson("Lisa")`` then ``define(...)``, stimuli, ``act()``."""

    all_agents: ClassVar[dict[str, TinyPerson]] = registry.all_agents
    state_kind: ClassVar[str] = "agent"

    def __init__(self, name: str, *, model: LLMModel | None = None, strict: bool = False,
                 enable_quality_checks: bool | None = None,
                 mental_faculties: Iterable[MentalFaculty] = (),
                 episodic_memory: EpisodicMemory | None = None,
                 semantic_memory: SemanticMemory | None = None,
                 enable_basic_action_repetition_prevention: bool = True):
        if not isinstance(name, str) or not name.strip():
            raise SpecificationError(f"TinyPerson: name must be a non-empty string, got {name!r}.")
        registry.register(self, name)
        self._persona = Persona({"name": name})
        self.model = model
        self.settings = AgentSettings.from_config(strict=strict, enable_quality_checks=enable_quality_checks,
                                                  repetition_guard=enable_basic_action_repetition_prevention)
        self.episodic_memory = episodic_memory or EpisodicMemory()
        self.semantic_memory = semantic_memory or SemanticMemory()
        self.mental_state = MentalState()
        self.memory_keeper = MemoryKeeper()  # consolidation, contextual retrieval, biography
        self.mental_faculties: list[MentalFaculty] = list(mental_faculties)
        self._bound: list[BoundFaculty] = []  # the faculties bound to this agent (see bound_faculties)
        self.accessibility = Accessibility()
        self.ledger = TurnLedger()
        self.quality_stats = QualityStats()
        self.action_generator = ActionGenerator()  # per-agent quality-check settings (TinyTroupe's name)
        self.environment: Any = None
        self.memory_keeper.bind(AgentHandle(self))
        transactions.register(self)

    # -- persona ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._persona.name  # type: ignore[return-value]

    @name.setter
    def name(self, value: str) -> None:
        """Rename the agent (its persona and its registry entry), as ``define("name", value)``."""
        self.define("name", value)

    @property
    def persona(self) -> dict[str, Any]:
        """A copy of the persona; change it with :meth:`define`."""
        return self._persona.to_dict()

    def persona_text(self) -> str:
        """The persona in the compact form used in prompts."""
        return self._persona.render()

    def get(self, path: str, default: Any = None) -> Any:
        """A persona value by dot path, e.g. ``get("occupation.title")``."""
        return self._persona.get(path, default)

    @transactional()
    def define(self, key: str | dict[str, Any], value: Any = None, merge: bool = False,
               overwrite_scalars: bool = True) -> TinyPerson:
        """``define(key, value)`` sets a field (dot paths allowed); ``define(dict)`` merges a dict in.
        With ``overwrite_scalars=False`` a field that already has a plain value keeps it."""
        old = self.name
        candidate = Persona(self._persona.to_dict())
        if isinstance(key, dict):
            candidate.merge(key, overwrite_scalars=overwrite_scalars)
        elif merge and isinstance(value, (dict, list)) and isinstance(candidate.get(key), type(value)):
            candidate.merge({key: value}, overwrite_scalars=overwrite_scalars)
        elif not overwrite_scalars and not isinstance(value, (dict, list)) and candidate.get(key, self) is not self:
            return self  # the original's meaning: an existing value is kept
        else:
            candidate.set(key, value)
        self._set_persona(candidate, previous_name=old)
        return self

    @transactional()
    def include_persona_definitions(self, additional_definitions: dict[str, Any]) -> TinyPerson:
        """Deep-merge ``additional_definitions`` in: lists joined without duplicates, conflicting scalars raise."""
        candidate = Persona(self._persona.to_dict())
        candidate.include(additional_definitions)
        self._set_persona(candidate)
        return self

    def _set_persona(self, persona: Persona, previous_name: str | None = None) -> None:
        new, old = persona.name, previous_name or self.name
        if not isinstance(new, str) or not new.strip():
            raise SpecificationError("persona field 'name' must stay a non-empty string.")
        if new != old:
            registry.rename(self, old, new)
        self._persona = persona

    # -- memory and time -------------------------------------------------------------------
    def sim_time(self) -> str | None:
        """The simulated time of the agent's world as ISO text, or None outside a world."""
        when = getattr(self.environment, "current_datetime", None)
        if when is None:
            return None
        return when.isoformat() if hasattr(when, "isoformat") else str(when)

    def record_event(self, role: str, type: str, content: str, source: str = "", target: str = "",
                     image: ImageRef | None = None) -> MemoryEvent:
        """Store one event in episodic memory, stamped with the simulated time.

        Events are immutable, so one broadcast heard by many agents is one shared object.
        """
        if image is None:
            event = shared_event(role, type, content, source, target, self.sim_time())
        else:
            event = MemoryEvent(role, type, content, source, target, self.sim_time(), image=image)  # type: ignore[arg-type]
        self.episodic_memory.store(event)
        self.ledger.current_episode_event_count += 1
        if self.ledger.current_episode_event_count >= self.settings.max_episode_length:
            self.consolidate_episode()
        return event

    def consolidate_episode(self) -> None:
        """End the current episode: the faculties' hook sees it, and it is queued for consolidation
        into semantic memory (at the end of the turn; see ``consolidate_episode_memories``)."""
        count = self.ledger.current_episode_event_count
        if self.settings.enable_memory_consolidation and count:
            episode = self.episodic_memory.retrieve_last(count)
            for part in self.bound_faculties():
                part.consolidate(episode)
            self.memory_keeper.queue_episode(episode)
        self.episodic_memory.commit_episode()
        self.ledger.current_episode_event_count = 0

    def _world_id(self) -> str | None:
        world_id = getattr(self.environment, "id", None)
        return world_id if isinstance(world_id, str) else None

    # -- stimuli ---------------------------------------------------------------------------
    def _perceive(self, kind: StimulusKind | str, content: Any, source: Any = None, display: bool | None = None,
                  image: ImageRef | None = None) -> TinyPerson:
        request_display()
        sender = source.name if isinstance(source, TinyPerson) else (str(source) if source else "")
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        self._take_in(str(kind), text, sender, self._shows(display), image)  # a StimulusKind or its text
        return self

    def perceive(self, stimulus: Stimulus, display: bool = True) -> None:
        """Take in one stimulus: remember it and emit it, owned by the world driving the agent
        (or, outside a world call, by the agent's own world)."""
        self._take_in(stimulus.kind.value, stimulus.content, stimulus.source, display)

    def _take_in(self, kind: str, text: str, sender: str, display: bool, image: ImageRef | None = None) -> None:
        # the hot path of every delivery: the AgentStimulus payload's fields, emitted directly
        self.record_event("stimulus", kind, text, source=sender, image=image)
        self.ledger.last_action = None  # something new happened: repeating oneself is no longer a loop
        if events.current_owner()[0] is not None:  # a world is driving this agent: its event
            events.emit(payload_of(AgentStimulus, agent=self.name, type=kind, content=text, sender=sender,
                                   display=display), self.name, self.sim_time())
            return
        with events.owner(self._world_id()):
            events.emit(payload_of(AgentStimulus, agent=self.name, type=kind, content=text, sender=sender,
                                   display=display), self.name, self.sim_time())

    @transactional(ignore=_DISPLAY)
    def listen(self, speech: Any, source: Any = None, max_content_length: int | None = None,
               communication_display: bool | None = None) -> TinyPerson:
        return self._perceive(StimulusKind.CONVERSATION, speech, source, communication_display)

    @transactional(ignore=_DISPLAY)
    def see(self, visual_description: Any = None, source: Any = None, max_content_length: int | None = None,
            communication_display: bool | None = None, *, image: str | os.PathLike | ImageRef | None = None,
            description: Any = None) -> TinyPerson:
        """See something described in words, or an image (a file path or an http(s) URL) with its
        ``description``: models that see get the image, others the description."""
        text, ref = visual_stimulus(visual_description, image, description)
        return self._perceive(StimulusKind.VISUAL, text, source, communication_display, ref)

    @transactional(ignore=_DISPLAY)
    def think(self, thought: Any, max_content_length: int | None = None,
              communication_display: bool | None = None) -> TinyPerson:
        return self._perceive(StimulusKind.THOUGHT, thought, None, communication_display)

    @transactional(ignore=_DISPLAY)
    def internalize_goal(self, goal: Any, max_content_length: int | None = None,
                         communication_display: bool | None = None) -> TinyPerson:
        return self._perceive(StimulusKind.INTERNAL_GOAL_FORMULATION, goal, None, communication_display)

    @transactional(ignore=_DISPLAY)
    def socialize(self, social_description: Any, source: Any = None, max_content_length: int | None = None,
                  communication_display: bool | None = None) -> TinyPerson:
        return self._perceive(StimulusKind.SOCIAL, social_description, source, communication_display)

    def hear(self, stimulus: Stimulus, speech: Any, source: Any = None) -> None:
        """Hear a broadcast made once for all listeners (``listen`` for a class that overrides it)."""
        cls = type(self)
        if cls.listen is TinyPerson.listen and cls.perceive is TinyPerson.perceive:
            self.perceive(stimulus, self._shows(None))  # as listen() shows it (the world asked for display)
        else:
            self.listen(speech, source=source)

    # -- situation -------------------------------------------------------------------------
    @transactional()
    def move_to(self, location: str, context: list[str] | None = None) -> TinyPerson:
        self.mental_state.location = location
        if context is not None:
            self.change_context(context)
        return self

    @transactional()
    def change_context(self, context: list[str] | str) -> TinyPerson:
        self.mental_state.context = [context] if isinstance(context, str) else [str(c) for c in context]
        return self

    def make_agent_accessible(self, agent: TinyPerson, relation_description: str = DEFAULT_RELATION) -> TinyPerson:
        if agent is not self:
            self.accessibility.add(agent, relation_description)
        return self

    def make_agents_accessible(self, agents: Iterable[TinyPerson],
                               relation_description: str = DEFAULT_RELATION) -> TinyPerson:
        for agent in agents:
            self.make_agent_accessible(agent, relation_description)
        return self

    def make_agent_inaccessible(self, agent: TinyPerson | str) -> TinyPerson:
        name = agent.name if isinstance(agent, TinyPerson) else agent
        self.accessibility.remove(name)
        return self

    def make_all_agents_inaccessible(self) -> TinyPerson:
        self.accessibility.clear()
        return self

    @property
    def accessible_agents(self) -> list[TinyPerson]:
        """The agents this one can interact with (those that still exist), looked up in its world first."""
        world = getattr(self.environment, "name_to_agent", None) or {}
        return self.accessibility.agents(world, registry.all_agents)

    def accessible_agent_relations(self) -> dict[str, str]:
        """Accessible agents' names, each with how this agent relates to them."""
        return dict(self.accessibility.relations)

    # -- faculties -------------------------------------------------------------------------
    def add_mental_faculty(self, faculty: MentalFaculty) -> TinyPerson:
        if any(f == faculty or f.name == faculty.name for f in self.mental_faculties):
            raise SpecificationError(f"{self.name} already has a mental faculty named {faculty.name!r}.")
        self.mental_faculties.append(faculty)
        return self

    def add_mental_faculties(self, mental_faculties: Iterable[MentalFaculty]) -> TinyPerson:
        for faculty in mental_faculties:
            self.add_mental_faculty(faculty)
        return self

    # -- state -----------------------------------------------------------------------------
    def encode_complete_state(self) -> dict[str, Any]:
        """Plain-JSON state: persona, then each part's own state (see :mod:`tinytroupe.agent.state`);
        it also answers the original's keys (``name``, ``_persona``... see ``AgentState``)."""
        return AgentState(state_module.encode(self))

    def decode_complete_state(self, state: dict[str, Any]) -> TinyPerson:
        """Restore what :meth:`encode_complete_state` produced (all checked before anything changes);
        a state written by the original TinyTroupe is read too."""
        if is_original_state(state):
            return self._decode_original_state(state)
        complete_state = state
        persona, parts, saved_settings = state_module.decode_parts(complete_state)
        self._set_persona(persona)
        for attr, part in parts.items():
            setattr(self, attr, part)
        self.memory_keeper.bind(AgentHandle(self))
        self.settings = self.settings.with_state(saved_settings)
        memory = self.episodic_memory  # the current episode is the ledger's count of latest events
        memory.episode_start = max(0, len(memory) - self.ledger.current_episode_event_count)
        return self

    def __repr__(self) -> str:
        return f"TinyPerson({self.name!r})"


register_state_kind("agent", TinyPerson)
