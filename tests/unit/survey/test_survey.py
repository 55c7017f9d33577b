"""Surveys: typed answers, concurrency, both rating modes recovering a known distribution, the comparison numbers."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy import stats

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.errors import SpecificationError
from tinytroupe.survey import (
    FreeTextQuestion,
    LikertQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    SingleChoiceQuestion,
    Survey,
    similarity_probabilities,
)

SHARES = [0.10, 0.15, 0.20, 0.30, 0.25]
COUNTS = [int(s * 200) for s in SHARES]
TRUE_POINT = [p for p, n in zip(range(1, 6), COUNTS, strict=True) for _ in range(n)]  # respondent i -> point
REFERENCE = [0.18, 0.18, 0.28, 0.18, 0.18]  # a human survey's shares

# anchors and answers share content words (the lexical backend drops stop words such as "not")
ANCHORS = ["I would never buy it; it is useless and unappealing to me.",
           "I doubt I would buy it; it seems unlikely.",
           "I am undecided whether I would buy it.",
           "I would likely buy it; it seems appealing.",
           "I would certainly buy it; I love it."]
FREE_TEXTS = ["Never. Useless and unappealing to me.",
              "I doubt it, seems unlikely.",
              "Undecided, honestly.",
              "Likely yes, quite appealing.",
              "Certainly! I love it!"]

QUESTION = LikertQuestion(text="Would you buy this bottled gazpacho?", name="buy", anchors=ANCHORS,
                          labels=["definitely not", "probably not", "unsure", "probably", "definitely"])


def population(n=200):
    return [TinyPerson(f"Person {i:03d}") for i in range(n)]


def point_of(request) -> int:
    return TRUE_POINT[int(request.tags["agent"].split()[-1])]


def direct(request):
    return {"answer": point_of(request), "justification": "that is how I feel"}


def semantic(request):
    return {"answer": FREE_TEXTS[point_of(request) - 1], "justification": "my taste"}


def bag_of_words(texts):
    vocab = sorted({w for t in ANCHORS + FREE_TEXTS for w in re.findall(r"[a-z]+", t.lower())})
    return [[re.findall(r"[a-z]+", t.lower()).count(w) for w in vocab] for t in texts]


def test_direct_mode_recovers_the_distribution_exactly():
    model = llm.ScriptedModel(responder=direct, latency=0.01)
    result = Survey([QUESTION]).run(population(), model=model)
    d = result.distribution("buy")
    assert d.n == 200 and d.shares == pytest.approx(SHARES)
    assert d.mean == pytest.approx(np.mean(TRUE_POINT)) and d.sd == pytest.approx(np.std(TRUE_POINT, ddof=1))
    assert model.calls == 200
    assert all(r.tags["purpose"] == "survey" for r in model.requests)
    lo, hi = d.share_ci[3]
    assert lo < 0.30 < hi and hi - lo < 0.15


def test_direct_mode_runs_concurrently():
    from tinytroupe.testing.in_flight import InFlightCounter

    model = InFlightCounter(llm.ScriptedModel(responder=direct, latency=0.05))
    Survey([QUESTION]).run(population(20), model=model)
    assert model.calls == 20 and model.max_in_flight >= 10  # answers overlap (sequential: 1)


def test_comparison_with_a_reference_matches_independent_numbers():
    result = Survey([QUESTION]).run(population(), model=llm.ScriptedModel(responder=direct))
    c = result.distribution("buy", reference=REFERENCE).comparison
    points = np.arange(1, 6)
    p, q = np.array(SHARES), np.array(REFERENCE)
    sd_p = math.sqrt(np.sum(p * (points - np.sum(p * points)) ** 2))
    sd_q = math.sqrt(np.sum(q * (points - np.sum(q * points)) ** 2))
    assert c.sd_ratio == pytest.approx(sd_p / sd_q)
    assert c.ks_distance == pytest.approx(np.max(np.abs(np.cumsum(p) - np.cumsum(q))))
    w = stats.wasserstein_distance(points, points, p, q)
    assert c.wasserstein == pytest.approx(w)
    assert c.representativeness == pytest.approx(1 - w / 4)
    # raw reference answers give the same comparison as their shares
    raw = [pt for pt, s in zip(range(1, 6), REFERENCE, strict=True) for _ in range(int(s * 50))]
    assert result.distribution("buy", reference=raw).comparison.ks_distance == pytest.approx(c.ks_distance)


def test_semantic_similarity_mode_recovers_the_distribution_within_tolerance():
    model = llm.ScriptedModel(responder=semantic)
    result = Survey([QUESTION], mode="semantic", embed=bag_of_words).run(population(), model=model)
    d = result.distribution("buy")
    truth = np.array(SHARES)
    # each respondent's most likely point is the one their text was written for
    assert [r.answer for r in result.responses] == TRUE_POINT
    # the mixture of the probability distributions is smoother than the truth: stated tolerance
    assert np.max(np.abs(np.cumsum(d.shares) - np.cumsum(truth))) < 0.10  # KS distance
    assert abs(d.mean - float(np.dot(truth, np.arange(1, 6)))) < 0.25
    assert "Do not give a number" in model.requests[0].messages[0].content


def test_semantic_mode_with_the_lexical_embedder_of_the_embedding_seam():
    lexical = pytest.importorskip("tinytroupe.llm.embeddings_lexical")
    model = llm.ScriptedModel(responder=semantic)
    result = Survey([QUESTION], mode="semantic", embed=lexical.LexicalEmbedder()).run(population(), model=model)
    d = result.distribution("buy")
    assert [r.answer for r in result.responses] == TRUE_POINT
    assert np.max(np.abs(np.cumsum(d.shares) - np.cumsum(SHARES))) < 0.06  # measured: 0.036
    assert abs(d.mean - float(np.dot(SHARES, np.arange(1, 6)))) < 0.15  # measured: 3.52 vs 3.45


def test_similarity_probabilities():
    p = similarity_probabilities([0.1, 0.5, 0.9])
    assert sum(p) == pytest.approx(1) and p[2] > p[1] > p[0]
    sharper = similarity_probabilities([0.1, 0.5, 0.9], temperature=0.25)
    assert sharper[2] > p[2]


def test_typed_questions_and_in_character_prompt(scripted):
    people = population(3)
    people[0].define("occupation", "chef")
    people[0].think("Cold soup in summer is the best.")
    questions = [SingleChoiceQuestion(text="Which flavour?", name="flavour", options=["classic", "spicy"]),
                 MultipleChoiceQuestion(text="Where would you buy it?", name="where",
                                        options=["supermarket", "market", "online"]),
                 NumberQuestion(text="Price you would pay?", name="price", minimum=0, maximum=20, unit="EUR"),
                 FreeTextQuestion(text="Anything else?", name="other")]

    def responder(request):
        text = request.messages[-1].content
        if "Which flavour" in text:
            return {"answer": "Spicy", "justification": "I like heat"}
        if "Where would" in text:
            return {"answer": ["online", "market"], "justification": "convenient"}
        if "Price" in text:
            return {"answer": "4.5", "justification": "fair"}
        return {"answer": "No.", "justification": "-"}

    scripted.responder = responder
    result = Survey(questions).run(people)
    rows = result.table()
    assert rows[0] == {"respondent": "Person 000", "flavour": "spicy", "where": ["market", "online"],
                       "price": 4.5, "other": "No."}
    prompt = next(r for r in scripted.requests if r.tags["agent"] == "Person 000").messages[0].content
    assert "chef" in prompt and "Cold soup in summer is the best." in prompt and "You are Person 000" in prompt
    assert result.distribution("flavour").shares == [0.0, 1.0]
    shares = result.option_shares("where")
    assert shares["online"][0] == 1.0 and shares["supermarket"][0] == 0.0
    assert result.distribution("price").mean == 4.5
    assert "## flavour" in result.to_markdown()


def test_invalid_answers_are_repaired_and_failures_recorded(scripted):
    scripted.queue({"answer": 9, "justification": "x"}, {"answer": 4, "justification": "fixed"})
    scripted.default = {"answer": "lots", "justification": "x"}
    result = Survey([QUESTION]).run(population(2))
    answers = {r.respondent: r for r in result.responses}
    assert answers["Person 000"].answer == 4 or answers["Person 001"].answer == 4
    assert len(result.errors()) == 1 and "StructuredOutputError" in result.errors()[0].error
    assert result.distribution("buy").n == 1


def test_semantic_mode_without_an_embedding_says_what_it_needs(monkeypatch):
    import tinytroupe.survey.embedding as embedding

    monkeypatch.setattr(embedding, "_seam", lambda: None)
    with pytest.raises(SpecificationError, match="embedding"):
        Survey([QUESTION], mode="semantic").run(population(1), model=llm.ScriptedModel(responder=semantic))


def test_question_validation():
    with pytest.raises(ValueError):
        LikertQuestion(text="x", points=5, labels=["a", "b"])
    assert QUESTION.coerce("probably") == 4
    with pytest.raises(ValueError):
        QUESTION.coerce(6)
    with pytest.raises(SpecificationError):
        Survey([QUESTION, QUESTION])


def test_survey_judge_and_validation_calls_are_counted_apart(scripted):
    from tinytroupe.experimentation import Proposition

    def calls(purpose):
        return llm.usage_stats().snapshot()["by_purpose"].get(purpose, {}).get("calls", 0)

    before = {p: calls(p) for p in ("survey", "judge")}
    scripted.responder = direct
    people = population(3)
    Survey([QUESTION]).run(people)
    scripted.responder = None
    scripted.queue({"reasoning": "", "justification": "", "value": True, "confidence": 1.0})
    Proposition("x", target=people[0]).check()
    assert calls("survey") - before["survey"] == 3 and calls("judge") - before["judge"] == 1
