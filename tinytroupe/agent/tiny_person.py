"""TinyPerson: a simulated person who perceives stimuli and acts.

The class orchestrates; its parts own their state and do the work: :mod:`persona` (who),
:mod:`memory` (what happened), :mod:`mental_state` (where and how), :mod:`accessibility`
(whom it can reach), :mod:`ledger` (counters, last action, the action buffer),
:mod:`mental_faculty` (pluggable abilities), :mod:`quality` (optional judging). The parts
are listed once in :data:`tinytroupe.agent.state.PARTS`: encoding and decoding loop over
them, and the turn prompt is assembled from the sections they render
(:meth:`TinyPerson.turn_prompt`). :mod:`turn` decides a turn from that prompt without
seeing the agent. Settings are resolved once, when the agent is built
(:class:`~tinytroupe.agent.settings.AgentSettings`). Every stimulus and action is stored in
episodic memory and emitted as an event owned by the agent's world; nothing here prints.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from tinytroupe import events, llm, state_files, transactions
from tinytroupe.agent import describe, registry, spec, state
from tinytroupe.agent import state as state_module
from tinytroupe.agent.accessibility import Accessibility
from tinytroupe.agent.compat_api import AgentState, OriginalAgentAPI, is_original_state
from tinytroupe.agent.ledger import TurnLedger
from tinytroupe.agent.legacy import LegacyPersonaMixin
from tinytroupe.agent.memory import EpisodicMemory, MemoryEvent, SemanticMemory
from tinytroupe.agent.memory_api import MemoryMixin
from tinytroupe.agent.memory_keeper import MemoryKeeper
from tinytroupe.agent.mental_faculty import MentalFaculty
from tinytroupe.agent.mental_state import MentalState
from tinytroupe.agent.persona import Persona, read_specification
from tinytroupe.agent.prompt import TurnPrompt, action_constraints, action_definitions, render_episodes
from tinytroupe.agent.quality import ActionGenerator, QualityGate, QualityStats
from tinytroupe.agent.settings import AgentSettings
from tinytroupe.agent.turn import TurnPlan, TurnResult, decide
from tinytroupe.contracts import (
    AgentAction,
    AgentFallback,
    AgentGuard,
    AgentView,
    Stimulus,
    StimulusKind,
    register_state_kind,
)
from tinytroupe.errors import SpecificationError, StateError
from tinytroupe.llm.base import LLMModel
from tinytroupe.state_schema import check_document, loading
from tinytroupe.transactions import transactional

__all__ = ["TinyPerson", "DEFAULT_RELATION", "SAVE_FORMAT", "SAVE_VERSION"]

DEFAULT_RELATION = "An agent I can currently interact with."
MAX_FOLLOWUPS = 3  # decisions after a faculty's result within one act() (RECALL, CONSULT...)
SAVE_FORMAT = "tinytroupe.agent"
SAVE_VERSION = 1
_DISPLAY = ("communication_display",)  # display flags do not change what happens


class TinyPerson(MemoryMixin, OriginalAgentAPI, LegacyPersonaMixin):
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
        self._faculty_news = False  # a faculty made the agent perceive something during this turn
        self.mental_faculties: list[MentalFaculty] = list(mental_faculties)
        self.accessibility = Accessibility()
        self.ledger = TurnLedger()
        self.quality_stats = QualityStats()
        self.action_generator = ActionGenerator()  # per-agent quality-check settings (TinyTroupe's name)
        self.environment: Any = None
        transactions.register(self)

    # -- settings and counters (kept by the settings object and the ledger) ----------------
    def _setting(name: str, doc: str) -> property:  # type: ignore[misc]
        def fget(self: TinyPerson) -> Any:
            return getattr(self.settings, name)

        def fset(self: TinyPerson, value: Any) -> None:
            self.settings = self.settings.replace(**{name: value})

        return property(fget, fset, doc=doc)

    def _counter(name: str, doc: str) -> property:  # type: ignore[misc]
        def fget(self: TinyPerson) -> Any:
            return getattr(self.ledger, name)

        def fset(self: TinyPerson, value: Any) -> None:
            setattr(self.ledger, name, value)

        return property(fget, fset, doc=doc)

    strict = _setting("strict", "Raise on model failures instead of recording a fallback turn.")
    enable_quality_checks = _setting("enable_quality_checks", "Judge turns (None: the configuration decides).")
    repetition_guard = _setting("repetition_guard", "End a turn where an action repeats an earlier one.")
    schema_max_actions = _setting("schema_max_actions", "At most this many actions in one reply (None: the setting).")
    fallback_count = _counter("fallback_count", "Turns the model could not give.")
    actions_count = _counter("actions_count", "Actions taken (DONE not counted).")
    current_episode_event_count = _counter("current_episode_event_count", "Events since the episode began.")
    last_action = _counter("last_action", "The last action taken since something new happened.")
    del _setting, _counter

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
        """``define(key, value)`` sets a field (dot paths allowed); ``define(dict)`` merges a dict in."""
        old = self.name
        candidate = Persona(self._persona.to_dict())
        if isinstance(key, dict):
            candidate.merge(key, overwrite_scalars=overwrite_scalars)
        elif merge and isinstance(value, (dict, list)) and isinstance(candidate.get(key), type(value)):
            candidate.merge({key: value}, overwrite_scalars=overwrite_scalars)
        elif not overwrite_scalars and not isinstance(value, (dict, list)) and candidate.get(key, self) is not self:
            raise SpecificationError(f"define({key!r}, ...): the persona already has {key!r} and "
                                     "overwrite_scalars=False; pass overwrite_scalars=True to replace it.")
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

    def import_fragment(self, path: str | os.PathLike | dict) -> TinyPerson:
        """Merge a ``{"type": "Fragment", "persona": {...}}`` file (or dict) into the persona."""
        doc = read_specification(path, expected_type="Fragment")
        with loading(doc["_origin"], "fragment"):
            return self.include_persona_definitions(doc["persona"])

    def _set_persona(self, persona: Persona, previous_name: str | None = None) -> None:
        new, old = persona.name, previous_name or self.name
        if not isinstance(new, str) or not new.strip():
            raise SpecificationError("persona field 'name' must stay a non-empty string.")
        if new != old:
            registry.rename(self, old, new)
        self._persona = persona

    def minibio(self, extended: bool | None = None, requirements: str | None = None) -> str:
        """A short biography. ``minibio()`` is the persona summary (no model call);
        ``minibio(extended=True)`` adds a paragraph the model writes once per persona (kept in the
        agent's state); ``extended=False`` is the one-line version."""
        if not extended:
            return describe.minibio(self, extended is None)
        from tinytroupe._sync import run_sync

        return run_sync(self.aminibio(True, requirements))

    # -- registry --------------------------------------------------------------------------
    @classmethod
    def get_agent_by_name(cls, name: str) -> TinyPerson | None:
        return registry.get(name)

    @classmethod
    def has_agent(cls, agent_name: str) -> bool:
        return registry.has(agent_name)

    @classmethod
    def unique_name(cls, base: str) -> str:
        """``base``, or ``"base 2"``, ``"base 3"``... whichever is free."""
        return registry.unique_name(base)

    @classmethod
    def clear_agents(cls) -> None:
        registry.clear()

    @property
    def detached(self) -> bool:
        """Whether this agent lives only in a forked world (outside the name registry)."""
        return registry.is_detached(self)

    # -- specifications --------------------------------------------------------------------
    @classmethod
    def load_specification(cls, path_or_dict: str | os.PathLike | dict, suppress_mental_faculties: bool = False,
                           suppress_memory: bool = False, suppress_mental_state: bool = False,
                           auto_rename_agent: bool = False, new_agent_name: str | None = None, *,
                           auto_rename: bool = False, **kwargs: Any) -> TinyPerson:
        """Build an agent from a ``*.agent.json`` file or dict; saved memory, mental state and
        faculties are restored unless suppressed (positional order as in the original;
        ``auto_rename`` is a short name for ``auto_rename_agent``)."""
        if isinstance(suppress_mental_faculties, str):
            raise SpecificationError("load_specification: the second positional argument is suppress_mental_faculties; "
                                     "pass the agent's new name by keyword: new_agent_name=...")
        doc = read_specification(path_or_dict, expected_type="TinyPerson")
        name = new_agent_name or doc["persona"]["name"]
        if auto_rename or auto_rename_agent:
            name = registry.unique_name(name)
        agent = cls(name, **kwargs)
        agent._set_persona(Persona({**doc["persona"], "name": name}))
        spec.restore_extras(agent, doc, memory=not suppress_memory, faculties=not suppress_mental_faculties,
                            mental_state=not suppress_mental_state)
        return agent

    def save_specification(self, path: str | os.PathLike, include_mental_faculties: bool = True,
                           include_memory: bool = False, include_mental_state: bool = False) -> None:
        """Write the agent as a ``*.agent.json`` file (memories and mental state when asked)."""
        doc = spec.specification(self, include_memory=include_memory, include_mental_faculties=include_mental_faculties,
                                 include_mental_state=include_mental_state)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(doc, indent=4, ensure_ascii=False), encoding="utf-8")

    # -- memory and time -------------------------------------------------------------------
    def sim_time(self) -> str | None:
        """The simulated time of the agent's world as ISO text, or None outside a world."""
        when = getattr(self.environment, "current_datetime", None)
        if when is None:
            return None
        return when.isoformat() if hasattr(when, "isoformat") else str(when)

    def record_event(self, role: str, type: str, content: str, source: str = "", target: str = "") -> MemoryEvent:
        """Store one event in episodic memory, stamped with the simulated time.

        Events are immutable, so one broadcast heard by many agents is one shared object.
        """
        event = _shared_event(role, type, content, source, target, self.sim_time())
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
            for faculty in self.mental_faculties:
                faculty.consolidate(self, episode)
            self.memory_keeper.queue_episode(episode)
        self.episodic_memory.commit_episode()
        self.ledger.current_episode_event_count = 0

    def _world_id(self) -> str | None:
        world_id = getattr(self.environment, "id", None)
        return world_id if isinstance(world_id, str) else None

    def pretty_current_interactions(self, simplified: bool = True, skip_system: bool = True,
                                    max_content_length: int | None = None, first_n: int | None = None,
                                    last_n: int | None = None, include_omission_info: bool = True) -> str:
        """The remembered events as readable lines (the original's arguments and order)."""
        return describe.pretty_interactions(self, first_n, last_n, max_content_length, simplified=simplified,
                                            skip_system=skip_system, include_omission_info=include_omission_info)

    # -- stimuli ---------------------------------------------------------------------------
    def _perceive(self, kind: StimulusKind | str, content: Any, source: Any = None, display: bool | None = None) -> TinyPerson:
        _request_display()
        sender = source.name if isinstance(source, TinyPerson) else (str(source) if source else "")
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        self._take_in(str(kind), text, sender, self._shows(display))  # a StimulusKind or its text
        return self

    def perceive(self, stimulus: Stimulus, display: bool = True) -> None:
        """Take in one stimulus: remember it and emit it, owned by the world driving the agent
        (or, outside a world call, by the agent's own world)."""
        self._take_in(stimulus.kind.value, stimulus.content, stimulus.source, display)

    def _take_in(self, kind: str, text: str, sender: str, display: bool) -> None:
        # the hot path of every delivery: the AgentStimulus payload's fields, emitted directly
        self.record_event("stimulus", kind, text, source=sender)
        self.ledger.last_action = None  # something new happened: repeating oneself is no longer a loop
        if events.current_owner()[0] is not None:  # a world is driving this agent: its event
            events.emit("agent.stimulus", self.name, self.sim_time(), agent=self.name, type=kind, content=text,
                        sender=sender, display=display)
            return
        with events.owner(self._world_id()):
            events.emit("agent.stimulus", self.name, self.sim_time(), agent=self.name, type=kind, content=text,
                        sender=sender, display=display)

    @transactional(ignore=_DISPLAY)
    def listen(self, speech: Any, source: Any = None, max_content_length: int | None = None,
               communication_display: bool | None = None) -> TinyPerson:
        return self._perceive(StimulusKind.CONVERSATION, speech, source, communication_display)

    @transactional(ignore=_DISPLAY)
    def see(self, visual_description: Any, source: Any = None, max_content_length: int | None = None,
            communication_display: bool | None = None) -> TinyPerson:
        return self._perceive(StimulusKind.VISUAL, visual_description, source, communication_display)

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

    def listen_and_act(self, speech: Any, return_actions: bool = False, max_content_length: int | None = None,
                       communication_display: bool | None = None, source: Any = None, **act_kwargs: Any) -> list | None:
        self.listen(speech, source, max_content_length, communication_display)
        return self.act(return_actions=return_actions, max_content_length=max_content_length,
                        communication_display=communication_display, **act_kwargs)

    def see_and_act(self, visual_description: Any, return_actions: bool = False, max_content_length: int | None = None,
                    communication_display: bool | None = None, source: Any = None, **act_kwargs: Any) -> list | None:
        self.see(visual_description, source, max_content_length, communication_display)
        return self.act(return_actions=return_actions, max_content_length=max_content_length,
                        communication_display=communication_display, **act_kwargs)

    def think_and_act(self, thought: Any, return_actions: bool = False, max_content_length: int | None = None,
                      communication_display: bool | None = None, **act_kwargs: Any) -> list | None:
        self.think(thought, max_content_length, communication_display)
        return self.act(return_actions=return_actions, max_content_length=max_content_length,
                        communication_display=communication_display, **act_kwargs)

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

    # -- acting ----------------------------------------------------------------------------
    def max_actions_per_turn(self) -> int:
        return self.settings.max_actions_per_turn

    def quality_checks_enabled(self) -> bool:
        chosen = self.action_generator.enable_quality_checks
        return self.settings.quality_checks if chosen is None else bool(chosen)

    # the parts that contribute a section to the situation, in prompt order (faculties follow)
    PROMPT_PARTS: ClassVar[tuple[str, ...]] = ("mental_state", "accessibility", "memory_keeper")
    RECENT_EVENTS: ClassVar[int] = 5

    def view(self) -> AgentView:
        """What the agent's parts may know when they render their prompt sections."""
        now = getattr(self.environment, "current_datetime", None)
        head, _, tail = self.episodic_memory.window(0, self.RECENT_EVENTS)
        recent = tuple(e.content for e in (*head, *tail))
        return AgentView(self.name, now=now, in_world=self.environment is not None, recent=recent)

    def _prompt(self, view: AgentView, sections: list[str]) -> TurnPrompt:
        definitions = action_definitions(self.mental_faculties, view.in_world)
        episodes = render_episodes(self.episodic_memory, self.settings.episodic_prefix,
                                   self.settings.episodic_lookback)
        return TurnPrompt(self.name, self._persona.render(), tuple(definitions),
                          tuple(action_constraints(self.mental_faculties)), episodes,
                          tuple(s for s in sections if s))

    async def aturn_prompt(self) -> TurnPrompt:
        """The next turn's prompt, from the parts' own contributions: each part in
        :attr:`PROMPT_PARTS` with ``aprompt_section(view)`` (awaited) or ``prompt_section(view)``,
        then each faculty's ``prompt_section(agent)``."""
        view = self.view()
        sections: list[str] = []
        for attr in self.PROMPT_PARTS:
            part = getattr(self, attr, None)
            if callable(getattr(part, "aprompt_section", None)):
                sections.append(await part.aprompt_section(view))  # type: ignore[union-attr]
            elif callable(getattr(part, "prompt_section", None)):
                sections.append(part.prompt_section(view))  # type: ignore[union-attr]
        sections.extend(f.prompt_section(self) for f in self.mental_faculties)
        return self._prompt(view, sections)

    def turn_prompt(self) -> TurnPrompt:
        """Blocking twin of :meth:`aturn_prompt`."""
        from tinytroupe._sync import run_sync

        return run_sync(self.aturn_prompt())

    async def _plan(self, cap: int) -> TurnPlan:
        return TurnPlan(await self.aturn_prompt(), tuple(self.accessibility.relations), cap,
                        self.settings.schema_max_actions, self.ledger.last_action, self.settings.repetition_guard,
                        self.settings.max_completion_tokens, {"agent": self.name, "purpose": "agent_turn"})

    def act(self, until_done: bool | None = None, n: int | None = None, return_actions: bool = False,
            max_content_length: int | None = None, communication_display: bool | None = None,
            strict: bool | None = None) -> list[dict] | None:
        """Act: blocking twin of :meth:`aact` (same arguments, the original's order)."""
        from tinytroupe._sync import run_sync

        return run_sync(self.aact(until_done, n, return_actions, max_content_length, communication_display, strict))

    @transactional(ignore=("communication_display", "max_content_length"))
    async def aact(self, until_done: bool | None = None, n: int | None = None, return_actions: bool = False,
                   max_content_length: int | None = None, communication_display: bool | None = None,
                   strict: bool | None = None) -> list[dict] | None:
        """Act. By default one turn: one structured LLM call whose actions end with DONE. With
        ``n``, turns until ``n`` actions are taken (a turn that does nothing counts as one, so
        an idle agent stops); with ``until_done=False`` and no ``n``, a single action.
        With ``return_actions`` returns
        ``[{"action": {"type", "content", "target"}, "cognitive_state": {...}}, ...]``.
        TALKs are not delivered here: a world routes them. ``max_content_length`` only
        affects display (the original's argument). ``until_done`` left out means True, and
        ``until_done=True`` given with ``n`` raises (the original's rule). A ``_produce_message``
        supplied by a subclass or script decides instead of the model (see ``compat_api``)."""
        _request_display()
        self._check_act_arguments(until_done, n)
        if n is not None and (not isinstance(n, int) or n < 1):
            raise SpecificationError(f"act(n={n!r}): n counts actions and must be a positive whole number")
        until_done = True if until_done is None else until_done
        strict = self.strict if strict is None else strict
        most = min(self.settings.max_actions_per_turn, self.MAX_ACTIONS_BEFORE_DONE)
        remaining = n if n is not None else (most if until_done else 1)
        display = self._shows(communication_display)
        produce = self._message_producer()
        if produce is not None:
            entries = await self._act_by_produced_messages(produce, remaining, display)
            return entries if return_actions else None
        entries: list[dict] = []
        model = self.model or llm.default_model()
        followups = 0
        while remaining > 0:
            cap = min(remaining, self.settings.max_actions_per_turn)
            review = QualityGate(self, model, strict).review if self.quality_checks_enabled() else None
            await self.memory_keeper.aprepare(self)  # memories relevant to the moment, into the prompt
            self._faculty_news = False
            result = await decide(await self._plan(cap), model, strict, review)
            entries.extend(await self._apply_turn(result, display))
            taken = sum(1 for a in result.actions if a.type != "DONE")
            if self._faculty_news and followups < MAX_FOLLOWUPS:  # a faculty's result: decide again with it
                followups += 1
                remaining = remaining - max(1, taken) if n is not None else remaining
                continue
            remaining = remaining - max(1, taken) if n is not None else 0
        await self.memory_keeper.aconsolidate_pending(self)  # episodes that ended during this turn
        return entries if return_actions else None

    async def _apply_turn(self, result: TurnResult, display: bool = True) -> list[dict]:
        """Record a decided turn: memory, ledger, events, faculties, cognitive state; return its entries."""
        sim_time = self.sim_time()
        with events.owner(self._world_id(), keep_world=True):
            if result.failure is not None:
                self.ledger.record_fallback(result.failure.error_type)
                events.publish(AgentFallback(self.name, result.failure.error_type, result.failure.reason, display),
                               source=self.name, sim_time=sim_time)
            self.mental_state.update_cognitive(result.cognitive_state)
            cognitive = self.mental_state.cognitive_dict()
            entries = []
            for action in result.actions:
                if action.type == "DONE":
                    for reason, text in result.notes:
                        self.record_event("note", reason.upper(), text)
                        events.publish(AgentGuard(self.name, reason, text, display), source=self.name,
                                       sim_time=sim_time)
                else:
                    self.record_event("action", action.type, action.content, target=action.target)
                self.ledger.record_action(action)
                events.publish(AgentAction(self.name, action.type, action.content, action.target, display),
                               source=self.name, sim_time=sim_time)
                for faculty in self.mental_faculties:
                    if await faculty.aprocess_action(self, action):
                        break
                entries.append({"action": action.to_dict(), "cognitive_state": dict(cognitive)})
                if self._faculty_news:
                    break  # the rest of this reply was decided without what the faculty just gave
        return entries

    def pop_latest_actions(self) -> list[dict[str, Any]]:
        """The actions taken since the last call (oldest first), then forget them."""
        return self.ledger.pop_actions()

    def pop_actions_and_get_contents_for(self, action_type: str, only_last_action: bool = True) -> str:
        """The contents of the latest actions of ``action_type``, joined by newlines (buffer emptied)."""
        contents = [a["content"] for a in self.pop_latest_actions() if a["type"] == action_type]
        if only_last_action:
            contents = contents[-1:]
        return "\n".join(contents)

    # -- state -----------------------------------------------------------------------------
    def encode_complete_state(self) -> dict[str, Any]:
        """Plain-JSON state: persona, then each part's own state (see :mod:`tinytroupe.agent.state`);
        it also answers the original's keys (``name``, ``_persona``... see ``AgentState``)."""
        return AgentState(state.encode(self))

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
        self.settings = self.settings.with_state(saved_settings)
        memory = self.episodic_memory  # the current episode is the ledger's count of latest events
        memory.episode_start = max(0, len(memory) - self.ledger.current_episode_event_count)
        return self

    def save(self, path: str | os.PathLike) -> Path:
        """Write the complete state to ``path`` atomically, as a versioned document that is also a
        valid ``*.agent.json`` (with memories); returns the path."""
        return state_files.write_document(path, SAVE_FORMAT, SAVE_VERSION, self.encode_complete_state(), indent=2)

    @classmethod
    def load(cls, path: str | os.PathLike, new_agent_name: str | None = None, auto_rename: bool = False,
             **kwargs: Any) -> TinyPerson:
        """A new agent from a file written by :meth:`save` (a taken name raises unless renamed)."""
        doc = state_files.read_document(path, SAVE_FORMAT, SAVE_VERSION, "agent file")
        complete = {k: v for k, v in doc.items() if k not in ("format", "version")}
        check_document(complete, "agent", path)
        name = new_agent_name or (complete.get("persona") or {}).get("name")
        if not isinstance(name, str) or not name.strip():
            raise StateError(f"{path}: the agent file has no 'persona.name'; re-save it with agent.save()")
        if auto_rename:
            name = registry.unique_name(name)
        complete["persona"] = {**complete["persona"], "name": name}
        with loading(path, "agent file"):
            return cls.from_state(complete, **kwargs)

    @classmethod
    def from_state(cls, complete_state: dict[str, Any], **kwargs: Any) -> TinyPerson:
        """A new agent restored from an encoded state."""
        persona = (complete_state.get("persona") or complete_state.get("_persona")) if isinstance(complete_state, dict) else None
        name = persona.get("name") if isinstance(persona, dict) else None
        agent = cls(name or "", **kwargs)
        with loading(None, "agent state", undo=lambda: registry.unregister(agent, agent.name)):
            return agent.decode_complete_state(complete_state)

    # -- display ---------------------------------------------------------------------------
    def _repr_markdown_(self) -> str:
        return describe.markdown_card(self)

    def __repr__(self) -> str:
        return f"TinyPerson({self.name!r})"


register_state_kind("agent", TinyPerson)


_last_event: tuple[tuple[Any, ...], MemoryEvent] | None = None


def _shared_event(*fields: Any) -> MemoryEvent:
    """A MemoryEvent of ``fields``: the one made last when it is equal (the listeners of a broadcast)."""
    global _last_event
    last = _last_event
    if last is not None and last[0] == fields:
        return last[1]
    role, type_, content, source, target, sim_time = fields
    event = MemoryEvent(role=role, type=type_, content=content, source=source, target=target, sim_time=sim_time)
    _last_event = (fields, event)
    return event


def _request_display() -> None:
    from tinytroupe.display import request_display

    request_display()
