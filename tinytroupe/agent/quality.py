"""Action quality checks: each enabled criterion is a proposition that scores a proposed turn.

Off by default (``[ActionGenerator] ENABLE_QUALITY_CHECKS``, or per agent through
``agent.action_generator``). Each enabled criterion is scored 0-9 by its proposition of
:mod:`tinytroupe.validation.propositions` (persona adherence, self-consistency, fluency,
suitability; similarity to earlier actions is measured without a model). A turn passes
when every criterion reaches ``QUALITY_THRESHOLD``. A failing turn is rewritten by the judge
(``ENABLE_DIRECT_CORRECTION``) or regenerated with the failing criteria's feedback
(``ENABLE_REGENERATION``), up to ``MAX_ATTEMPTS`` proposals; then the best one is kept, or
:class:`~tinytroupe.errors.PoorQualityActionException` is raised when ``CONTINUE_ON_FAILURE``
is off. Per-criterion scores are kept in ``agent.quality_stats``.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from tinytroupe import events, llm, providers
from tinytroupe.agent.prompt import render_event
from tinytroupe.agent.settings import AgentSettings
from tinytroupe.agent.turn import Proposal, render_proposal
from tinytroupe.contracts import AgentQuality
from tinytroupe.errors import LLMError, PoorQualityActionException
from tinytroupe.llm.base import LLMModel, Message
from tinytroupe.prompts import render

if TYPE_CHECKING:
    from tinytroupe.contracts import Agent

__all__ = ["QualityGate", "QualityStats", "ActionGenerator", "CRITERIA", "render_proposal", "action_generator_of",
           "PoorQualityActionException", "similarity_score"]

# criterion -> (config setting that switches it on, proposition of the library, or None: computed)
CRITERIA: dict[str, tuple[str, str | None]] = {
    "persona_adherence": ("enable_quality_check_for_persona_adherence", "hard_action_persona_adherence"),
    "selfconsistency": ("enable_quality_check_for_selfconsistency", "action_self_consistency"),
    "fluency": ("enable_quality_check_for_fluency", "action_fluency"),
    "suitability": ("enable_quality_check_for_suitability", "action_suitability"),
    "similarity": ("enable_quality_check_for_similarity", None),
}

CONTEXT_EVENTS = 8
SIMILARITY_LOOKBACK = 10


@dataclass
class ActionGenerator:
    """Per-agent settings of action generation (``agent.action_generator``, as in TinyTroupe).

    ``None`` means "as configured" (``[ActionGenerator]`` in config.ini). ``judge``: the model
    that scores this agent's actions (default: the process judge, else the agent's model).
    """

    max_attempts: int | None = None
    enable_quality_checks: bool | None = None
    enable_regeneration: bool | None = None
    enable_direct_correction: bool | None = None
    enable_quality_check_for_persona_adherence: bool | None = None
    enable_quality_check_for_selfconsistency: bool | None = None
    enable_quality_check_for_fluency: bool | None = None
    enable_quality_check_for_suitability: bool | None = None
    enable_quality_check_for_similarity: bool | None = None
    continue_on_failure: bool | None = None
    quality_threshold: int | None = None
    judge: LLMModel | None = field(default=None, repr=False, compare=False)

    def setting(self, name: str, defaults: Mapping[str, Any] | None = None) -> Any:
        """This agent's value of setting ``name``, else the default resolved when the agent was
        built (``defaults``: ``agent.settings.action_generator``; the configuration without one)."""
        value = getattr(self, name)
        if value is not None:
            return value
        if defaults is None:
            defaults = dict(AgentSettings.from_config().action_generator)
        return defaults[name]

    def criteria(self, defaults: Mapping[str, Any] | None = None) -> list[str]:
        """The enabled criteria (persona adherence when none is)."""
        return [c for c, (setting, _) in CRITERIA.items() if self.setting(setting, defaults)] or ["persona_adherence"]

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "judge"}

    def note(self, method: str, score: int | None = None, passed: bool | None = None) -> None:
        """Hook told of each step of a review ("produced", "original", "regeneration",
        "direct_correction" with its score and verdict); counted by the public generator."""

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> ActionGenerator:
        names = {f.name for f in fields(cls)} - {"judge"}
        return cls(**{k: v for k, v in (d or {}).items() if k in names})


@dataclass
class QualityStats:
    """Counts kept per agent: checks, regenerations, corrections, passes, failures, judge errors, scores."""

    checks: int = 0
    regenerations: int = 0
    direct_corrections: int = 0
    passed: int = 0
    failed: int = 0
    judge_errors: int = 0
    scores: list[int] = field(default_factory=list)
    criteria_scores: dict[str, list[int]] = field(default_factory=dict)

    @property
    def mean_score(self) -> float | None:
        return sum(self.scores) / len(self.scores) if self.scores else None

    def criterion_means(self) -> dict[str, float]:
        return {c: sum(v) / len(v) for c, v in self.criteria_scores.items() if v}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> QualityStats:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def _action_dicts(proposal: Proposal) -> list[dict[str, str]]:
    return [{"type": a.type, "content": a.content, "target": a.target} for a in proposal.actions if a.type != "DONE"]


def closest_earlier_action(agent: Agent, proposal: Proposal) -> tuple[float, str]:
    """The highest text similarity (0-1) of the proposal's actions to the agent's recent ones, and that action."""
    earlier = [e.content for e in agent.episodic_memory.retrieve_last(SIMILARITY_LOOKBACK) if e.role == "action"]
    worst, closest = 0.0, ""
    for action in _action_dicts(proposal):
        for text in earlier:
            ratio = difflib.SequenceMatcher(None, action["content"].lower(), text.lower()).ratio()
            if ratio > worst:
                worst, closest = ratio, text
    return worst, closest


def similarity_score(agent: Agent, proposal: Proposal, max_similarity: float | None = None,
                     threshold: int = 7) -> tuple[int, str]:
    """9 for actions unlike the agent's recent ones, down to 0 for a repeat; with the reason.
    With ``max_similarity`` (0-1), anything closer than that scores below ``threshold``."""
    worst, closest = closest_earlier_action(agent, proposal)
    score = round(9 * (1 - worst))
    too_close = worst > (0.5 if max_similarity is None else max_similarity)
    if max_similarity is not None:
        score = min(score, threshold - 1) if too_close else max(score, threshold)
    reason = f"too close to an earlier action ({closest[:80]!r}); say something new" if too_close else "new"
    return score, reason


class CorrectedAction(BaseModel):
    type: str
    content: str
    target: str = ""


class CorrectedActions(BaseModel):
    """The judge's rewrite of a proposal."""

    actions: list[CorrectedAction]


Regenerate = Callable[["Proposal", int, int, str], Awaitable["Proposal"]]


class QualityGate:
    """Reviews one turn's proposal for one agent."""

    def __init__(self, agent: Agent, model: LLMModel, strict: bool = False,
                 generator: ActionGenerator | None = None):
        resolve_judge = providers.need("resolve_judge")  # experimentation.judge, provided from above
        self.agent = agent
        self.generator = generator if generator is not None else action_generator_of(agent)
        self.feedbacks: list[str] = []  # the feedback of each failing assessment, in order
        self.judge = resolve_judge(self.generator.judge, fallback=model)
        self.strict = strict
        self.defaults = dict(agent.settings.action_generator)  # resolved when the agent was built
        self.threshold = int(self.setting("quality_threshold"))
        self.max_attempts = max(1, int(self.setting("max_attempts")))

    def setting(self, name: str) -> Any:
        """The agent's value of an [ActionGenerator] setting."""
        return self.generator.setting(name, self.defaults)

    async def assess(self, proposal: Proposal) -> dict[str, tuple[int, str]]:
        """Score every enabled criterion: ``{criterion: (score, justification)}``."""
        propositions = providers.need("propositions")  # validation.propositions, provided from above
        actions = _action_dicts(proposal)
        names = self.generator.criteria(self.defaults)

        async def one(criterion: str) -> tuple[int, str]:
            library_name = CRITERIA[criterion][1]
            if library_name is None:
                return similarity_score(self.agent, proposal, getattr(self.generator, "max_action_similarity", None),
                                        self.threshold)
            base = getattr(propositions, library_name)
            p = base.copy()
            p.judge, p.tags = self.judge, {"agent": self.agent.name, "criterion": criterion}
            score = await p.ascore(target=self.agent, claim_variables={"action": actions})
            return int(score), p.justification or ""

        results = await asyncio.gather(*(one(c) for c in names))
        return dict(zip(names, results, strict=True))

    async def correct(self, proposal: Proposal, feedback: str) -> Proposal:
        """The judge rewrites the proposal directly (same action types and targets)."""
        from tinytroupe.agent.actions import Action

        recent = self.agent.episodic_memory.retrieve_last(CONTEXT_EVENTS)
        prompt = render("quality_correction.md", feedback=feedback, persona=self.agent.persona_text(),
                        episodes="\n".join(render_event(e) for e in recent) or "(nothing yet)",
                        name=self.agent.name, proposal=render_proposal(proposal))
        result = await llm.agenerate(self.judge, [Message(role="user", content=prompt)], CorrectedActions,
                                     tags={"agent": self.agent.name, "purpose": "judge", "judge": "correction"})
        kept = [a for a in proposal.actions if a.type != "DONE"]
        rewritten = result.value.actions
        actions = [Action(old.type, new.content.strip() or old.content, old.target)
                   for old, new in zip(kept, rewritten, strict=False)] or kept
        return Proposal(actions + kept[len(actions):], proposal.cognitive_state)

    async def review(self, proposal: Proposal, regenerate: Regenerate) -> Proposal:
        """The first proposal whose every criterion reaches the threshold; else the best one, or
        :class:`PoorQualityActionException` when ``CONTINUE_ON_FAILURE`` is off."""
        stats = self.agent.quality_stats
        best, best_score, current = proposal, -1, proposal
        scores: dict[str, int] = {}
        method = "original"
        self.generator.note("produced")
        for attempt in range(1, self.max_attempts + 1):
            try:
                verdicts = await self.assess(current)
            except LLMError:
                if self.strict:
                    raise
                stats.judge_errors += 1
                return current if best_score < 0 else best
            scores = {c: s for c, (s, _) in verdicts.items()}
            score = min(scores.values())
            failing = {c: v for c, v in verdicts.items() if v[0] < self.threshold}
            feedback = "\n".join(f"- {c.replace('_', ' ')} ({s}/9): {why}" for c, (s, why) in failing.items())
            self._record(stats, scores, score, attempt, feedback)
            self.generator.note(method, score, not failing)
            if failing:
                self.feedbacks.append(feedback)
            if score > best_score:
                best, best_score = current, score
            if not failing:
                stats.passed += 1
                return current
            if attempt == self.max_attempts:
                break
            try:
                if self.setting("enable_direct_correction"):
                    stats.direct_corrections += 1
                    method = "direct_correction"
                    current = await self.correct(current, feedback)
                elif self.setting("enable_regeneration"):
                    stats.regenerations += 1
                    method = "regeneration"
                    current = await regenerate(current, score, self.threshold, feedback)
                else:
                    break
            except LLMError:
                if self.strict:
                    raise
                break
        stats.failed += 1
        if self.setting("continue_on_failure"):
            return best
        raise PoorQualityActionException(
            f"{self.agent.name}: no proposed action reached the quality threshold {self.threshold} after "
            f"{self.max_attempts} attempt(s) (scores {scores}); set CONTINUE_ON_FAILURE = true to keep the best, "
            "or lower QUALITY_THRESHOLD", scores=scores, proposal=best)

    def _record(self, stats: QualityStats, scores: dict[str, int], score: int, attempt: int, feedback: str) -> None:
        stats.checks += 1
        stats.scores.append(score)
        for criterion, value in scores.items():
            stats.criteria_scores.setdefault(criterion, []).append(value)
        events.emit(AgentQuality(self.agent.name, score, attempt, score >= self.threshold, self.threshold, feedback,
                                 dict(scores)), source=self.agent.name, sim_time=self.agent.sim_time())


def action_generator_of(agent: Any) -> ActionGenerator:
    """``agent.action_generator``, created from the agent's switches on first use."""
    generator = getattr(agent, "action_generator", None)
    if not isinstance(generator, ActionGenerator):
        generator = ActionGenerator(enable_quality_checks=getattr(agent, "enable_quality_checks", None))
        try:
            agent.action_generator = generator
        except AttributeError:  # pragma: no cover - slotted agents
            pass
    return generator
