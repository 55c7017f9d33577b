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
from tinytroupe.testing.agent_replies import talk_responder

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
