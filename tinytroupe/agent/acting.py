"""How a TinyPerson acts: a mixin holding the turn loop of :class:`~tinytroupe.agent.tiny_person.TinyPerson`.

A turn gathers the prompt from the agent's parts (each renders its own section from a
read-only :class:`~tinytroupe.contracts.AgentView`), lets :func:`~tinytroupe.agent.turn.decide`
make one structured call (judged when quality checks are on), then records each action
(memory, ledger, events) and offers it to the bound faculties, which answer with an
:class:`~tinytroupe.agent.parts.ActionResult`. A result that brought the agent something new
(a recalled memory, a document read) makes it decide again, up to :data:`MAX_FOLLOWUPS` times.
``aturn()`` is what a world calls: the turn's actions as typed :class:`~tinytroupe.contracts.Acted`
values; ``act()``/``aact()`` are the original's entry points.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from tinytroupe import events, llm
from tinytroupe._sync import run_sync
from tinytroupe.agent.actions import Action
from tinytroupe.agent.languages import persona_language
from tinytroupe.agent.parts import NOT_HANDLED, ActionResult, BoundFaculty, acted_of
from tinytroupe.agent.prompt import TurnPrompt, action_constraints, action_definitions, render_episodes
from tinytroupe.agent.quality import QualityGate
from tinytroupe.agent.seeing import window_images
from tinytroupe.agent.turn import TurnPlan, TurnResult, decide
from tinytroupe.contracts import (
    Acted,
    AgentAction,
    AgentFallback,
    AgentGuard,
    AgentView,
    Stimulus,
    StimulusKind,
)
from tinytroupe.display import request_display
from tinytroupe.errors import SpecificationError
from tinytroupe.transactions import transactional

if TYPE_CHECKING:
    from tinytroupe.agent.tiny_person import TinyPerson

__all__ = ["ActingMixin", "MAX_FOLLOWUPS"]

MAX_FOLLOWUPS = 3  # decisions after a faculty's result within one act() (RECALL, CONSULT...)


class ActingMixin:
    """The turn loop of TinyPerson; see the module docstring."""

    # -- acting ----------------------------------------------------------------------------
    def max_actions_per_turn(self: TinyPerson) -> int:
        return self.settings.max_actions_per_turn

    def quality_checks_enabled(self: TinyPerson) -> bool:
        chosen = self.action_generator.enable_quality_checks
        return self.settings.quality_checks if chosen is None else bool(chosen)

    # the parts that contribute a section to the situation, in prompt order (faculties follow)
    PROMPT_PARTS: ClassVar[tuple[str, ...]] = ("mental_state", "accessibility", "memory_keeper")
    RECENT_EVENTS: ClassVar[int] = 5

    def view(self: TinyPerson) -> AgentView:
        """What the agent's parts may know when they render their prompt sections."""
        now = getattr(self.environment, "current_datetime", None)
        head, _, tail = self.episodic_memory.window(0, self.RECENT_EVENTS)
        recent = tuple(e.content for e in (*head, *tail))
        return AgentView(self.name, now=now, in_world=self.environment is not None, recent=recent)

    def bound_faculties(self: TinyPerson) -> list[BoundFaculty]:
        """The faculties, each bound to this agent once, when first seen attached."""
        bound, faculties = self._bound, self.mental_faculties
        if len(bound) != len(faculties) or any(b.faculty is not f for b, f in zip(bound, faculties, strict=True)):
            known = {id(b.faculty): b for b in bound}
            self._bound = [known.get(id(f)) or BoundFaculty(f, self, self._faculty_thoughts) for f in faculties]
        return self._bound

    def _faculty_thoughts(self: TinyPerson) -> int:
        return self.ledger.faculty_thoughts

    async def aturn_prompt(self: TinyPerson) -> TurnPrompt:
        """The next turn's prompt, from the parts' own contributions: each part in
        :attr:`PROMPT_PARTS` with ``aprompt_section(view)`` (awaited) or ``prompt_section(view)``,
        then each bound faculty's ``prompt_section(view)``."""
        view = self.view()
        sections: list[str] = []
        for attr in self.PROMPT_PARTS:
            part = getattr(self, attr, None)
            if callable(getattr(part, "aprompt_section", None)):
                sections.append(await part.aprompt_section(view))  # type: ignore[union-attr]
            elif callable(getattr(part, "prompt_section", None)):
                sections.append(part.prompt_section(view))  # type: ignore[union-attr]
        parts = self.bound_faculties()
        sections.extend(p.prompt_section(view) for p in parts)
        prefix, lookback = self.settings.episodic_prefix, self.settings.episodic_lookback
        episodes = render_episodes(self.episodic_memory, prefix, lookback)
        head, _, tail = self.episodic_memory.window(prefix, lookback)
        return TurnPrompt(self.name, self._persona.render(), tuple(action_definitions(parts, view.in_world)),
                          tuple(action_constraints(parts)), episodes, tuple(s for s in sections if s),
                          window_images(head, tail), self._language())

    def _language(self: TinyPerson) -> str:
        """The language the persona speaks, worked out again only when the persona changed
        (a changed persona renders to a new text)."""
        rendered = self._persona.render()
        known = getattr(self, "_language_of", None)
        if known is None or known[0] is not rendered:
            known = self._language_of = (rendered, persona_language(self._persona))
        return known[1]

    def turn_prompt(self: TinyPerson) -> TurnPrompt:
        """Blocking twin of :meth:`aturn_prompt`."""
        return run_sync(self.aturn_prompt())

    async def _plan(self: TinyPerson, cap: int) -> TurnPlan:
        return TurnPlan(await self.aturn_prompt(), tuple(self.accessibility.relations), cap,
                        self.settings.schema_max_actions, self.ledger.last_action, self.settings.repetition_guard,
                        self.settings.max_completion_tokens, {"agent": self.name, "purpose": "agent_turn"})

    def act(self: TinyPerson, until_done: bool | None = None, n: int | None = None, return_actions: bool = False,
            max_content_length: int | None = None, communication_display: bool | None = None,
            strict: bool | None = None) -> list[dict] | None:
        """Act: blocking twin of :meth:`aact` (same arguments, the original's order)."""
        return run_sync(self.aact(until_done, n, return_actions, max_content_length, communication_display, strict))

    @transactional(ignore=("communication_display", "max_content_length"))
    async def aact(self: TinyPerson, until_done: bool | None = None, n: int | None = None, return_actions: bool = False,
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
        self._check_act_arguments(until_done, n)
        until_done = True if until_done is None else until_done
        produce = self._message_producer()
        if produce is not None:  # the original's hook: entries exactly as produced
            request_display()
            entries = await self._act_by_produced_messages(produce, self._act_limit(until_done, n),
                                                           self._shows(communication_display))
            return entries if return_actions else None
        acted = await self._aturn(until_done, n, communication_display, strict)
        return [a.to_dict() for a in acted] if return_actions else None

    async def aturn(self: TinyPerson, communication_display: bool | None = None) -> list[Acted]:
        """One turn as a world drives it: the actions taken, typed (an agent class that overrides
        ``aact``/``act`` is asked through them, as the original's worlds did)."""
        cls = type(self)
        if cls.aact is ActingMixin.aact and cls.act is ActingMixin.act:
            return await self._aturn(True, None, communication_display, None)
        if cls.aact is not ActingMixin.aact:
            entries = await self.aact(return_actions=True, communication_display=communication_display)
        else:
            entries = await asyncio.to_thread(self.act, return_actions=True,
                                              communication_display=communication_display)
        return [acted_of(e) for e in entries or []]

    async def _aturn(self: TinyPerson, until_done: bool, n: int | None, communication_display: bool | None,
                     strict: bool | None) -> list[Acted]:
        request_display()
        if n is not None and (not isinstance(n, int) or n < 1):
            raise SpecificationError(f"act(n={n!r}): n counts actions and must be a positive whole number")
        strict = self.strict if strict is None else strict
        remaining = self._act_limit(until_done, n)
        display = self._shows(communication_display)
        produce = self._message_producer()
        if produce is not None:  # the original's hook: a supplied _produce_message decides
            return [acted_of(e) for e in await self._act_by_produced_messages(produce, remaining, display)]
        acted: list[Acted] = []
        model = self.model or llm.default_model()
        followups = 0
        while remaining > 0:
            cap = min(remaining, self.settings.max_actions_per_turn)
            review = QualityGate(self, model, strict).review if self.quality_checks_enabled() else None
            result = await decide(await self._plan(cap), model, strict, review)
            turn, news = await self._apply_turn(result, display)
            acted.extend(turn)
            taken = sum(1 for a in result.actions if a.type != "DONE")
            if news and followups < MAX_FOLLOWUPS:  # a faculty's result: decide again with it
                followups += 1
                remaining = remaining - max(1, taken) if n is not None else remaining
                continue
            remaining = remaining - max(1, taken) if n is not None else 0
        await self.memory_keeper.aconsolidate_pending()  # episodes that ended during this turn
        return acted

    def _act_limit(self: TinyPerson, until_done: bool, n: int | None) -> int:
        """How many actions one ``act`` may take: ``n``, else up to the cap (or one, without until_done)."""
        most = min(self.settings.max_actions_per_turn, self.MAX_ACTIONS_BEFORE_DONE)
        return n if n is not None else (most if until_done else 1)

    async def _apply_turn(self: TinyPerson, result: TurnResult, display: bool = True) -> tuple[list[Acted], bool]:
        """Record a decided turn: memory, ledger, events, faculties, cognitive state; return what
        was done, and whether a faculty's result should be decided upon."""
        sim_time = self.sim_time()
        with events.owner(self._world_id(), keep_world=True):
            if result.failure is not None:
                self.ledger.record_fallback(result.failure.error_type)
                events.emit(AgentFallback(self.name, result.failure.error_type, result.failure.reason, display),
                            source=self.name, sim_time=sim_time)
            self.mental_state.update_cognitive(result.cognitive_state)
            cognitive = self.mental_state.cognitive_dict()
            acted: list[Acted] = []
            for action in result.actions:
                if action.type == "DONE":
                    for reason, text in result.notes:
                        self.record_event("note", reason.upper(), text)
                        events.emit(AgentGuard(self.name, reason, text, display), source=self.name,
                                    sim_time=sim_time)
                else:
                    self.record_event("action", action.type, action.content, target=action.target)
                self.ledger.record_action(action)
                events.emit(AgentAction(self.name, action.type, action.content, action.target, display),
                            source=self.name, sim_time=sim_time)
                outcome = await self._handle(action)
                acted.append(Acted(action, dict(cognitive)))
                if outcome.news:
                    return acted, True  # the rest of this reply was decided without what the faculty gave
        return acted, False

    async def _handle(self: TinyPerson, action: Action) -> ActionResult:
        """Offer ``action`` to the bound faculties in order, until one handles it."""
        for part in self.bound_faculties():
            outcome = await part.ahandle(action)
            if outcome.handled:
                for thought in outcome.thoughts:  # what the part found, perceived as one's own thought
                    self.perceive(Stimulus(StimulusKind.THOUGHT, thought))
                return outcome
        return NOT_HANDLED
