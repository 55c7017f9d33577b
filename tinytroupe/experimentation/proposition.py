"""Propositions: claims about agents or worlds, judged true/false or scored 0-9 by a judge model.

::

    p = Proposition("Lisa talks about data science.", target=lisa, include_personas=True)
    p.check()        # True / False   (p.justification, p.confidence, p.reasoning kept)
    p.score()        # 0..9

A precondition turns the claim ``P`` into ``precondition -> P``: when
``precondition_function(target=..., additional_context=..., claim_variables=...)`` is false,
the proposition holds trivially (``check`` is True, ``score`` is 9) and no model is called.
Claims may hold variables (``{{action}}``, ``{{task_description}}``) filled from
``claim_variables``. Judge calls are tagged ``purpose=judge`` for cost reporting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, field_validator

from tinytroupe.errors import SpecificationError
from tinytroupe.experimentation.judge import resolve_judge
from tinytroupe.llm.base import LLMModel
from tinytroupe.prompts import render

__all__ = ["Proposition", "check_proposition", "compute_score", "acheck_proposition", "acompute_score",
           "render_claim", "build_context", "NO_CONTEXT"]

NO_CONTEXT = "No additional context available."
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class _Verdict(BaseModel):
    """What every judge answer carries; subclasses narrow ``value`` (it keeps its place second)."""

    reasoning: str = ""
    value: Any
    justification: str = ""
    confidence: float = 0.5

    @field_validator("confidence", mode="before")
    @classmethod
    def _conf(cls, v: Any) -> float:
        try:
            return max(0.0, min(1.0, float(v)))
        except (TypeError, ValueError):
            return 0.5


class TruthVerdict(_Verdict):
    """A judge's true/false answer."""

    value: bool


class ScoreVerdict(_Verdict):
    """A judge's 0-9 answer."""

    value: int

    @field_validator("value", mode="before")
    @classmethod
    def _clamp(cls, v: Any) -> int:
        return max(Proposition.MIN_SCORE, min(Proposition.MAX_SCORE, int(round(float(v)))))


def _verdict(kind: str, value: Any, chat: Any) -> TruthVerdict | ScoreVerdict:
    """The chat's last typed reply as a verdict (scores clamped to 0-9)."""
    cls = TruthVerdict if kind == "check" else ScoreVerdict
    return cls(value=value, reasoning=chat.response_reasoning or "", justification=chat.response_justification or "",
               confidence=chat.response_confidence if chat.response_confidence is not None else 0.5)


def render_claim(claim: str, claim_variables: dict[str, Any] | None) -> str:
    """``claim`` with ``{{name}}`` variables filled; unknown variables are left as written."""
    values = claim_variables or {}

    def text(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)

    return _VARIABLE.sub(lambda m: text(values[m.group(1)]) if m.group(1) in values else m.group(0), claim)


def _is_world(target: Any) -> bool:
    return isinstance(getattr(target, "agents", None), list)


def _agent_context(agent: Any, include_personas: bool, first_n: int | None, last_n: int | None) -> str:
    parts = [f"## Person: {agent.name}"]
    if include_personas:
        persona = getattr(agent, "persona", None)
        parts += ["### Persona specification", json.dumps(persona, ensure_ascii=False, indent=1)
                  if isinstance(persona, dict) else str(persona)]
    interactions = agent.pretty_current_interactions(first_n=first_n, last_n=last_n)
    parts += ["### What happened (the person's trajectory)", interactions or "(nothing yet)"]
    return "\n".join(parts)


def build_context(targets: list[Any], include_personas: bool = False, first_n: int | None = None,
                  last_n: int | None = None) -> str:
    """The text a judge reads about ``targets`` (agents, worlds, or plain text)."""
    parts = []
    for target in targets:
        if _is_world(target):
            parts.append(f"# World: {target.name}")
            parts += [_agent_context(a, include_personas, first_n, last_n) for a in target.agents]
        elif callable(getattr(target, "pretty_current_interactions", None)):
            parts.append(_agent_context(target, include_personas, first_n, last_n))
        else:
            parts.append(str(target))
    return "\n\n".join(parts)


RECOMMENDATIONS_REQUEST = ("Given your evaluation above, list concrete, practical recommendations for how the "
                           "target could change its behaviour so that the claim would hold better. Answer in plain "
                           "text, one recommendation per line.")

class Proposition:
    """A textual claim about one or more agents or worlds."""

    MIN_SCORE = 0
    MAX_SCORE = 9

    def __init__(self, claim: str, target: Any = None, include_personas: bool = False,
                 first_n: int | None = None, last_n: int | None = None, double_check: bool = False,
                 use_reasoning_model: bool = False, precondition_function: Callable[..., bool] | None = None,
                 *, judge: LLMModel | None = None, tags: dict[str, str] | None = None):
        if not isinstance(claim, str) or not claim.strip():
            raise SpecificationError("Proposition(claim=...) needs a non-empty claim text")
        self.claim = claim
        self.targets = self._as_list(target)
        self.include_personas = include_personas
        self.first_n = first_n
        self.last_n = last_n
        self.double_check = double_check
        self.use_reasoning_model = use_reasoning_model
        self.precondition_function = precondition_function
        self.judge = judge
        self.tags = dict(tags or {})
        self.llm_chat: Any = None  # the last judge conversation (an LLMChat), for follow-ups
        self.value: bool | int | None = None
        self.justification: str | None = None
        self.confidence: float | None = None
        self.reasoning: str | None = None
        self.recommendations: str | None = None
        self.full_evaluation_response: dict[str, Any] | None = None
        self.revised: bool = False

    def __repr__(self) -> str:
        return f"Proposition({self.claim!r}, value={self.value!r})"

    def copy(self) -> Proposition:
        """The same proposition without any evaluation state."""
        return Proposition(self.claim, self.targets, self.include_personas, self.first_n, self.last_n,
                           self.double_check, self.use_reasoning_model, self.precondition_function,
                           judge=self.judge, tags=self.tags)

    __copy__ = copy

    def __deepcopy__(self, memo: dict) -> Proposition:
        return self.copy()

    def __call__(self, target: Any = None, additional_context: str | None = None,
                 claim_variables: dict[str, Any] | None = None, return_full_response: bool = False) -> Any:
        return self.check(target, additional_context, claim_variables, return_full_response)

    # -- public evaluation -----------------------------------------------------------------
    def check(self, target: Any = None, additional_context: str | None = None,
              claim_variables: dict[str, Any] | None = None, return_full_response: bool = False) -> Any:
        """Whether the claim holds (True/False); the full response dict when asked."""
        from tinytroupe._sync import run_sync

        return run_sync(self.acheck(target, additional_context, claim_variables, return_full_response))

    def score(self, target: Any = None, additional_context: str | None = None,
              claim_variables: dict[str, Any] | None = None, return_full_response: bool = False) -> Any:
        """How far the claim holds, 0-9; the full response dict when asked."""
        from tinytroupe._sync import run_sync

        return run_sync(self.ascore(target, additional_context, claim_variables, return_full_response))

    async def acheck(self, target: Any = None, additional_context: str | None = None,
                     claim_variables: dict[str, Any] | None = None, return_full_response: bool = False) -> Any:
        """Async twin of :meth:`check`."""
        return await self._evaluate("check", target, additional_context, claim_variables, return_full_response)

    async def ascore(self, target: Any = None, additional_context: str | None = None,
                     claim_variables: dict[str, Any] | None = None, return_full_response: bool = False) -> Any:
        """Async twin of :meth:`score`."""
        return await self._evaluate("score", target, additional_context, claim_variables, return_full_response)

    # -- machinery -------------------------------------------------------------------------
    @staticmethod
    def _as_list(target: Any) -> list[Any]:
        if target is None:
            return []
        return list(target) if isinstance(target, (list, tuple)) else [target]

    def _targets(self, target: Any) -> list[Any]:
        targets = self._as_list(target) if target is not None else self.targets
        if not targets:
            raise SpecificationError(f"proposition {self.claim[:60]!r} has no target; pass target= "
                                     "(an agent, a world, or a list of them) here or when creating it")
        return targets

    def _precondition_holds(self, targets: list[Any], context: str, variables: dict[str, Any]) -> bool:
        if self.precondition_function is None:
            return True
        target = targets[0] if len(targets) == 1 else targets
        return bool(self.precondition_function(target=target, additional_context=context,
                                               claim_variables=variables))

    async def _evaluate(self, kind: str, target: Any, additional_context: str | None,
                        claim_variables: dict[str, Any] | None, full: bool) -> Any:
        targets = self._targets(target)
        context = additional_context or NO_CONTEXT
        variables = dict(claim_variables or {})
        if not self._precondition_holds(targets, context, variables):
            self._keep(TruthVerdict(value=True, confidence=1.0) if kind == "check" else
                       ScoreVerdict(value=self.MAX_SCORE, confidence=1.0),
                       "The proposition holds trivially: its precondition is false.")
            self.llm_chat = None
            return self.full_evaluation_response if full else self.value
        prompt = render(f"proposition_{kind}.md", claim=render_claim(self.claim, variables),
                        context=build_context(targets, self.include_personas, self.first_n, self.last_n),
                        additional_context=context,
                        **({"min_score": self.MIN_SCORE, "max_score": self.MAX_SCORE} if kind == "score" else {}))
        from tinytroupe.utils import LLMChat

        chat = LLMChat(system_prompt=render("proposition_system.md"), user_prompt=prompt,
                       output_type=bool if kind == "check" else int, enable_reasoning_step=True,
                       model=resolve_judge(self.judge, self.use_reasoning_model),
                       tags={"judge": f"proposition.{kind}", **self.tags, "purpose": "judge"})
        self.llm_chat = chat
        first = _verdict(kind, await chat.acall(), chat)
        self.revised = False
        verdict = first
        if self.double_check:
            chat.add_user_message(render("proposition_recheck.md"))
            verdict = _verdict(kind, await chat.acall(), chat)
            self.revised = verdict.value != first.value
        self._keep(verdict)
        return self.full_evaluation_response if full else self.value

    def recommendations_for_improvement(self) -> str:
        """How the target could better satisfy the claim, asked of the judge after the last evaluation.

        Continues the judge's conversation of the last :meth:`check` or :meth:`score` (one more
        model call) and returns its advice as text.
        """
        chat = getattr(self, "llm_chat", None)
        if chat is None:
            raise ValueError("recommendations_for_improvement: evaluate the proposition first with check() or "
                             "score() (a proposition whose precondition was false has nothing to improve).")
        return str(chat.continue_conversation(RECOMMENDATIONS_REQUEST, output_type=None))

    def _keep(self, verdict: Any, justification: str | None = None) -> None:
        self.value = verdict.value
        self.justification = justification or verdict.justification
        self.confidence = verdict.confidence
        self.reasoning = verdict.reasoning
        self.full_evaluation_response = {"value": self.value, "justification": self.justification,
                                         "confidence": self.confidence, "reasoning": self.reasoning}


def _proposition(target: Any, claim: str, first_n: int | None, last_n: int | None,
                 judge: LLMModel | None) -> Proposition:
    return Proposition(claim, target=target, first_n=first_n, last_n=last_n, judge=judge)


def check_proposition(target: Any, claim: str, additional_context: str = NO_CONTEXT,
                      first_n: int | None = None, last_n: int | None = None,
                      return_full_response: bool = False, *, judge: LLMModel | None = None) -> Any:
    """Check ``claim`` about ``target`` in one call."""
    return _proposition(target, claim, first_n, last_n, judge).check(
        additional_context=additional_context, return_full_response=return_full_response)


def compute_score(target: Any, claim: str, additional_context: str = NO_CONTEXT,
                  first_n: int | None = None, last_n: int | None = None,
                  return_full_response: bool = False, *, judge: LLMModel | None = None) -> Any:
    """Score ``claim`` about ``target`` (0-9) in one call."""
    return _proposition(target, claim, first_n, last_n, judge).score(
        additional_context=additional_context, return_full_response=return_full_response)


async def acheck_proposition(target: Any, claim: str, additional_context: str = NO_CONTEXT, **kw: Any) -> Any:
    """Async twin of :func:`check_proposition`."""
    judge = kw.pop("judge", None)
    full = kw.pop("return_full_response", False)
    return await Proposition(claim, target=target, judge=judge, **kw).acheck(
        additional_context=additional_context, return_full_response=full)


async def acompute_score(target: Any, claim: str, additional_context: str = NO_CONTEXT, **kw: Any) -> Any:
    """Async twin of :func:`compute_score`."""
    judge = kw.pop("judge", None)
    full = kw.pop("return_full_response", False)
    return await Proposition(claim, target=target, judge=judge, **kw).ascore(
        additional_context=additional_context, return_full_response=full)

