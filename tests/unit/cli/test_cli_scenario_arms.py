"""Scenario files with [[arms]]: checked with line numbers, run per arm and seed, compared, resumable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tinytroupe.cli.main import app
from tinytroupe.cli.scenario import ScenarioError, parse_scenario
from tinytroupe.cli.scenario_arms import parse_arms

BASE = '''
title = "ad test"
[[agents]]
example = "lisa"
[[agents]]
example = "oscar"
[[script]]
broadcast = "Look at this ad: {{ad}}"
[[script]]
run = 1
'''

ARMS = '''
[experiment]
seeds = [1, 2]
question = { name = "buy", text = "Would you buy it?", points = 5 }
[[arms]]
name = "a"
vars = { ad = "Soup." }
[[arms]]
name = "b"
vars = { ad = "Summer soup." }
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ab.toml"
    path.write_text(text)
    return path


def test_arms_are_parsed():
    spec = parse_arms(parse_scenario(BASE + ARMS, "ab.toml"))
    assert spec.arms == (("a", {"ad": "Soup."}), ("b", {"ad": "Summer soup."}))
    assert spec.seeds == (1, 2) and spec.question["name"] == "buy" and spec.placeholders == {"ad"}


@pytest.mark.parametrize("message", ["no value for ad", "list of whole numbers", "unique"])
def test_mistakes_name_the_line_and_the_fix(message):
    broken = {
        "no value for ad": ARMS.replace('vars = { ad = "Summer soup." }', 'vars = { other = "x" }'),
        "list of whole numbers": ARMS.replace("seeds = [1, 2]", 'seeds = "three"'),
        "unique": ARMS.replace('name = "b"', 'name = "a"'),
    }[message]
    with pytest.raises(ScenarioError, match=message) as caught:
        parse_arms(parse_scenario(BASE + broken, "ab.toml"))
    assert "ab.toml, line" in str(caught.value)


def test_one_arm_is_not_an_experiment():
    one = ARMS.split("[[arms]]\nname = \"b\"")[0]
    with pytest.raises(ScenarioError, match="at least two"):
        parse_arms(parse_scenario(BASE + one, "ab.toml"))


def test_the_cli_runs_every_arm_and_seed_and_writes_the_comparison(tmp_path):
    path = write(tmp_path, BASE + ARMS)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["--model", "scripted", "--json", "run", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["arms"] == ["a", "b"] and report["seeds"] == [1, 2]
    assert {(r["arm"], r["n"]) for r in report["comparison"]} == {("a", 4), ("b", 4)}
    table = (out / "comparison.md").read_text()
    assert "| a | buy | 4 |" in table and "| b | buy | 4 |" in table and "p-value" in table
    details = json.loads((out / "experiment.json").read_text())
    assert sorted(details["runs"]) == ["a/1", "a/2", "b/1", "b/2"]
    assert report["utterances"]
    html = CliRunner().invoke(app, ["report", str(out)])
    assert html.exit_code == 0, html.stderr
    page = (out / "report.html").read_text()
    assert 'id="experiment"' in page and "experiment-table" in page and "ad test" in page
    again = CliRunner().invoke(app, ["--model", "scripted", "--json", "run", str(path), "--out", str(out),
                                     "--resume"])
    assert again.exit_code == 0, again.stderr
    assert len(json.loads((out / "experiment.json").read_text())["resumed"]) == 4


def test_check_validates_the_arms(tmp_path):
    path = write(tmp_path, BASE + ARMS.replace('vars = { ad = "Soup." }', ""))
    result = CliRunner().invoke(app, ["run", str(path), "--check"])
    assert result.exit_code != 0 and "no value for ad" in (result.stderr + result.stdout)
