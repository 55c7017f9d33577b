"""Action quality checks: a judge scores a proposed turn; poor turns are regenerated with its feedback.

Off by default (config ``[ActionGenerator] ENABLE_QUALITY_CHECKS``, or per agent). The judge
scores 0-9 on the enabled criteria; below ``QUALITY_THRESHOLD`` the turn is regenerated with
the judge's feedback, up to ``MAX_ATTEMPTS`` proposals in all, keeping the best scored one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, field_validator

from tinytroupe import events, llm
from tinytroupe.agent.prompt import render_event
from tinytroupe.config import config_manager
from tinytroupe.errors import LLMError
from tinytroupe.llm.base import LLMModel, Message
from tinytroupe.prompts import render

if TYPE_CHECKING:
    from tinytroupe.agent.tiny_person import TinyPerson
    from tinytroupe.agent.turn import Proposal

__all__ = ["QualityGate", "QualityStats", "JudgeVerdict", "CRITERIA", "render_proposal", "judge_schema"]

# criterion -> (config setting that switches it on, what the judge is told)
CRITERIA: dict[str, tuple[str, str]] = {
    "persona_adherence": ("enable_quality_check_for_persona_adherence",
                          "persona adherence: acts and speaks as this persona would (beliefs, style, knowledge)"),
    "selfconsistency": ("enable_quality_check_for_selfconsistency",
                        "self-consistency: agrees with what the person said and did before"),
    "fluency": ("enable_quality_check_for_fluency", "fluency: natural wording, no stilted or garbled text"),
    "suitability": ("enable_quality_check_for_suitability",
                    "suitability: fits the situation and answers what was asked"),
    "similarity": ("enable_quality_check_for_similarity", "novelty: does not repeat earlier actions"),
}

JUDGE_CONTEXT_EVENTS = 8


class JudgeVerdict(BaseModel):
    """The judge's reply."""

    score: int
    feedback: str = ""

    @field_validator("score", mode="before")
    @classmethod
    def _clamp(cls, v: Any) -> int:
        return max(0, min(9, int(float(v))))


def judge_schema() -> dict[str, Any]:
    """The tight schema sent to the judge."""
    return {
        "type": "object",
        "properties": {"score": {"type": "integer", "enum": list(range(10))},
                       "feedback": {"type": "string", "maxLength": 300}},
        "required": ["score", "feedback"],
        "additionalProperties": False,
    }


@dataclass
class QualityStats:
    """Counts kept per agent: checks made, regenerations, passes, failures, judge errors, scores."""

    checks: int = 0
    regenerations: int = 0
    passed: int = 0
    failed: int = 0
    judge_errors: int = 0
    scores: list[int] = field(default_factory=list)

    @property
    def mean_score(self) -> float | None:
        return sum(self.scores) / len(self.scores) if self.scores else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> QualityStats:
        return cls(**{k: d[k] for k in ("checks", "regenerations", "passed", "failed", "judge_errors", "scores")
                      if k in d})


def render_proposal(proposal: Proposal) -> str:
    """A proposal as short lines, for the judge and for feedback."""
    lines = []
    for a in proposal.actions:
        arrow = f" -> {a.target}" if a.target else ""
        lines.append(f"[{a.type}{arrow}] {a.content}".rstrip())
    return "\n".join(lines) or "(no actions)"


Regenerate = Callable[["Proposal", int, int, str], Awaitable["Proposal"]]


class QualityGate:
    """Reviews one turn's proposal for one agent."""

    def __init__(self, agent: TinyPerson, model: LLMModel, strict: bool = False):
        self.agent = agent
        self.model = model
        self.strict = strict
        self.threshold = int(config_manager.get("quality_threshold"))
        self.max_attempts = max(1, int(config_manager.get("action_generator_max_attempts")))

    def _criteria(self) -> list[str]:
        chosen = [text for setting, text in CRITERIA.values() if config_manager.get(setting)]
        return chosen or [CRITERIA["persona_adherence"][1]]

    async def judge(self, proposal: Proposal) -> JudgeVerdict:
        """One judge call."""
        recent = self.agent.episodic_memory.retrieve_last(JUDGE_CONTEXT_EVENTS)
        prompt = render("quality_judge.md", criteria="\n".join(f"- {c}" for c in self._criteria()),
                        persona=self.agent.persona_text(),
                        episodes="\n".join(render_event(e) for e in recent) or "(nothing yet)",
                        name=self.agent.name, proposal=render_proposal(proposal))
        result = await llm.agenerate(self.model, [Message(role="user", content=prompt)], JudgeVerdict,
                                     schema=judge_schema(), tags={"agent": self.agent.name, "purpose": "judge"})
        return result.value

    async def review(self, proposal: Proposal, regenerate: Regenerate) -> Proposal | None:
        """The first proposal scoring at or above the threshold, else the best (or None when
        ``CONTINUE_ON_FAILURE`` is off)."""
        stats = self.agent.quality_stats
        best, best_score, current = proposal, -1, proposal
        for attempt in range(1, self.max_attempts + 1):
            try:
                verdict = await self.judge(current)
            except LLMError:
                if self.strict:
                    raise
                stats.judge_errors += 1
                return current if best_score < 0 else best
            stats.checks += 1
            stats.scores.append(verdict.score)
            passed = verdict.score >= self.threshold
            events.emit("agent.quality", source=self.agent.name, sim_time=self.agent.sim_time(),
                        agent=self.agent.name, score=verdict.score, attempt=attempt, passed=passed,
                        threshold=self.threshold, feedback=verdict.feedback)
            if verdict.score > best_score:
                best, best_score = current, verdict.score
            if passed:
                stats.passed += 1
                return current
            if attempt == self.max_attempts or not config_manager.get("enable_regeneration"):
                break
            stats.regenerations += 1
            try:
                current = await regenerate(current, verdict.score, self.threshold, verdict.feedback)
            except LLMError:
                if self.strict:
                    raise
                break
        stats.failed += 1
        return best if config_manager.get("continue_on_failure") else None
