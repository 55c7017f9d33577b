"""The action generator as TinyTroupe users know it: quality-checked action proposals for one agent.

``ActionGenerator(...)`` takes the original's constructor (fixed defaults, not the
configuration's: ``max_attempts=2``, ``enable_quality_checks=True``, ``quality_threshold=7``...)
and works on top of :class:`tinytroupe.agent.quality.QualityGate`. Give it to an agent with
``agent.action_generator = generator``: the agent's ``act()`` then reviews every turn with these
settings and the generator counts what happened (:meth:`ActionGenerator.get_statistics`).
:meth:`ActionGenerator.generate_next_action` produces one reviewed proposal without acting;
its proposals come from :meth:`ActionGenerator._generate_tentative_action`, which a subclass
(or a test) may replace. When an agent's generator replaces it (or ``generate_next_action``),
the agent's ``act()`` goes through the generator one proposal at a time (:class:`GeneratorProducer`);
otherwise ``act()`` keeps its own single-call turn.
"""

from __future__ import annotations

import asyncio
import json
import statistics
from typing import Any

from tinytroupe import llm
from tinytroupe._sync import run_sync
from tinytroupe.agent import quality
from tinytroupe.agent.actions import Action, CognitiveState
from tinytroupe.agent.turn import Proposal, TurnPlan, decide, render_proposal
from tinytroupe.errors import PoorQualityActionException, SpecificationError
from tinytroupe.llm.base import Message

__all__ = ["ActionGenerator", "ActionRefusedException", "PoorQualityActionException", "AgentTurnMessages",
           "GeneratorProducer", "overrides_generation"]

ActionRefusedException = PoorQualityActionException  # the original's name for a refused action

_SETTINGS = ("max_attempts", "enable_quality_checks", "enable_regeneration", "enable_direct_correction",
             "enable_quality_check_for_persona_adherence", "enable_quality_check_for_selfconsistency",
             "enable_quality_check_for_fluency", "enable_quality_check_for_suitability",
             "enable_quality_check_for_similarity", "continue_on_failure", "quality_threshold",
             "max_action_similarity", "enable_reasoning_step")
_COUNTERS = ("regeneration_attempts", "regeneration_failures", "direct_correction_attempts",
             "direct_correction_failures", "total_actions_produced", "total_original_actions_succeeded")


class ActionGenerator(quality.ActionGenerator):
    """Quality-checked action generation with the original's settings and counters."""

    def __init__(self, max_attempts: int = 2, enable_quality_checks: bool = True, enable_regeneration: bool = True,
                 enable_direct_correction: bool = False, enable_quality_check_for_persona_adherence: bool = True,
                 enable_quality_check_for_selfconsistency: bool = True, enable_quality_check_for_fluency: bool = True,
                 enable_quality_check_for_suitability: bool = False, enable_quality_check_for_similarity: bool = False,
                 continue_on_failure: bool = True, quality_threshold: int = 7, max_action_similarity: float = 0.6,
                 enable_reasoning_step: bool = False, judge: Any = None):
        if not isinstance(max_attempts, int) or max_attempts < 1:
            raise SpecificationError(f"ActionGenerator(max_attempts={max_attempts!r}): give a whole number >= 1")
        if not 0 <= float(max_action_similarity) <= 1:
            raise SpecificationError(f"ActionGenerator(max_action_similarity={max_action_similarity!r}): "
                                     "give a fraction between 0 and 1")
        super().__init__(max_attempts, enable_quality_checks, enable_regeneration, enable_direct_correction,
                         enable_quality_check_for_persona_adherence, enable_quality_check_for_selfconsistency,
                         enable_quality_check_for_fluency, enable_quality_check_for_suitability,
                         enable_quality_check_for_similarity, continue_on_failure, quality_threshold, judge)
        self.max_action_similarity = float(max_action_similarity)
        self.enable_reasoning_step = enable_reasoning_step
        self.reset_statistics()

    def reset_statistics(self) -> None:
        """Zero the counters and forget the scores."""
        for name in _COUNTERS:
            setattr(self, name, 0)
        self.regeneration_scores: list[int] = []
        self.direct_correction_scores: list[int] = []

    def note(self, method: str, score: int | None = None, passed: bool | None = None) -> None:
        """Count one step of a review (see :meth:`quality.ActionGenerator.note`)."""
        if method == "produced":
            self.total_actions_produced += 1
        elif method == "original":
            self.total_original_actions_succeeded += 1 if passed else 0
        elif method in ("regeneration", "direct_correction"):
            setattr(self, f"{method}_attempts", getattr(self, f"{method}_attempts") + 1)
            if score is not None:
                getattr(self, f"{method}_scores").append(score)
            if not passed:
                setattr(self, f"{method}_failures", getattr(self, f"{method}_failures") + 1)

    def get_statistics(self) -> dict[str, Any]:
        """Rates, mean and spread of scores, and totals of what this generator did."""
        def rate(part: int, whole: int) -> float:
            return part / whole if whole else 0.0

        def spread(scores: list[int]) -> tuple[float, float]:
            if not scores:
                return 0.0, 0.0
            return statistics.fmean(scores), statistics.pstdev(scores)

        regen_mean, regen_sd = spread(self.regeneration_scores)
        direct_mean, direct_sd = spread(self.direct_correction_scores)
        return {
            "regeneration_failure_rate": rate(self.regeneration_failures, self.regeneration_attempts),
            "regeneration_success_rate": 1 - rate(self.regeneration_failures, self.regeneration_attempts)
            if self.regeneration_attempts else 0.0,
            "direct_correction_failure_rate": rate(self.direct_correction_failures, self.direct_correction_attempts),
            "direct_correction_success_rate": 1 - rate(self.direct_correction_failures,
                                                       self.direct_correction_attempts)
            if self.direct_correction_attempts else 0.0,
            "regeneration_mean_score": regen_mean, "regeneration_sd_score": regen_sd,
            "direct_correction_mean_score": direct_mean, "direct_correction_sd_score": direct_sd,
            "total_actions_produced": self.total_actions_produced,
            "total_original_actions_succeeded": self.total_original_actions_succeeded,
            "original_success_rate": rate(self.total_original_actions_succeeded, self.total_actions_produced),
            **{name: getattr(self, name) for name in _COUNTERS if name != "total_actions_produced"},
        }

    def to_json(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict (the judge model is not included)."""
        return {"type": "ActionGenerator", **{name: getattr(self, name) for name in _SETTINGS}}

    to_dict = to_json

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> ActionGenerator:
        """A generator from :meth:`to_json`'s dict (or its JSON text); unknown keys are refused."""
        if isinstance(data, str):
            data = json.loads(data)
        if not isinstance(data, dict):
            raise SpecificationError(f"ActionGenerator.from_json: expected a dict, got {type(data).__name__}")
        unknown = set(data) - set(_SETTINGS) - {"type"}
        if unknown:
            raise SpecificationError(f"ActionGenerator.from_json: unknown setting(s) {sorted(unknown)}; "
                                     f"known: {', '.join(_SETTINGS)}")
        return cls(**{k: v for k, v in data.items() if k != "type"})

    from_dict = from_json

    def generate_next_action(self, agent: Any, current_messages: list[dict[str, Any]]
                             ) -> tuple[Any, str, dict[str, Any], list[str]]:
        """Propose the agent's next action for ``current_messages`` (extra ``{"role", "content"}``
        messages after the agent's own prompt), reviewed with this generator's settings.

        Returns ``(action, role, content, feedbacks)``: the action dict (a list of them when the
        turn has several), ``"assistant"``, ``{"action", "cognitive_state"}`` and the judge's
        feedback on each rejected proposal. Nothing is acted or remembered."""
        action, role, content = self._generate_tentative_action(agent, current_messages)
        if not self.enable_quality_checks:
            return action, role, content, []
        last = {"action": action, "role": role, "content": content}

        async def regenerate(previous: Proposal, score: int, threshold: int, feedback: str) -> Proposal:
            new = await asyncio.to_thread(self._generate_tentative_action, agent, current_messages, feedback,
                                          last["action"], last["role"], last["content"])
            last.update(action=new[0], role=new[1], content=new[2])
            return _proposal_of(new[0], new[2])

        gate = quality.QualityGate(agent, agent.model or llm.default_model(), agent.strict, generator=self)
        chosen = run_sync(gate.review(_proposal_of(action, content), regenerate))
        action, content = _dicts_of(chosen)
        return action, "assistant", content, list(gate.feedbacks)

    def _generate_tentative_action(self, agent: Any, current_messages: list[dict[str, Any]],
                                   feedback_from_previous_attempt: str | None = None,
                                   previous_tentative_action: Any = None, previous_llm_role: str | None = None,
                                   previous_llm_content: Any = None) -> tuple[Any, str, dict[str, Any]]:
        """One unreviewed proposal from the agent's model: ``(action, role, content)``; with the
        previous attempt and its feedback when this is a retry, and asked to think first when
        ``enable_reasoning_step`` is on."""
        own = isinstance(current_messages, AgentTurnMessages)  # the agent's prompt itself: nothing extra
        extra = [] if own else [_message_of(m) for m in current_messages or []]
        if feedback_from_previous_attempt:
            earlier = _proposal_of(previous_tentative_action, previous_llm_content or {})
            extra.append(Message(role="user", content=_retry_note(render_proposal(earlier),
                                                                  feedback_from_previous_attempt)))
        if self.enable_reasoning_step:
            extra.append(Message(role="user", content=_REASONING_NOTE))
        model = agent.model or llm.default_model()

        async def one() -> Any:
            settings = agent.settings
            plan = TurnPlan(await agent.aturn_prompt(), tuple(agent.accessibility.relations),
                            settings.max_actions_per_turn, settings.schema_max_actions, agent.ledger.last_action,
                            settings.repetition_guard, settings.max_completion_tokens,
                            {"agent": agent.name, "purpose": "agent_turn"})
            return await decide(plan, model, agent.strict, None, tuple(extra))

        result = run_sync(one())
        action, content = _dicts_of(Proposal(result.actions, result.cognitive_state))
        return action, "assistant", content


_REASONING_NOTE = ("Before you act, reason it through: make your first action a THINK that weighs what you know, "
                   "what you want and what would be in character, then act on it.")


def _retry_note(proposal: str, feedback: str) -> str:
    return (f"Your previous proposal was:\n{proposal}\nIt was rejected for these reasons:\n{feedback}\n"
            "Propose a better next action, taking that into account.")


def _message_of(m: Any) -> Message:
    if isinstance(m, Message):
        return m
    if not isinstance(m, dict) or "content" not in m:
        raise SpecificationError(f"generate_next_action: each message must be a dict with 'role' and 'content', "
                                 f"got {m!r}")
    content = m["content"]
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, default=str)
    role = m.get("role", "user")
    return Message(role=role if role in ("system", "user", "assistant") else "user", content=text)


def _proposal_of(action: Any, content: Any) -> Proposal:
    """A proposal from the original's action dict (or list of them) and content dict."""
    items = action if isinstance(action, list) else [action] if isinstance(action, dict) else []
    actions = [Action.from_dict(a) for a in items if isinstance(a, dict) and a.get("type")]
    state = content.get("cognitive_state") if isinstance(content, dict) else None
    return Proposal(actions, CognitiveState(**state) if isinstance(state, dict) else CognitiveState())


class TurnAction(dict):
    """An action dict of a whole decided turn (its DONE left out): acting it ends the turn."""


def _dicts_of(proposal: Proposal) -> tuple[Any, dict[str, Any]]:
    """The original's ``(action, content)`` for a proposal: one dict when it has one action."""
    kept = [TurnAction(a.to_dict()) for a in proposal.actions if a.type != "DONE"] or [TurnAction(DONE_ACTION)]
    action: Any = kept[0] if len(kept) == 1 else kept
    return action, {"action": action, "cognitive_state": proposal.cognitive_state.model_dump()}


DONE_ACTION = {"type": "DONE", "content": "", "target": ""}


class AgentTurnMessages(list):
    """``agent.current_messages`` as ``act()`` hands them to a generator: the agent's own turn
    prompt, which :meth:`ActionGenerator._generate_tentative_action` does not send twice."""


def overrides_generation(generator: Any) -> bool:
    """Whether ``generator`` replaces ``_generate_tentative_action`` or ``generate_next_action``
    (a subclass or an instance attribute), so ``act()`` must go through it."""
    cls = type(generator)
    if cls is quality.ActionGenerator or cls is ActionGenerator:  # the usual case: one look at the instance
        own = getattr(generator, "__dict__", {})
        return "_generate_tentative_action" in own or "generate_next_action" in own
    if not callable(getattr(generator, "generate_next_action", None)):
        return False
    if not isinstance(generator, ActionGenerator):
        return True  # a generator of the user's own making
    return (cls.generate_next_action is not ActionGenerator.generate_next_action
            or cls._generate_tentative_action is not ActionGenerator._generate_tentative_action
            or any(k in vars(generator) for k in ("_generate_tentative_action", "generate_next_action")))


class GeneratorProducer:
    """One ``(role, {"action", "cognitive_state"})`` per call, from ``generator.generate_next_action``:
    the actions of one proposal are handed out one by one, and a whole turn the generator decided
    itself is followed by DONE (a single action a replaced method returns is not)."""

    def __init__(self, agent: Any, generator: Any):
        self.agent, self.generator = agent, generator
        self.pending: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def __call__(self) -> tuple[str, dict[str, Any]]:
        if not self.pending:
            messages = AgentTurnMessages(self.agent.current_messages)
            action, role, content, _ = self.generator.generate_next_action(self.agent, messages)
            cognitive = content.get("cognitive_state") if isinstance(content, dict) else None
            cognitive = cognitive if isinstance(cognitive, dict) else {}
            actions = action if isinstance(action, list) else [action]
            self.pending = [(dict(a), cognitive) for a in actions]
            if actions and isinstance(actions[-1], TurnAction) and actions[-1].get("type") != "DONE":
                self.pending.append((dict(DONE_ACTION), cognitive))
        action, cognitive = self.pending.pop(0)
        return "assistant", {"action": action, "cognitive_state": cognitive}
