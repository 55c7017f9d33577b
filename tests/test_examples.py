"""Every example script and every scenario file runs for a few steps with the scripted model."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tinytroupe.cli.main import app
from tinytroupe.cli.models import scripted_responder
from tinytroupe.llm import ScriptedModel
from tinytroupe.testing.agent_replies import act_reply, talk_responder

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.py"))
SCENARIOS = sorted((EXAMPLES / "scenarios").glob("*.toml"))


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"example_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # so pydantic can resolve the example's annotations
    spec.loader.exec_module(module)
    return module


def model(responder=None) -> ScriptedModel:
    return ScriptedModel(responder=responder or scripted_responder(seed=1))


def test_the_examples_are_there():
    assert {p.stem for p in SCRIPTS} >= {"customer_interview", "product_brainstorming", "ad_choice",
                                         "synthetic_data", "social_network"}
    assert len(SCENARIOS) >= 3
    for path in SCRIPTS:
        assert len(path.read_text().splitlines()) <= 110, f"{path.name} should stay short"


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_every_example_runs_with_the_scripted_model(path, capsys):
    fake = model()
    result = load(path).main(steps=1, model=fake)
    assert result
    assert fake.calls >= 1
    assert capsys.readouterr().out.strip()


def test_customer_interview_asks_each_question():
    fake = model()
    transcript = load(EXAMPLES / "customer_interview.py").main(steps=2, model=fake)
    assert [q for q, _ in transcript] == load(EXAMPLES / "customer_interview.py").QUESTIONS[:2]
    assert all(answer != "(no answer)" for _, answer in transcript)
    assert "Florist" in fake.requests[0].messages[0].content


def test_ad_choice_counts_one_vote_per_person():
    votes = load(EXAMPLES / "ad_choice.py").main(steps=3, model=model())
    assert sum(votes.values()) == 3 and set(votes) <= {"A", "B", "C"}


def test_synthetic_data_writes_a_csv_and_json_table(tmp_path):
    rows = load(EXAMPLES / "synthetic_data.py").main(steps=3, model=model(), out_dir=tmp_path / "table")
    assert len(rows) == 3
    with open(tmp_path / "table" / "purchase_reasons.csv", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert [r["name"] for r in table] == [r["name"] for r in rows]
    assert set(table[0]) == {"name", "age", "occupation", "would_buy", "main_reason", "answer"}
    assert json.loads((tmp_path / "table" / "purchase_reasons.json").read_text()) == rows


def test_social_network_news_travels_only_along_relations():
    heard = load(EXAMPLES / "social_network.py").main(
        steps=2, model=model(talk_responder(lambda request: "Did you hear about the bakery?")))
    assert heard["Tomasz"] and heard["Lisa"] and not heard["Marcos"]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_runs_and_writes_its_outputs(path, tmp_path):
    result = CliRunner().invoke(app, ["--model", "scripted", "--json", "run", str(path), "--out", str(tmp_path),
                                      "--max-steps", "2"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["steps_run"] >= 1 and report["agents"]
    for kind, file in report["outputs"].items():
        assert Path(file).is_file(), kind
    assert any(u["type"] == "TALK" for u in report["utterances"])


def test_report_writer_exports_a_docx_with_a_table(tmp_path):
    import docx

    from tinytroupe.testing.agent_replies import act_reply, is_turn_request

    report = {"title": "Bakery survey", "author": "Mara", "content": (
        "# Bakery survey\n\nMost customers want earlier hours.\n\n## Findings\n\n"
        "| Wish | Customers |\n|---|---|\n| Open at 6:30 | 28 |\n| Organic flour | 22 |\n\n"
        "## Recommendations\n\n1. Open at 6:30\n2. Offer an organic loaf")}
    generic = scripted_responder(seed=1)

    def respond(request):
        if is_turn_request(request) and "WRITE_DOCUMENT" in request.messages[0].content:
            return act_reply(("WRITE_DOCUMENT", json.dumps(report)))
        return generic(request)

    result = load(EXAMPLES / "report_writer.py").main(steps=1, model=model(respond), out_dir=tmp_path)
    assert result["actions"] == ["WRITE_DOCUMENT", "DONE"]
    path = tmp_path / "Document" / "Bakery survey.Mara.docx"
    assert str(path) in result["files"] and len(result["files"]) == 3
    document = docx.Document(str(path))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == ["Findings", "Recommendations"]
    assert document.tables[0].rows[1].cells[1].text == "28"


def test_story_steering_runs_three_steps_and_each_section_reaches_the_world():
    story = load(EXAMPLES / "story_steering.py").main(steps=3, model=model())
    assert len(story.sections) == 3 and story.environment.simulation_step == 3
    assert story.current_story.count("## The story continues") == 2
    for agent in story.environment.agents:
        heard = [e.content for e in agent.episodic_memory.retrieve_all(type="CONVERSATION") if e.source == "Narrator"]
        assert heard == story.sections


def test_validate_persona_gives_a_score_in_zero_to_one():
    score, justification = load(EXAMPLES / "validate_persona.py").main(steps=2, model=model())
    assert 0.0 <= score <= 1.0 and justification


def test_survey_reference_reports_the_distribution_against_the_humans():
    generic = scripted_responder(seed=1)

    def respond(request):  # everyone answers 3: right mean, no spread
        if request.tags.get("purpose") == "survey":
            return {"answer": 3, "justification": "no strong feelings"}
        return generic(request)

    result = load(EXAMPLES / "survey_reference.py").main(steps=3, model=model(respond))
    assert result["shares"] == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert result["comparison"]["sd_ratio"] == 0.0 and result["comparison"]["ks_distance"] == pytest.approx(0.36)
    assert "Overall agreement score: 0.000" in result["report"]


def test_ab_test_ads_finds_the_better_ad():
    generic = scripted_responder(seed=1)

    def respond(request):
        if request.tags.get("purpose") == "survey":
            liked = "Summer in a bottle" in "\n".join(m.content for m in request.messages)
            return {"answer": (4 if liked else 2) + request.seed % 2, "justification": "the ad"}
        return generic(request)

    result = load(EXAMPLES / "ab_test_ads.py").main(steps=1, model=model(respond))
    stat = result.statistics["summer"]["buy"]
    assert stat["mean_difference"] == pytest.approx(2.0) and stat["significant"]
    assert len(result.metrics("plain")["buy"]) == 30


def test_survey_results_extracts_typed_answers_and_writes_the_table(tmp_path):
    fake = model()
    rows = load(EXAMPLES / "survey_results.py").main(steps=1, model=fake, people=3, out_dir=tmp_path / "s")
    assert len(rows) == 3
    for row in rows:
        assert isinstance(row["would_subscribe"], bool) and 1 <= row["appeal"] <= 5
        assert isinstance(row["reason_category"], str)
    with open(tmp_path / "s" / "answers.csv", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert [r["name"] for r in table] == [r["name"] for r in rows]
    assert json.loads((tmp_path / "s" / "answers.json").read_text()) == rows
    extraction = [r for r in fake.requests if r.tags.get("purpose") == "extraction"]
    assert len(extraction) == 3 and "FixFlat" in extraction[0].messages[1].content


def test_the_survey_scenario_writes_results_csv(tmp_path):
    result = CliRunner().invoke(app, ["--model", "scripted", "run", str(EXAMPLES / "scenarios" / "product_survey.toml"),
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    with open(tmp_path / "results.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6 and {"would_subscribe", "appeal", "main_reason"} <= set(rows[0])


def test_grounded_agent_answers_from_the_documents():
    def respond(request):
        prompt = request.messages[-1].content
        if "Document you are consulting: acme_q3_report.md" in prompt:
            return act_reply(("TALK", "2.3 million euros, 14 percent up, mostly Lisbon.", "Marco"))
        if "acme_q3_report.md" in prompt:  # the listing reached her: she reads the report
            return act_reply(("CONSULT", "acme_q3_report.md"))
        return act_reply(("LIST_DOCUMENTS", ""))

    fake = model(respond)
    answers = load(EXAMPLES / "grounded_agent.py").main(steps=1, model=fake)
    assert answers[0][1] == "2.3 million euros, 14 percent up, mostly Lisbon."
    assert fake.calls == 3 and "Revenue for the third quarter was 2.3 million euros" in fake.last_prompt()
