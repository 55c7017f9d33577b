"""Surveys: ask a population typed questions, concurrently, each person answering in character.

::

    survey = Survey([LikertQuestion(text="I would buy this gazpacho.", name="buy")])
    result = survey.run(people)                 # one LLM call per person and question, concurrent
    result.table()                              # one row per respondent
    result.distribution("buy", reference=[.18, .18, .28, .18, .18]).to_markdown()

Rating elicitation modes for Likert questions:

- ``direct``: the person picks a scale point (the model writes a number);
- ``semantic``: the person answers in free text, and the answer's embedding is compared with
  an anchor statement for each scale point; similarities ``s`` become probabilities
  ``p_j ∝ (s_j - min(s) + eps) ** (1 / temperature)`` (semantic-similarity rating, Maier et al.
  2025). Needs the embedding seam (or ``embed=``).

Every answer is asked as the person, from their persona and recent memories; a failed answer
is recorded with its error, never raised. Calls are tagged ``purpose=survey``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from tinytroupe import contracts, events, fanout, llm
from tinytroupe.errors import LLMError, MissingExtraError, SpecificationError
from tinytroupe.fanout import ShardExecutor
from tinytroupe.llm.base import LLMModel, Message
from tinytroupe.llm.streaming import bound_for_agents, stream_map
from tinytroupe.prompts import render
from tinytroupe.survey.embedding import cosine, resolve_embedder
from tinytroupe.survey.questions import (
    FreeTextQuestion,
    LikertQuestion,
    MultipleChoiceQuestion,
    Question,
    SingleChoiceQuestion,
)
from tinytroupe.validation.distribution import DistributionSummary, summarize, wilson_interval

__all__ = ["Survey", "SurveyResult", "Response", "MODES", "similarity_probabilities"]

MODES = ("direct", "semantic")
EPSILON = 1e-3


def similarity_probabilities(similarities: Sequence[float], temperature: float = 1.0,
                             epsilon: float = EPSILON) -> list[float]:
    """Similarities to each scale point's anchor as a probability distribution over the scale."""
    low = min(similarities)
    weights = [(s - low + epsilon) ** (1.0 / temperature) for s in similarities]
    total = sum(weights)
    return [w / total for w in weights]


@dataclass
class Response:
    """One person's answer to one question."""

    respondent: str
    question: str
    answer: Any = None
    justification: str = ""
    text: str | None = None  # the free-text answer of semantic-similarity rating
    probabilities: list[float] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SurveyResult:
    """The answers of a survey: a table, and answer distributions with confidence intervals."""

    questions: list[Question]
    respondents: list[str]
    responses: list[Response] = field(default_factory=list)
    mode: str = "direct"
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)  # respondent -> persona, for by()

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise SpecificationError(f"no question named {name!r}; questions: {', '.join(str(q.name) for q in self.questions)}")

    def answers(self, name: str) -> list[Any]:
        """The valid answers to question ``name``, in respondent order."""
        return [r.answer for r in self.responses if r.question == name and r.error is None]

    def table(self) -> list[dict[str, Any]]:
        """One row per respondent: ``respondent`` and one column per question."""
        rows = {who: {"respondent": who} for who in self.respondents}
        for r in self.responses:
            rows[r.respondent][r.question] = r.answer
        return [rows[who] for who in self.respondents]

    def to_dataframe(self) -> Any:
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover
            raise MissingExtraError('a DataFrame needs pandas: pip install "tinytroupe[analysis]"') from exc
        return pd.DataFrame(self.table())

    def errors(self) -> list[Response]:
        return [r for r in self.responses if r.error is not None]

    def distribution(self, name: str, reference: Any = None) -> DistributionSummary:
        """Mean, sd, shares per scale point with 95% intervals; against ``reference`` (shares or raw
        answers) also sd ratio, KS distance and representativeness. Likert: points 1..k; single
        choice: one point per option (1..k, in order); numbers: the distinct values given."""
        q = self.question(name)
        valid = [r for r in self.responses if r.question == name and r.error is None]
        if isinstance(q, LikertQuestion):
            points = list(range(1, q.points + 1))
            probs = [r.probabilities for r in valid] if self.mode == "semantic" and all(
                r.probabilities for r in valid) and valid else None
            return summarize([r.answer for r in valid], points, probabilities=probs, reference=reference)
        if isinstance(q, SingleChoiceQuestion) and not isinstance(q, MultipleChoiceQuestion):
            summary = summarize([q.options.index(r.answer) + 1 for r in valid], range(1, len(q.options) + 1),
                                reference=reference)
            summary.notes.append("Points are the options in order: " + "; ".join(
                f"{i} = {o}" for i, o in enumerate(q.options, start=1)) + " (nominal: mean and sd are only indices).")
            return summary
        if q.kind == "number":
            values = [float(r.answer) for r in valid]
            return summarize(values, sorted(set(values)), reference=reference)
        raise SpecificationError(f"question {name!r} ({q.kind}) has no distribution; use answers() or table()")

    def option_shares(self, name: str) -> dict[str, tuple[float, tuple[float, float]]]:
        """For a multiple-choice question: the share of respondents choosing each option, with its 95% interval."""
        q = self.question(name)
        if not isinstance(q, MultipleChoiceQuestion):
            raise SpecificationError(f"question {name!r} is not a multiple-choice question; use distribution()")
        answers = self.answers(name)
        n = len(answers)
        counts = {o: sum(o in a for a in answers) for o in q.options}
        return {o: (k / n if n else 0.0, wilson_interval(k, n)) for o, k in counts.items()}

    def scales(self) -> dict[str, tuple[float, float]]:
        """Each Likert question's lowest and highest points."""
        return {q.name: (1.0, float(q.points)) for q in self.questions if isinstance(q, LikertQuestion) and q.name}

    def by(self, attribute: Any, people: Any = None) -> Any:
        """The answers broken down by a persona ``attribute`` (a key, a dotted path, ``age_band`` or a
        function of the persona); ``people`` gives the personas when this result has none."""
        from tinytroupe.extraction.people import personas_of
        from tinytroupe.survey.segments import breakdown

        profiles = {p.get("name"): p for p in personas_of(people)} if people is not None else self.profiles
        answers = {row["respondent"]: row for row in self.table()}
        return breakdown(answers, profiles, attribute, [q.name for q in self.questions], self.scales())

    def fidelity(self, reference: Any) -> Any:
        """The answers against real ones (a CSV path or ``{question: answers}``); see :mod:`tinytroupe.survey.fidelity`."""
        from tinytroupe.survey.fidelity import fidelity

        converters = {q.name: q.coerce for q in self.questions if isinstance(q, (LikertQuestion, SingleChoiceQuestion))
                      and not isinstance(q, MultipleChoiceQuestion)}
        return fidelity({q.name: self.answers(q.name) for q in self.questions}, reference, self.scales(), converters)

    def _repr_html_(self) -> str:
        """The answers table and each question's chart, drawn by the report layer (``report.SurveyView`` adds segments)."""
        from tinytroupe.providers import need

        return need("html_view").survey_html(self)

    def to_markdown(self, references: dict[str, Any] | None = None) -> str:
        """Every question's distribution (with its reference where given), then failures."""
        parts = [f"# Survey results ({len(self.respondents)} respondents, {self.mode} mode)"]
        for q in self.questions:
            parts.append(f"\n## {q.name}: {q.text}\n")
            try:
                parts.append(self.distribution(q.name, (references or {}).get(q.name)).to_markdown())
            except SpecificationError:
                answers = self.answers(q.name)
                parts.append(f"{len(answers)} answers" + (f"; e.g. {answers[0]!r}" if answers else ""))
        if failed := self.errors():
            parts.append(f"\n{len(failed)} answers failed (recorded in the table as empty).")
        return "\n".join(parts)


@dataclass(frozen=True)
class _Form:
    """How one question is asked in a run: the reply's model and schema, the answer format."""

    question: Question
    semantic: bool
    reply_model: type[Any]
    reply_schema: dict[str, Any]
    answer_format: str


class Survey:
    """Typed questions asked to a population; see the module docstring."""

    def __init__(self, questions: Sequence[Question] | Question, *, mode: str = "direct", name: str = "survey",
                 memory_events: int = 20, temperature: float = 1.0, embed: Any = None,
                 remember: bool = False):
        items = [questions] if isinstance(questions, Question) else list(questions)
        if not items:
            raise SpecificationError("a survey needs at least one question")
        if mode not in MODES:
            raise SpecificationError(f"survey mode {mode!r} unknown; use one of {', '.join(MODES)}")
        self.questions = [q if q.name else q.model_copy(update={"name": f"q{i}"}) for i, q in enumerate(items, start=1)]
        names = [q.name for q in self.questions]
        if len(set(names)) != len(names):
            raise SpecificationError(f"question names must be unique, got {names}")
        self.mode = mode
        self.name = name
        self.memory_events = memory_events
        self.temperature = temperature
        self.embed = embed
        self.remember = remember

    def run(self, people: Any, model: LLMModel | None = None, *, executor: ShardExecutor | None = None) -> SurveyResult:
        """Blocking twin of :meth:`arun`."""
        from tinytroupe._sync import run_sync

        return run_sync(self.arun(people, model, executor=executor))

    async def arun(self, people: Any, model: LLMModel | None = None, *,
                   executor: ShardExecutor | None = None) -> SurveyResult:
        """Ask every question to every person (a list of people or a world), concurrently.

        With ``executor`` (see :mod:`tinytroupe.executors`), respondents are cut into one shard
        per worker and answered there (the local executor asks them here, in one stream); the
        result is the same as without one.
        """
        persons = list(getattr(people, "agents", people))
        if not persons:
            raise SpecificationError("a survey needs at least one respondent")
        embedder = resolve_embedder(self.embed) if self.mode == "semantic" and any(
            isinstance(q, LikertQuestion) for q in self.questions) else None
        anchors = await self._anchor_vectors(embedder) if embedder else {}
        executor = fanout.chosen(executor)
        if executor is None:
            responses = await self.answers_of(persons, model, embedder is not None)
        else:
            from tinytroupe.survey.shards import answer_on

            responses = await answer_on(executor, self, persons, model, embedder is not None)
        if embedder is not None:
            await self._rate(list(responses), embedder, anchors)
        result = SurveyResult(self.questions, [p.name for p in persons], list(responses), self.mode,
                              {p.name: dict(getattr(p, "persona", None) or {}) for p in persons})
        events.emit(contracts.SurveyDone(self.name, len(persons), len(self.questions), len(result.errors())),
                    source=self.name)
        return result

    async def answers_of(self, persons: Sequence[Any], model: LLMModel | None, semantic: bool) -> list[Response]:
        """Every person's answer to every question (person by person, questions in order), streamed:
        a question's request leaves once its prompt is built, and only about the model's
        concurrency ceiling (plus a margin) of questions are prepared or in flight at once."""
        forms = [self._form(q, semantic) for q in self.questions]  # the same for every respondent
        jobs = ((p, form) for p in persons for form in forms)
        return await stream_map(lambda job: self._ask(job[0], job[1], model), jobs,
                                bound_for_agents(persons, model), count=len(persons) * len(forms))

    async def _rate(self, responses: list[Response], embedder: Any, anchors: dict[str, Any]) -> None:
        """Semantic-similarity rating: each free-text answer against each scale point's anchors."""
        pending = [r for r in responses if r.text is not None and r.question in anchors]
        if not pending:
            return
        vectors = await embedder([r.text for r in pending])
        for response, vector in zip(pending, vectors, strict=True):
            sims = [sum(cosine(vector, a) for a in group) / len(group) for group in anchors[response.question]]
            response.probabilities = similarity_probabilities(sims, self.temperature)
            response.answer = max(range(len(sims)), key=lambda i: response.probabilities[i]) + 1

    async def _anchor_vectors(self, embedder: Any) -> dict[str, list[list[list[float]]]]:
        out = {}
        for q in self.questions:
            if isinstance(q, LikertQuestion):
                sets = q.anchor_sets()
                flat = await embedder([a for s in sets for a in s])
                it = iter(flat)
                out[q.name] = [[next(it) for _ in s] for s in sets]
        return out

    def _form(self, q: Question, rate_semantically: bool) -> _Form:
        """What asking ``q`` needs that does not depend on the respondent, made once per survey run."""
        semantic = rate_semantically and isinstance(q, LikertQuestion)
        asked: Question = FreeTextQuestion(text=q.text, name=q.name) if semantic else q
        fmt = (render("survey_format_semantic.md") if semantic
               else render("survey_format_direct.md", description=q.format_description()))
        return _Form(q, semantic, asked.reply_model(), asked.reply_schema(), fmt)

    async def _ask(self, person: Any, form: _Form, model: LLMModel | None) -> Response:
        q, semantic = form.question, form.semantic
        recent = person.pretty_current_interactions(last_n=self.memory_events) if self.memory_events else ""
        prompt = render("survey_answer.md", name=person.name, persona=person.persona_text(),
                        memories=recent or "(nothing in particular)", question=q.text, answer_format=form.answer_format)
        chosen = model or getattr(person, "model", None) or llm.default_model()
        response = Response(respondent=person.name, question=q.name or "")
        try:
            result = await llm.agenerate(chosen, [Message(role="user", content=prompt)], form.reply_model,
                                         schema=form.reply_schema,
                                         tags={"purpose": "survey", "agent": person.name, "survey": self.name})
        except LLMError as exc:
            response.error = f"{type(exc).__name__}: {exc}"
            return response
        response.justification = result.value.justification
        if semantic:
            response.text = result.value.answer  # rated after every answer is in, in one embedding batch
        else:
            response.answer = result.value.answer
        if self.remember:
            person.record_event("stimulus", "CONVERSATION", f"Survey question: {q.text}", source=self.name)
            person.record_event("action", "TALK", str(response.text or response.answer), target=self.name)
        return response
