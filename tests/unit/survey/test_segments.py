"""Segment breakdowns: counts, means and intervals per persona attribute, checked against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tinytroupe.extraction.people import age_band, persona_value
from tinytroupe.survey.segments import ALL, answer_kind, breakdown

PERSONAS = {
    "Ana": {"age": 23, "nationality": "Portuguese", "occupation": {"title": "Nurse"}, "diet": "vegan"},
    "Ben": {"age": 31, "nationality": "British", "occupation": {"title": "Nurse"}, "diet": "omnivore"},
    "Cho": {"age": 29, "nationality": "Korean", "occupation": "Engineer"},
    "Dan": {"age": 67, "nationality": "British", "occupation": {"title": "Engineer"}, "diet": "vegan"},
    "Eva": {"age": 33, "nationality": "Portuguese", "occupation": {"title": "Nurse"}, "diet": "omnivore"},
}
ANSWERS = {"Ana": {"appeal": 4, "buy": True, "channel": "online"},
           "Ben": {"appeal": 2, "buy": False, "channel": "store"},
           "Cho": {"appeal": 5, "buy": True, "channel": "online"},
           "Dan": {"appeal": 1, "buy": False, "channel": "store"},
           "Eva": {"appeal": 3, "buy": True, "channel": "online"}}


def test_attributes_and_age_bands():
    assert [age_band(a) for a in (17, 18, 24, 25, 64.5, 65, "40", None)] == [
        "under 18", "18-24", "18-24", "25-34", "55-64", "65+", "35-44", None]
    assert persona_value(PERSONAS["Ana"], "occupation") == "Nurse"
    assert persona_value(PERSONAS["Cho"], "occupation") == "Engineer"
    assert persona_value(PERSONAS["Ana"], "occupation.title") == "Nurse"
    assert persona_value(PERSONAS["Cho"], "diet") is None
    assert answer_kind([1, 2.5]) == "number" and answer_kind([True, False]) == "yes/no"
    assert answer_kind(["a", "b", "a"]) == "choice" and answer_kind(["long text one", "another"]) == "text"


def test_means_and_t_intervals_per_segment():
    result = breakdown(ANSWERS, PERSONAS, "age_band", scales={"appeal": (1, 5)})
    assert result.segments == ["18-24", "25-34", "65+"]  # bands in age order
    row = next(r for r in result.summary("appeal") if r["segment"] == "25-34")
    values = [2, 5, 3]
    assert row["n"] == 3 and row["mean"] == pytest.approx(np.mean(values))
    low, high = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert "Student's t" in result.method
    everyone = next(r for r in result.summary("appeal") if r["segment"] == ALL)
    assert everyone["n"] == 5 and everyone["sd"] == pytest.approx(np.std([4, 2, 5, 1, 3], ddof=1))
    single = next(r for r in result.summary("appeal") if r["segment"] == "18-24")
    assert single["n"] == 1 and single["ci_low"] is None
    # a 1-5 scale: every point counted, unused ones as zero
    counts = [c for c in result.counts("appeal") if c["segment"] == "65+"]
    assert [c["answer"] for c in counts] == ["1", "2", "3", "4", "5"] and [c["count"] for c in counts] == [1, 0, 0, 0, 0]


def test_yes_no_shares_with_wilson_intervals_and_choices():
    result = breakdown(ANSWERS, PERSONAS, "occupation")
    nurse = next(r for r in result.summary("buy") if r["segment"] == "Nurse")
    assert nurse["n"] == 3 and nurse["mean"] == pytest.approx(2 / 3)
    p, n, z = 2 / 3, 3, stats.norm.ppf(0.975)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert (nurse["ci_low"], nurse["ci_high"]) == (pytest.approx(centre - half), pytest.approx(centre + half))
    online = [c for c in result.counts("channel") if c["answer"] == "online"]
    assert {c["segment"]: c["count"] for c in online} == {ALL: 3, "Nurse": 2, "Engineer": 1}


def test_custom_field_function_and_unknowns():
    result = breakdown(ANSWERS, PERSONAS, "diet")
    assert result.segments == ["omnivore", "vegan", "(unknown)"]
    by_fn = breakdown(ANSWERS, PERSONAS, lambda p: "EU" if p.get("nationality") == "Portuguese" else "non-EU")
    eu = next(r for r in by_fn.summary("appeal") if r["segment"] == "EU")
    assert eu["n"] == 2 and eu["mean"] == pytest.approx(3.5)


def test_html_table_and_charts():
    result = breakdown(ANSWERS, PERSONAS, "nationality", scales={"appeal": (1, 5)})
    html = result._repr_html_()
    assert 'class="tt-segment-table"' in html and html.count("<svg") == 3  # appeal, buy, channel
    assert "Portuguese (n=2)" in html and "<script" not in html
    frame = result.to_dataframe()
    assert list(frame.columns)[:4] == ["attribute", "segment", "question", "kind"]
    assert len(frame) == 3 * (1 + 3)  # 3 questions x (everyone + 3 nationalities)


def test_normal_interval_without_scipy(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_scipy(name, *args, **kwargs):
        if name == "scipy" or name.startswith("scipy."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    result = breakdown(ANSWERS, PERSONAS, "nationality")
    assert "normal approximation" in result.method and 'pip install "tinytroupe[analysis]"' in result.method
    row = next(r for r in result.summary("appeal") if r["segment"] == "British")
    half = 1.959963984540054 * np.std([2, 1], ddof=1) / np.sqrt(2)
    assert row["ci_high"] == pytest.approx(1.5 + half)


def test_a_surveys_results_by_attribute_and_against_real_answers(tmp_path):
    from tinytroupe import llm
    from tinytroupe.agent import TinyPerson
    from tinytroupe.survey import LikertQuestion, SingleChoiceQuestion, Survey

    people = []
    for name, persona in PERSONAS.items():
        person = TinyPerson(name)
        for key, value in persona.items():
            person.define(key, value)
        people.append(person)

    def answer(request):
        who = request.tags["agent"]
        if "channel" in request.messages[0].content.lower():
            return {"answer": ANSWERS[who]["channel"], "justification": ""}
        return {"answer": ANSWERS[who]["appeal"], "justification": ""}

    questions = [LikertQuestion(text="How appealing?", name="appeal"),
                 SingleChoiceQuestion(text="Which channel?", name="channel", options=["online", "store"])]
    result = Survey(questions).run(people, model=llm.ScriptedModel(responder=answer))
    seg = result.by("nationality")
    british = next(r for r in seg.summary("appeal") if r["segment"] == "British")
    assert british["n"] == 2 and british["mean"] == pytest.approx(1.5)
    assert [c["answer"] for c in seg.counts("appeal") if c["segment"] == ALL] == ["1", "2", "3", "4", "5"]
    assert result.by("diet", people=people).segments == ["omnivore", "vegan", "(unknown)"]
    panel = tmp_path / "panel.csv"
    panel.write_text("appeal,channel\nstrongly agree,store\n1,store\n3,online\ndisagree,store\n", encoding="utf-8")
    report = result.fidelity(panel)
    appeal = report.questions[0]
    assert appeal.real_shares == [0.25, 0.25, 0.25, 0.0, 0.25]  # labels read as their scale points
    assert appeal.ks_distance == pytest.approx(stats.ks_2samp([4, 2, 5, 1, 3], [5, 1, 3, 2]).statistic)
    assert report.questions[1].kind == "category" and report.questions[1].real_shares == [0.25, 0.75]
    bad = tmp_path / "bad.csv"
    bad.write_text("appeal\n9\n", encoding="utf-8")
    from tinytroupe.errors import SpecificationError

    with pytest.raises(SpecificationError, match="bad.csv: column 'appeal'"):
        result.fidelity(bad)
