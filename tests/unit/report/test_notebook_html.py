"""Notebook displays: a world, a survey's results, an experiment and a run folder as scoped HTML fragments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tinytroupe import llm, providers
from tinytroupe.agent import TinyPerson
from tinytroupe.cli.main import app
from tinytroupe.environment import TinyWorld
from tinytroupe.experimentation.runner import ExperimentResult
from tinytroupe.llm.providers.scripted_replies import offline_responder
from tinytroupe.report import RunReport, SurveyView
from tinytroupe.report.notebook import ROOT_CLASS, SCOPED_CSS
from tinytroupe.survey import LikertQuestion, SingleChoiceQuestion, Survey

SURVEY = Path(__file__).resolve().parents[3] / "examples" / "scenarios" / "product_survey.toml"
PEOPLE = (("Ana", "Portuguese", 34), ("Ben", "British", 51), ("Carla", "Portuguese", 27), ("Dev", "British", 45))
APPEAL = {"Ana": 4, "Ben": 2, "Carla": 5, "Dev": 3}


def _people() -> list[TinyPerson]:
    out = []
    for name, nationality, age in PEOPLE:
        person = TinyPerson(name)
        person.define("nationality", nationality)
        person.define("age", age)
        out.append(person)
    return out


def _answer(request):
    who = request.tags["agent"]
    if "channel" in request.messages[0].content.lower():
        return {"answer": "online" if who in ("Ana", "Ben") else "store", "justification": ""}
    return {"answer": APPEAL[who], "justification": ""}


def _survey_result(people):
    questions = [LikertQuestion(text="How appealing?", name="appeal"),
                 SingleChoiceQuestion(text="Which channel?", name="channel", options=["online", "store"])]
    return Survey(questions).run(people, model=llm.ScriptedModel(responder=_answer))


def _no_network_or_script(text: str) -> None:
    assert "<script" not in text and "<iframe" not in text and "<link" not in text
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", text)
    assert re.sub(r"http://www\.w3\.org/2000/svg", "", text).count("http") == 0


def test_the_scoped_style_touches_only_the_fragment():
    rules = [r for r in SCOPED_CSS.split("}") if "{" in r]
    assert rules and all(sel.strip().startswith(f".{ROOT_CLASS}")
                         for rule in rules for sel in rule.split("{")[0].split(","))
    assert "body" not in SCOPED_CSS.replace(f".{ROOT_CLASS}", "")


def test_a_world_shows_its_clock_agents_and_latest_step():
    llm.set_default_model(llm.ScriptedModel(responder=offline_responder()))
    world = TinyWorld("Tasting room", _people())
    before = world._repr_html_()
    assert "Nothing has happened yet" in before and before.count("<tr>") == 2 + 1 + len(PEOPLE)  # facts, agents head, agents
    world.broadcast("Try the new oat drink and say what you think.")
    world.run(2)
    text = world._repr_html_()
    assert text.startswith(f'<div class="{ROOT_CLASS}" data-tt="world">')
    assert "Tasting room" in text and all(name in text for name, _, _ in PEOPLE)
    assert '<details class="tt-step" open><summary>Step 2' in text and "Step 1" not in text
    last_step = max(i for i, e in enumerate(world.transcript) if e.kind == "world.step")
    latest = world.transcript[last_step + 1:]
    shown = text.count('<li class="tt-event"')
    assert any(e.kind == "agent.action" and e.data.get("type") == "TALK" for e in latest)
    assert shown == len([e for e in latest if e.data.get("type") != "DONE"])
    _no_network_or_script(text)
    assert providers.need("html_view").world_html(world) == text


def test_a_survey_shows_its_answers_charts_and_a_breakdown_when_asked():
    result = _survey_result(_people())
    plain = result._repr_html_()
    assert plain.count("<svg") == 2 and plain.count('class="tt-answers"') == 1
    assert "Answers by" not in plain
    for name, appeal in APPEAL.items():
        assert f"<td>{name}</td><td class=\"num\">{appeal}</td>" in plain
    segmented = SurveyView(result, by=["nationality", "age_band"])._repr_html_()
    assert "Answers by nationality" in segmented and "Answers by age_band" in segmented
    assert segmented.count("tt-segment-table") == 2 and segmented.count("<svg") > plain.count("<svg")
    _no_network_or_script(segmented)


def test_an_experiment_shows_its_comparison_and_means_by_arm():
    result = ExperimentResult("ad test", ["control", "treatment"], [1, 2],
                              runs={"control/1": {"buy": [2, 3]}, "control/2": {"buy": [3]},
                                    "treatment/1": {"buy": [4, 5]}, "treatment/2": {"buy": [4]}},
                              statistics={"treatment": {"buy": {"mean_difference": 5 / 3, "p_value": 0.01,
                                                                "effect_size": 2.0, "significant": True}}})
    text = result._repr_html_()
    assert 'data-tt="experiment"' in text and "2 arms x 2 seeds" in text
    assert text.count("<svg") == 1 and "buy: mean by arm" in text
    assert '<td class="num">4.33333</td>' in text and "<td>yes</td>" in text
    _no_network_or_script(text)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("survey_run")
    result = CliRunner().invoke(app, ["--model", "scripted", "run", str(SURVEY), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def test_a_run_report_shows_inline_as_the_pages_sections(run_folder):
    report = RunReport(run_folder)
    text = report._repr_html_()
    page = report.html()
    for section in ("scenario", "results", "population", "transcript", "usage"):
        assert f'<section id="{section}">' in text and f'<section id="{section}">' in page
    assert text.count("<svg") == page.count("<svg") > 0 and 'id="results-table"' in text
    assert "tt-search" not in text and "<!doctype" not in text
    _no_network_or_script(text)
    assert report.write().read_text(encoding="utf-8") == page


def test_a_run_report_of_a_folder_that_is_not_a_run_says_so(tmp_path):
    from tinytroupe.errors import SpecificationError

    with pytest.raises(SpecificationError, match="no transcript.jsonl"):
        RunReport(tmp_path)
