"""Persona validation: an interviewer model questions a person and scores it against expectations.

The interview runs on a fork of the person (same persona and memories, detached from the
registry and from any world), so validating never changes the simulated person. It goes in
phases (characteristics, then behaviours and dilemmas) for at most ``max_rounds`` rounds;
each round the interviewer answers with a structured object (questions, or a verdict), and
the last round must give the verdict. Judge calls are tagged ``purpose=validation``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from tinytroupe import contracts, events, llm
from tinytroupe.agent.person_files import fork_person  # noqa: F401 - kept at its earlier path
from tinytroupe.experimentation.judge import resolve_judge
from tinytroupe.llm.base import LLMModel, Message
from tinytroupe.prompts import render

__all__ = ["TinyPersonValidator", "InterviewRound", "fork_person", "DEFAULT_MAX_ROUNDS"]

DEFAULT_MAX_ROUNDS = 3
DEFAULT_EXPECTATIONS = ("A believable, self-consistent person who behaves as their persona specification "
                        "describes.")


class InterviewRound(BaseModel):
    """The interviewer's reply in one round."""

    phase: Literal["characteristics", "behaviours", "verdict"] = "characteristics"
    questions: list[str] = Field(default_factory=list)
    done: bool = False
    score: float | None = None
    justification: str = ""

    @field_validator("score", mode="before")
    @classmethod
    def _clamp(cls, v: Any) -> float | None:
        return None if v is None else max(0.0, min(1.0, float(v)))


def _schema(final: bool) -> dict[str, Any]:
    score = {"type": "number", "minimum": 0, "maximum": 1}
    return {"type": "object", "properties": {
        "phase": {"type": "string", "enum": ["verdict"] if final else ["characteristics", "behaviours", "verdict"]},
        "questions": {"type": "array", "items": {"type": "string", "maxLength": 300}, "maxItems": 0 if final else 4},
        "done": {"type": "boolean"}, "score": score if final else {"anyOf": [score, {"type": "null"}]},
        "justification": {"type": "string", "maxLength": 1500}},
        "required": ["phase", "questions", "done", "score", "justification"], "additionalProperties": False}


def _answers(entries: list[dict] | None) -> str:
    said = [e["action"]["content"] for e in entries or [] if e["action"]["type"] == "TALK"]
    return " ".join(said) or "(no spoken answer)"


class TinyPersonValidator:
    """Validates a person by interviewing it."""

    @staticmethod
    def validate_person(person: Any, expectations: str | None = None, include_agent_spec: bool = True,
                        max_content_length: int | None = None, *, max_rounds: int = DEFAULT_MAX_ROUNDS,
                        judge: LLMModel | None = None) -> tuple[float | None, str]:
        """``(score in 0-1, justification)``; see the module docstring."""
        from tinytroupe._sync import run_sync

        return run_sync(TinyPersonValidator.avalidate_person(
            person, expectations, include_agent_spec, max_content_length, max_rounds=max_rounds, judge=judge))

    @staticmethod
    async def avalidate_person(person: Any, expectations: str | None = None, include_agent_spec: bool = True,
                               max_content_length: int | None = None, *, max_rounds: int = DEFAULT_MAX_ROUNDS,
                               judge: LLMModel | None = None) -> tuple[float | None, str]:
        """Async twin of :meth:`validate_person`."""
        model = resolve_judge(judge)
        subject = fork_person(person)
        spec = ""
        if include_agent_spec:
            spec = "# The person's specification\n" + json.dumps(person.persona, ensure_ascii=False, indent=1)
        transcript: list[str] = []
        rounds = max(1, int(max_rounds))
        verdict = InterviewRound()
        for round_no in range(1, rounds + 1):
            final = round_no == rounds
            instruction = ("This is the last round: give your verdict now (phase 'verdict', no questions, done true, "
                           "a score)." if final else "Ask your next questions, or give your verdict if you have "
                                                     "seen enough.")
            prompt = render("person_validator.md", expectations=expectations or DEFAULT_EXPECTATIONS,
                            agent_spec=spec, transcript=_clip("\n".join(transcript) or "(not started)",
                                                              max_content_length),
                            round=round_no, max_rounds=rounds, instruction=instruction)
            result = await llm.agenerate(model, [Message(role="user", content=prompt)], InterviewRound,
                                         schema=_schema(final), tags={"purpose": "validation",
                                                                      "agent": person.name})
            verdict = result.value
            events.emit(contracts.ValidationRound(person.name, round_no, verdict.phase, list(verdict.questions),
                                                    verdict.done), source=person.name)
            if verdict.done or verdict.score is not None and not verdict.questions or final:
                break
            for question in verdict.questions:
                subject.listen(question)
                entries = await subject.aact(return_actions=True, communication_display=False)
                transcript += [f"Interviewer: {question}", f"{person.name}: {_answers(entries)}"]
        return verdict.score, verdict.justification


def _clip(text: str, limit: int | None) -> str:
    return text if not limit or len(text) <= limit else "…" + text[-limit:]
