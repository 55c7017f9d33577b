"""TinyPerson: a simulated person who perceives stimuli and acts.

The class orchestrates; its parts do the work: :mod:`persona` (who), :mod:`memory`
(what happened), :mod:`mental_state` (where and how), :mod:`prompt` and :mod:`turn` (deciding
what to do, one structured LLM call per turn), :mod:`quality` (optional judging),
:mod:`mental_faculty` (pluggable abilities), :mod:`state` (plain-JSON state) and
:mod:`describe` (text views). Every stimulus and action is stored in episodic memory and
emitted as an event; nothing here prints.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from tinytroupe import events, state_files, transactions
from tinytroupe.agent import describe, registry, spec, state
from tinytroupe.agent.actions import Action
from tinytroupe.agent.legacy import LegacyPersonaMixin
from tinytroupe.agent.memory import EpisodicMemory, MemoryEvent, SemanticMemory
from tinytroupe.agent.mental_faculty import MentalFaculty
from tinytroupe.agent.mental_state import MentalState
from tinytroupe.agent.persona import Persona, read_specification
from tinytroupe.agent.quality import QualityStats
from tinytroupe.agent.turn import apply_turn, decide
from tinytroupe.config import config_manager
from tinytroupe.errors import SpecificationError, StateError
from tinytroupe.llm.base import LLMModel
from tinytroupe.state_schema import check_document, loading
from tinytroupe.transactions import transactional

__all__ = ["TinyPerson", "DEFAULT_RELATION", "SAVE_FORMAT", "SAVE_VERSION"]

DEFAULT_RELATION = "An agent I can currently interact with."
SAVE_FORMAT = "tinytroupe.agent"
SAVE_VERSION = 1
_DISPLAY = ("communication_display",)  # display flags do not change what happens


class TinyPerson(LegacyPersonaMixin):
    """A simulated person. ``TinyPerson("Lisa")`` then ``define(...)``, stimuli, ``act()``."""

    all_agents: ClassVar[dict[str, TinyPerson]] = registry.all_agents

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
        self.strict = strict
        self.enable_quality_checks = enable_quality_checks
        self.repetition_guard = enable_basic_action_repetition_prevention
        self.schema_max_actions = 4
        self.episodic_memory = episodic_memory or EpisodicMemory()
        self.semantic_memory = semantic_memory or SemanticMemory()
        self.mental_state = MentalState()
        self.mental_faculties: list[MentalFaculty] = list(mental_faculties)
        self.environment: Any = None
        self._accessible: dict[str, str] = {}
        self._accessible_refs: dict[str, TinyPerson] = {}
        self._actions_buffer: list[dict[str, Any]] = []
        self.last_action: Action | None = None
        self.fallback_count = 0
        self.actions_count = 0
        self.current_episode_event_count = 0
        self.quality_stats = QualityStats()
        transactions.register(self)

    # -- persona ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._persona.name  # type: ignore[return-value]

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
        elif merge and isinstance(value, dict) and isinstance(candidate.get(key), dict):
            candidate.merge({key: value}, overwrite_scalars=overwrite_scalars)
        else:
            candidate.set(key, value)
        self._set_persona(candidate, previous_name=old)
        return self

    @transactional()
    def include_persona_definitions(self, additional: dict[str, Any]) -> TinyPerson:
        """Deep-merge ``additional`` in: lists joined without duplicates, conflicting scalars raise."""
        candidate = Persona(self._persona.to_dict())
        candidate.include(additional)
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

    def minibio(self, extended: bool = True) -> str:
        """A short biography from the persona (no LLM call)."""
        return describe.minibio(self, extended)

    # -- registry --------------------------------------------------------------------------
    @classmethod
    def get_agent_by_name(cls, name: str) -> TinyPerson | None:
        return registry.get(name)

    @classmethod
    def has_agent(cls, name: str) -> bool:
        return registry.has(name)

    @classmethod
    def unique_name(cls, base: str) -> str:
        """``base``, or ``"base 2"``, ``"base 3"``... whichever is free."""
        return registry.unique_name(base)

    @classmethod
    def clear_agents(cls) -> None:
        registry.clear()

    # -- specifications --------------------------------------------------------------------
    @classmethod
    def load_specification(cls, path_or_dict: str | os.PathLike | dict, new_agent_name: str | None = None,
                           auto_rename: bool = False, *, suppress_mental_faculties: bool = False,
                           suppress_memory: bool = False, suppress_mental_state: bool = False,
                           auto_rename_agent: bool = False, **kwargs: Any) -> TinyPerson:
        """Build an agent from a ``*.agent.json`` file or dict; saved memory, mental state and
        faculties are restored unless suppressed (``auto_rename_agent`` is the original's name
        for ``auto_rename``)."""
        if isinstance(new_agent_name, bool) or isinstance(auto_rename, str):
            raise SpecificationError("load_specification: pass the suppress_* and rename options by keyword "
                                     "(e.g. suppress_mental_faculties=True); the second positional "
                                     "argument here is new_agent_name.")
        doc = read_specification(path_or_dict, expected_type="TinyPerson")
        name = new_agent_name or doc["persona"]["name"]
        if auto_rename or auto_rename_agent:
            name = registry.unique_name(name)
        agent = cls(name, **kwargs)
        agent._set_persona(Persona({**doc["persona"], "name": name}))
        spec.restore_extras(agent, doc, memory=not suppress_memory, faculties=not suppress_mental_faculties,
                            mental_state=not suppress_mental_state)
        return agent

    def save_specification(self, path: str | os.PathLike, include_memory: bool = False, *,
                           include_mental_faculties: bool = True, include_mental_state: bool = False) -> None:
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
        """Store one event in episodic memory, stamped with the simulated time."""
        event = MemoryEvent(role=role, type=type, content=content, source=source, target=target,  # type: ignore[arg-type]
                            sim_time=self.sim_time())
        self.episodic_memory.store(event)
        self.current_episode_event_count += 1
        if self.current_episode_event_count >= int(config_manager.get("max_episode_length")):
            self.consolidate_episode()
        return event

    def consolidate_episode(self) -> None:
        """Hand the current episode to the faculties (the semantic-memory seam) and start a new one."""
        if config_manager.get("enable_memory_consolidation") and self.current_episode_event_count:
            episode = self.episodic_memory.retrieve_last(self.current_episode_event_count)
            for faculty in self.mental_faculties:
                faculty.consolidate(self, episode)
        self.current_episode_event_count = 0

    def pretty_current_interactions(self, first_n: int | None = None, last_n: int | None = None,
                                    max_content_length: int | None = None) -> str:
        """The remembered events as readable lines."""
        return describe.pretty_interactions(self, first_n, last_n, max_content_length)

    # -- stimuli ---------------------------------------------------------------------------
    def _perceive(self, type: str, content: Any, source: Any = None, display: bool | None = None) -> TinyPerson:
        _request_display()
        sender = source.name if isinstance(source, TinyPerson) else (str(source) if source else "")
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        self.record_event("stimulus", type, text, source=sender)
        self.last_action = None  # something new happened: repeating oneself is no longer a loop
        events.emit("agent.stimulus", source=self.name, sim_time=self.sim_time(), agent=self.name,
                    type=type, content=text, sender=sender, display=display is not False)
        return self

    @transactional(ignore=_DISPLAY)
    def listen(self, speech: Any, source: Any = None, communication_display: bool | None = None) -> TinyPerson:
        return self._perceive("CONVERSATION", speech, source, communication_display)

    @transactional(ignore=_DISPLAY)
    def see(self, description: Any, source: Any = None, communication_display: bool | None = None) -> TinyPerson:
        return self._perceive("VISUAL", description, source, communication_display)

    @transactional(ignore=_DISPLAY)
    def think(self, thought: Any, communication_display: bool | None = None) -> TinyPerson:
        return self._perceive("THOUGHT", thought, None, communication_display)

    @transactional(ignore=_DISPLAY)
    def internalize_goal(self, goal: Any, communication_display: bool | None = None) -> TinyPerson:
        return self._perceive("INTERNAL_GOAL_FORMULATION", goal, None, communication_display)

    @transactional(ignore=_DISPLAY)
    def socialize(self, social_description: Any, source: Any = None,
                  communication_display: bool | None = None) -> TinyPerson:
        return self._perceive("SOCIAL", social_description, source, communication_display)

    def listen_and_act(self, speech: Any, return_actions: bool = False, source: Any = None,
                       communication_display: bool | None = None, **act_kwargs: Any) -> list | None:
        self.listen(speech, source, communication_display)
        return self.act(return_actions=return_actions, communication_display=communication_display, **act_kwargs)

    def see_and_act(self, description: Any, return_actions: bool = False, source: Any = None,
                    communication_display: bool | None = None, **act_kwargs: Any) -> list | None:
        self.see(description, source, communication_display)
        return self.act(return_actions=return_actions, communication_display=communication_display, **act_kwargs)

    def think_and_act(self, thought: Any, return_actions: bool = False,
                      communication_display: bool | None = None, **act_kwargs: Any) -> list | None:
        self.think(thought, communication_display)
        return self.act(return_actions=return_actions, communication_display=communication_display, **act_kwargs)

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
            self._accessible[agent.name] = relation_description
            self._accessible_refs[agent.name] = agent
        return self

    def make_agents_accessible(self, agents: Iterable[TinyPerson],
                               relation_description: str = DEFAULT_RELATION) -> TinyPerson:
        for agent in agents:
            self.make_agent_accessible(agent, relation_description)
        return self

    def make_agent_inaccessible(self, agent: TinyPerson | str) -> TinyPerson:
        name = agent.name if isinstance(agent, TinyPerson) else agent
        self._accessible.pop(name, None)
        self._accessible_refs.pop(name, None)
        return self

    def make_all_agents_inaccessible(self) -> TinyPerson:
        self._accessible.clear()
        self._accessible_refs.clear()
        return self

    @property
    def accessible_agents(self) -> list[TinyPerson]:
        """The agents this one can interact with (those that still exist), looked up in its world first."""
        world = getattr(self.environment, "name_to_agent", None) or {}
        found = (self._accessible_refs.get(n) or world.get(n) or registry.get(n) for n in self._accessible)
        return [a for a in found if a is not None]

    def accessible_agent_relations(self) -> dict[str, str]:
        """Accessible agents' names, each with how this agent relates to them."""
        return dict(self._accessible)

    # -- faculties -------------------------------------------------------------------------
    def add_mental_faculty(self, faculty: MentalFaculty) -> TinyPerson:
        if any(f == faculty or f.name == faculty.name for f in self.mental_faculties):
            raise SpecificationError(f"{self.name} already has a mental faculty named {faculty.name!r}.")
        self.mental_faculties.append(faculty)
        return self

    def add_mental_faculties(self, faculties: Iterable[MentalFaculty]) -> TinyPerson:
        for faculty in faculties:
            self.add_mental_faculty(faculty)
        return self

    # -- acting ----------------------------------------------------------------------------
    def max_actions_per_turn(self) -> int:
        return max(1, int(config_manager.get("max_actions_per_turn")))

    def quality_checks_enabled(self) -> bool:
        if self.enable_quality_checks is not None:
            return bool(self.enable_quality_checks)
        return bool(config_manager.get("enable_quality_checks"))

    def act(self, n: int | None = None, until_done: bool = True, return_actions: bool = False,
            communication_display: bool | None = None, strict: bool | None = None) -> list[dict] | None:
        """Act for ``n`` turns (default one turn, which ends with DONE); blocking twin of :meth:`aact`."""
        from tinytroupe._sync import run_sync

        return run_sync(self.aact(n, until_done, return_actions, communication_display, strict))

    @transactional(ignore=_DISPLAY)
    async def aact(self, n: int | None = None, until_done: bool = True, return_actions: bool = False,
                   communication_display: bool | None = None, strict: bool | None = None) -> list[dict] | None:
        """Act: one structured LLM call per turn. With ``return_actions`` returns
        ``[{"action": {"type", "content", "target"}, "cognitive_state": {...}}, ...]``.
        TALKs are not delivered here: a world routes them."""
        _request_display()
        entries: list[dict] = []
        for _ in range(max(1, n or 1)):
            result = await decide(self, self.strict if strict is None else strict)
            entries.extend(await apply_turn(self, result, display=communication_display is not False))
        return entries if return_actions else None

    def pop_latest_actions(self) -> list[dict[str, Any]]:
        """The actions taken since the last call (oldest first), then forget them."""
        actions, self._actions_buffer = self._actions_buffer, []
        return actions

    def pop_actions_and_get_contents_for(self, action_type: str, only_last_action: bool = True) -> str:
        """The contents of the latest actions of ``action_type``, joined by newlines (buffer emptied)."""
        contents = [a["content"] for a in self.pop_latest_actions() if a["type"] == action_type]
        if only_last_action:
            contents = contents[-1:]
        return "\n".join(contents)

    # -- state -----------------------------------------------------------------------------
    def encode_complete_state(self) -> dict[str, Any]:
        """Plain-JSON state: persona, memories, mental state, accessibility, faculties, counters."""
        return state.encode(self)

    def decode_complete_state(self, complete_state: dict[str, Any]) -> TinyPerson:
        """Restore what :meth:`encode_complete_state` produced."""
        state.decode(self, complete_state)
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
        name = (complete_state.get("persona") or {}).get("name") if isinstance(complete_state, dict) else None
        agent = cls(name or "", **kwargs)
        with loading(None, "agent state", undo=lambda: registry.unregister(agent, agent.name)):
            return agent.decode_complete_state(complete_state)

    # -- display ---------------------------------------------------------------------------
    def _repr_markdown_(self) -> str:
        return describe.markdown_card(self)

    def __repr__(self) -> str:
        return f"TinyPerson({self.name!r})"


def _request_display() -> None:
    from tinytroupe.display import request_display

    request_display()
