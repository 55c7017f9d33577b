"""TinyPerson methods and views that scripts of the original TinyTroupe call, as a mixin.

- the prompt: ``generate_agent_system_prompt()``, ``reset_prompt()``, ``current_messages``
  (the messages the next turn would send: built fresh from the agent's parts);
- the communications buffer: what the agent perceived and did since the last
  ``pop_and_display_latest_communications()`` or ``clear_communications_buffer()``, each as
  ``{"kind", "rendering", "content", "source", "target"}`` (read from episodic memory);
- the registry and costs: ``add_agent``, ``set_simulation_for_free_agents``,
  ``get_global_cost_stats`` / ``pretty_print_global_cost_stats`` (this process's model usage);
- read-only views of the original's private attributes: ``_mental_state``,
  ``_accessible_agents``, ``_mental_faculties``;
- complete states in the original's keys: :class:`AgentState` answers ``name``, ``_persona``,
  ``_mental_state``... and :meth:`OriginalAgentAPI._decode_original_state` reads a state the
  original wrote;
- the original's acting limits and hook: ``MAX_ACTIONS_BEFORE_DONE``,
  ``LOOP_DETECTION_THRESHOLD``, and a ``_produce_message()`` that a subclass or a script
  supplies (one ``(role, {"action", "cognitive_state"})`` per call), which ``act`` then uses
  action by action instead of the model (see :meth:`OriginalAgentAPI._act_by_produced_messages`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from tinytroupe.agent import registry, spec
from tinytroupe.agent.action_generator import GeneratorProducer, overrides_generation
from tinytroupe.agent.actions import Action, CognitiveState
from tinytroupe.agent.compat_costs import global_agent_cost_stats, render_cost_report
from tinytroupe.agent.persona import Persona
from tinytroupe.agent.prompt import TurnPrompt, action_constraints, action_definitions, render_event
from tinytroupe.agent.turn import TurnResult
from tinytroupe.display import show_text
from tinytroupe.errors import SimulationError, SpecificationError, StateError
from tinytroupe.memory.legacy import original_item

if TYPE_CHECKING:
    from tinytroupe.agent.tiny_person import TinyPerson

__all__ = ["OriginalAgentAPI", "AgentState", "ActArgumentsError", "is_original_state"]

logger = logging.getLogger("tinytroupe")


class ActArgumentsError(SpecificationError, AssertionError):
    """``act(until_done=True, n=...)``: the two limits contradict each other (an
    ``AssertionError`` too, as the original raised)."""


def _print(text: str) -> None:
    show_text(text)  # through the UI layer's printer (as for pp_current_interactions)


def _original_mental_state(mental: dict[str, Any], accessible: list[dict[str, Any]],
                           when: Any = None) -> dict[str, Any]:
    """Our mental state and accessible agents in the original's ``_mental_state`` shape."""
    return {"datetime": when, "location": mental.get("location"), "context": list(mental.get("context") or []),
            "goals": mental.get("goals") or [], "attention": mental.get("attention") or None,
            "emotions": mental.get("emotions") or "", "memory_context": None,
            "accessible_agents": [{"name": a["name"], "relation_description": a.get("relation", "")}
                                  for a in accessible]}


class AgentState(dict):
    """``encode_complete_state()``'s document. It also answers the original's keys (``name``,
    ``_persona``, ``_mental_state``, ``_accessible_agents``, ``_mental_faculties``,
    ``_current_episode_event_count``), computed from its own fields and never stored twice."""

    _ALIASES = ("name", "_persona", "_mental_state", "_accessible_agents", "_mental_faculties",
                "_current_episode_event_count")

    def __missing__(self, key: str) -> Any:
        if key not in self._ALIASES:
            raise KeyError(key)
        persona = dict.get(self, "persona") or {}
        accessible = dict.get(self, "accessible_agents") or []
        if key == "name":
            return persona.get("name")
        if key == "_persona":
            return persona
        if key == "_mental_state":
            return _original_mental_state(dict.get(self, "mental_state") or {}, accessible)
        if key == "_accessible_agents":
            return [a["name"] for a in accessible]
        if key == "_mental_faculties":
            return dict.get(self, "mental_faculties") or []
        return (dict.get(self, "counters") or {}).get("current_episode_event_count", 0)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self._ALIASES

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default


def is_original_state(state: Any) -> bool:
    """Whether ``state`` is a complete state written by the original (``_persona``, no ``persona``)."""
    return isinstance(state, dict) and "_persona" in state and not dict.__contains__(state, "persona")


class OriginalAgentAPI:
    """The original's TinyPerson methods this library otherwise names or does differently."""

    MAX_ACTIONS_BEFORE_DONE: ClassVar[int] = 15
    """The most actions one ``act()`` takes before it stops (also capped by the
    ``MAX_ACTIONS_PER_TURN`` setting)."""
    LOOP_DETECTION_THRESHOLD: ClassVar[int] = 3
    """After this many identical actions in a row, ``act()`` stops and logs a warning."""
    PP_TEXT_WIDTH: ClassVar[int] = 100
    """The width the original wrapped printed interactions to (kept for scripts that read it)."""

    # -- acting, the original's way --------------------------------------------------------
    def _message_producer(self: TinyPerson) -> Callable[[], Any] | None:
        """The ``_produce_message`` a subclass or a script supplied; else the agent's generator when
        it replaces its proposal step (``_generate_tentative_action``); else None (one model call per turn)."""
        produce = getattr(self, "_produce_message", None)
        if callable(produce):
            return produce
        generator = getattr(self, "action_generator", None)
        return GeneratorProducer(self, generator) if overrides_generation(generator) else None

    def _check_act_arguments(self: TinyPerson, until_done: bool | None, n: int | None) -> None:
        if until_done and n is not None:
            raise ActArgumentsError(f"{self.name}.act(until_done=True, n={n!r}): give one limit, either "
                                    "until_done=True (act until DONE) or n (take n actions).")

    def _produced(self: TinyPerson, reply: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(action dict, cognitive state dict)`` of what ``_produce_message()`` returned."""
        content = reply[1] if isinstance(reply, tuple) and len(reply) == 2 else reply
        action = content.get("action") if isinstance(content, dict) else None
        if not isinstance(action, dict) or not action.get("type"):
            raise SpecificationError(f"{self.name}._produce_message() must return (role, {{'action': {{'type': ..., "
                                     f"'content': ...}}, 'cognitive_state': {{...}}}}), got {reply!r}")
        cognitive = content.get("cognitive_state")
        return action, cognitive if isinstance(cognitive, dict) else {}

    async def _act_by_produced_messages(self: TinyPerson, produce: Callable[[], Any], limit: int,
                                        display: bool) -> list[dict[str, Any]]:
        """Act one produced action at a time, as the original did: stop at DONE, after ``limit``
        actions, or after ``LOOP_DETECTION_THRESHOLD`` identical actions in a row (logged)."""
        entries: list[dict[str, Any]] = []
        previous, streak = None, 0
        while len(entries) < limit:
            # a generator's proposal step makes blocking model calls: it runs off the event loop
            reply = await asyncio.to_thread(produce) if isinstance(produce, GeneratorProducer) else produce()
            action, cognitive = self._produced(reply)
            await self._apply_turn(TurnResult([Action.from_dict(action)], CognitiveState(**cognitive)), display)
            entries.append({"action": action, "cognitive_state": cognitive})
            if Action.from_dict(action).type == "DONE":
                break
            key = (action.get("type"), action.get("content"), action.get("target"))
            streak = streak + 1 if key == previous else 1
            previous = key
            if streak >= self.LOOP_DETECTION_THRESHOLD:
                logger.warning(f"Agent {self.name} is acting in a loop: the same action {streak} times in a row "
                               f"({key[0]}: {str(key[1])[:60]!r}); it stops acting for now.")
                break
        await self.memory_keeper.aconsolidate_pending()  # episodes that ended meanwhile, as a model turn does
        return entries

    # -- the prompt --------------------------------------------------------------------------
    def generate_agent_system_prompt(self: TinyPerson) -> str:
        """The system message of the agent's turns: persona, actions and rules."""
        parts = self.bound_faculties()  # the faculties as the turn sees them
        prompt = TurnPrompt(self.name, self.persona_text(), tuple(action_definitions(parts, self.environment is not None)),
                            tuple(action_constraints(parts)), "", ())
        return prompt.system()

    def reset_prompt(self: TinyPerson) -> None:
        """Rebuild the system message (kept as ``_init_system_message``); turns rebuild it anyway."""
        self._init_system_message = self.generate_agent_system_prompt()

    @property
    def current_messages(self: TinyPerson) -> list[dict[str, str]]:
        """The messages the agent's next turn would send, as ``{"role", "content"}`` dicts."""
        return [{"role": m.role, "content": m.content} for m in self.turn_prompt().messages()]

    def optimize_memory(self: TinyPerson) -> None:
        """The original's placeholder, which changes nothing; here prompts read bounded memory
        windows and episodes are consolidated as they end (``consolidate_episode_memories``)."""

    # -- the communications buffer ---------------------------------------------------------
    def _communication(self: TinyPerson, event: Any) -> dict[str, Any]:
        item = original_item(event)
        action = event.role == "action"
        return {"kind": "action" if action else "stimuli", "rendering": render_event(event, me=self.name),
                "content": item["content"], "source": self.name if action else event.source,
                "target": event.target if action else self.name}

    @property
    def _displayed_communications_buffer(self: TinyPerson) -> list[dict[str, Any]]:
        """What the agent perceived and did since the buffer was last emptied (and what was pushed)."""
        buffer: list[dict[str, Any]] = self.__dict__.setdefault("_communications", [])
        events = list(self.episodic_memory)
        cursor = min(self.__dict__.get("_communications_cursor", 0), len(events))
        buffer.extend(self._communication(e) for e in events[cursor:] if e.role in ("stimulus", "action"))
        self.__dict__["_communications_cursor"] = len(events)
        return buffer

    @_displayed_communications_buffer.setter
    def _displayed_communications_buffer(self: TinyPerson, value: list[dict[str, Any]]) -> None:
        self.__dict__["_communications_cursor"] = len(self.episodic_memory)
        self.__dict__["_communications"] = list(value)

    def _push_and_display_latest_communication(self: TinyPerson, communication: dict[str, Any]) -> None:
        """Add ``communication`` to the buffer and print its ``rendering``."""
        self._displayed_communications_buffer.append(communication)
        if communication.get("rendering"):
            _print(str(communication["rendering"]))

    def pop_and_display_latest_communications(self: TinyPerson) -> list[dict[str, Any]]:
        """Print and return the buffered communications, emptying the buffer."""
        communications = list(self._displayed_communications_buffer)
        self._displayed_communications_buffer = []
        for communication in communications:
            if communication.get("rendering"):
                _print(str(communication["rendering"]))
        return communications

    def clear_communications_buffer(self: TinyPerson) -> None:
        """Empty the communications buffer without printing it."""
        self._displayed_communications_buffer = []

    # -- registry and simulations ----------------------------------------------------------
    @staticmethod
    def add_agent(agent: TinyPerson) -> None:
        """Register ``agent`` by name; a name already in use raises (agents register when built)."""
        if registry.has(agent.name):
            raise SimulationError(f"agent name {agent.name!r} is already in use; agent names must be unique "
                                  "(TinyPerson registers itself when created: there is no need to add it)")
        registry.register(agent, agent.name)

    @staticmethod
    def set_simulation_for_free_agents(simulation: Any) -> None:
        """Add to ``simulation`` every agent that belongs to no simulation yet."""
        for agent in list(registry.all_agents.values()):
            if getattr(agent, "simulation_id", None) is None:
                simulation.add_agent(agent)

    # -- costs -----------------------------------------------------------------------------
    @staticmethod
    def get_global_cost_stats() -> dict[str, Any]:
        """``{"base_stats", "total_agents", "per_agent"}``: this process's model usage, and its
        average over the agents that exist (``per_agent`` is None without agents)."""
        return global_agent_cost_stats(len(registry.all_agents))

    @staticmethod
    def pretty_print_global_cost_stats() -> None:
        """Print :meth:`get_global_cost_stats` as the original does."""
        stats = OriginalAgentAPI.get_global_cost_stats()
        _print(render_cost_report("GLOBAL COST STATISTICS (ALL AGENTS)", {"Total agents": stats["total_agents"]},
                                  stats, {"per_agent": "Average per agent"}))

    # -- read-only views of the original's private attributes ------------------------------
    @property
    def _mental_state(self: TinyPerson) -> dict[str, Any]:
        """A copy of the mental state in the original's shape (change it with ``move_to``...)."""
        accessible = [{"name": n, "relation": r} for n, r in self.accessible_agent_relations().items()]
        return _original_mental_state(self.mental_state.to_state(), accessible, self.sim_time())

    @property
    def _accessible_agents(self: TinyPerson) -> list[TinyPerson]:
        return self.accessible_agents

    @property
    def _actions_buffer(self: TinyPerson) -> list[dict[str, Any]]:
        """The actions taken since ``pop_latest_actions()`` last emptied them (a copy)."""
        return list(self.ledger.actions_buffer)

    @property
    def stimuli_count(self: TinyPerson) -> int:
        """How many stimuli the agent remembers perceiving."""
        return sum(1 for event in self.episodic_memory if event.role == "stimulus")

    @property
    def _mental_faculties(self: TinyPerson) -> list[Any]:
        return self.mental_faculties

    # -- states written by the original ----------------------------------------------------
    def _decode_original_state(self: TinyPerson, state: dict[str, Any]) -> TinyPerson:
        """Restore a complete state the original wrote: persona, memories, mental state, counters
        and accessible agents (those that exist here); its faculties stay as they are."""
        persona = state.get("_persona")
        if not isinstance(persona, dict) or not isinstance(persona.get("name"), str) or not persona["name"].strip():
            raise StateError("agent state field '_persona' must be a dict with a 'name'; pass what "
                             "encode_complete_state() returned.")
        mental = state.get("_mental_state") if isinstance(state.get("_mental_state"), dict) else {}
        goals = mental.get("goals")
        ours = {"location": mental.get("location"), "context": [str(c) for c in mental.get("context") or []],
                "goals": "; ".join(map(str, goals)) if isinstance(goals, list) else str(goals or ""),
                "attention": str(mental.get("attention") or ""), "emotions": str(mental.get("emotions") or "")}
        self._set_persona(Persona(persona))
        spec.restore_extras(self, {"_origin": "agent state", "episodic_memory": state.get("episodic_memory"),
                                   "semantic_memory": state.get("semantic_memory"), "mental_state": ours,
                                   "current_episode_event_count": state.get("_current_episode_event_count")},
                            faculties=False)
        relations = {e.get("name"): e.get("relation_description", "") for e in mental.get("accessible_agents") or []
                     if isinstance(e, dict)}
        self.make_all_agents_inaccessible()
        for name in state.get("_accessible_agents") or list(relations):
            other = registry.get(str(name))
            if other is not None:
                self.make_agent_accessible(other, relations.get(name) or "An agent I can currently interact with.")
        if isinstance(state.get("actions_count"), int):
            self.actions_count = state["actions_count"]
        return self
