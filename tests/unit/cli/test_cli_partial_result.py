"""A run whose extraction fails for one person: a distinct exit code, and the reason in the
terminal, in summary.md and in the HTML report; the usage table counts every call."""

from __future__ import annotations

import json

import pytest

from tinytroupe.cli import models
from tinytroupe.cli.run import EXIT_PARTIAL
from tinytroupe.llm.providers.scripted_replies import offline_responder

SCENARIO = """
title = "Partial"
[[agents]]
example = "lisa"
[[agents]]
example = "oscar"
[world]
broadcast_if_no_target = false
[[script]]
broadcast = "Would you subscribe to FixFlat? How appealing is it, from 1 to 5?"
[[script]]
run = 1
[[extract]]
name = "answers"
objective = "Each person's answer."
fields = ["appeal"]
hints = { appeal = "an integer from 1 to 5" }
[outputs]
dir = "out"
"""


@pytest.fixture
def oscar_out_of_range(monkeypatch):
    """The offline model, except that Oscar's extraction always answers 9 (out of the 1-5 range)."""

    def responder(seed: int = 0):
        usual = offline_responder(seed)

        def respond(request):
            if request.tags.get("purpose") == "extraction":
                return {"appeal": 9 if request.tags.get("agent") == "Oscar" else 4}
            return usual(request)

        return respond

    monkeypatch.setattr(models, "scripted_responder", responder)


def test_a_failed_extraction_makes_a_partial_result_that_says_so(cli, write_scenario, tmp_path, oscar_out_of_range):
    result = cli("--model", "scripted", "run", str(write_scenario(SCENARIO)))
    assert result.exit_code == EXIT_PARTIAL == 4, result.output
    line = next(x for x in result.stderr.splitlines() if x.startswith("Partial result"))
    assert "1 of 2 failed in extraction 'answers'" in line and "(Oscar)" in line and "less than or equal to 5" in line
    assert "Results saved to" in result.stdout  # the results of the others stand
    assert "extraction" in result.stdout.split("Model usage")[1]  # the usage table has the extraction calls

    summary = (tmp_path / "out" / "summary.md").read_text()
    section = summary.split("## Not completed")[1].split("## Conversation")[0]
    assert "extraction 'answers', **Oscar**:" in section and "less than or equal to 5" in section
    assert "Lisa" not in section
    manifest = json.loads((tmp_path / "out" / "run.json").read_text())
    usage = manifest["report"]["usage"]
    assert usage["by_purpose"]["extraction"]["calls"] >= 2  # Lisa's, Oscar's and Oscar's repair re-asks
    assert usage["calls"] == usage["by_purpose"]["agent_turn"]["calls"] + usage["by_purpose"]["extraction"]["calls"]
    rows = (tmp_path / "out" / "results.csv").read_text().splitlines()
    assert rows[1].startswith("Lisa,4") and rows[2] == "Oscar,"

    assert cli("report", str(tmp_path / "out")).exit_code == 0
    html = (tmp_path / "out" / "report.html").read_text()
    assert 'id="failures"' in html and "Not extracted for 1" in html
    assert html.count("less than or equal to 5") >= 2  # in the extraction's list and the failures table


def test_a_complete_run_exits_0_and_has_no_failure_section(cli, write_scenario, tmp_path):
    result = cli("--model", "scripted", "--json", "run", str(write_scenario(SCENARIO)))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["failures"] == []
    assert "Not completed" not in (tmp_path / "out" / "summary.md").read_text()


FACTORY = """
title = "Generated"
[[agents]]
factory = { n = 3, context = "a test panel" }
[[script]]
broadcast = "Hello"
[[script]]
run = 1
[outputs]
dir = "gen"
"""


def test_people_the_factory_could_not_make_are_a_partial_result(cli, write_scenario, tmp_path, monkeypatch):
    made = []

    def responder(seed: int = 0):
        usual = offline_responder(seed)

        def respond(request):
            if request.response_format.name == "GeneratedPersona":
                made.append(1)
                if len(made) > 1:
                    return "not a persona at all"  # every later draft fails, repairs included
            return usual(request)

        return respond

    monkeypatch.setattr(models, "scripted_responder", responder)
    result = cli("--model", "scripted", "run", str(write_scenario(FACTORY)))
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "failed in generating people" in result.stderr
    assert "generating people, **person 2**" in (tmp_path / "gen" / "summary.md").read_text()
