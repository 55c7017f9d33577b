"""[[extract]] in scenario files, results.json/results.csv from a run, and `tinytroupe report`."""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tinytroupe.cli.scenario import ScenarioError, parse_scenario

SURVEY = Path(__file__).resolve().parents[3] / "examples" / "scenarios" / "product_survey.toml"
FOCUS = SURVEY.with_name("focus_group.toml")

BASE = """
title = "T"
[[agents]]
example = "lisa"
[[script]]
run = 1
"""


class Page(HTMLParser):
    """Counts the elements of a page by tag, id and class."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.rows_in: dict[str, int] = {}
        self.cells: dict[str, list[list[str]]] = {}  # table id -> rows of cell texts
        self.in_cell = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "table":
            self.stack.append(attrs.get("id") or "")
        if tag == "tr" and self.stack:
            self.rows_in[self.stack[-1]] = self.rows_in.get(self.stack[-1], 0) + 1
            self.cells.setdefault(self.stack[-1], []).append([])
        if tag in ("td", "th") and self.stack:
            self.cells[self.stack[-1]][-1].append("")
            self.in_cell = True

    def handle_data(self, data):
        if self.in_cell:
            self.cells[self.stack[-1]][-1][-1] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.in_cell = False
        if tag == "table" and self.stack:
            self.stack.pop()

    def count(self, tag, cls=None):
        return sum(1 for t, a in self.tags if t == tag and (cls is None or cls in (a.get("class") or "").split()))


def test_extract_sections_are_checked_with_the_line_and_the_fix():
    good = parse_scenario(BASE + '[[extract]]\nobjective = "o"\nfields = ["rating"]\n'
                          'hints = { rating = "an integer from 1 to 5" }\n', "s.toml")
    (spec,) = good.extracts
    assert (spec.name, spec.scope, spec.fields, spec.hints) == ("extract_1", "agent", ("rating",),
                                                                {"rating": "an integer from 1 to 5"})
    bad = {
        '[[extract]]\nfields = ["a"]\n': "missing key 'objective'",
        '[[extract]]\nobjective = "o"\nfeilds = ["a"]\n': "did you mean 'fields'",
        '[[extract]]\nobjective = "o"\nscope = "room"\n': "use one of: agent, world",
        '[[extract]]\nobjective = "o"\nfields = "a"\n': "list of field names",
        '[[extract]]\nobjective = "o"\nhints = { a = 3 }\n': "table of field",
        '[extract]\nobjective = "o"\n': "double brackets",
        '[[extract]]\nobjective = "o"\nname = "x"\n[[extract]]\nobjective = "p"\nname = "x"\n': "named 'x'",
    }
    for text, message in bad.items():
        with pytest.raises(ScenarioError, match=message) as info:
            parse_scenario(BASE + text, "s.toml")
        assert str(info.value).startswith("s.toml")


def test_the_survey_scenario_writes_typed_results_and_a_report(cli, tmp_path):
    out = tmp_path / "run"
    result = cli("--model", "scripted", "--json", "run", str(SURVEY), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert Path(report["outputs"]["results_csv"]).is_file() and Path(report["outputs"]["run"]).is_file()
    with open(out / "results.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    people = [r for r in rows if r["name"] != "Survey"]
    assert [r["name"] for r in people] == report["agents"] and len(people) == 5
    assert all(r["would_subscribe"] in ("True", "False") and 1 <= int(r["appeal"]) <= 5 for r in people)
    assert 0 <= int(next(r for r in rows if r["name"] == "Survey")["interested"]) <= 5
    results = json.loads((out / "results.json").read_text())
    answers, overview = results["extractions"]
    assert answers["scope"] == "agent" and set(answers["results"]) == set(report["agents"])
    assert set(overview["results"]["per_agent"]) == set(report["agents"])
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["extraction_usage"]["extraction"]["calls"] == 6
    assert "[[extract]]" in manifest["scenario"]

    result = cli("report", str(out))
    assert result.exit_code == 0, result.stderr
    html = (out / "report.html").read_text()
    page = Page(html)
    assert page.rows_in["results-table"] == 1 + len(rows)
    assert page.rows_in["people-table"] == 6
    assert page.count("svg", "tt-chart") >= 3 and page.count("rect", "tt-bar") >= 5
    assert page.count("details", "tt-step") == 2
    assert page.count("li", "tt-event") >= 10
    bill = {row[0]: row[1:] for row in page.cells["bill-table"][1:]}  # by model and by purpose, as summary.md
    usage = manifest["report"]["usage"]
    turns = usage["by_purpose"]["agent_turn"]
    assert list(bill) == ["model scripted-model", "agent turns", "extraction"]  # every call of the run
    assert bill["agent turns"][:5] == ["5", "0", "0", f"{turns['input_tokens']:,}", f"{turns['output_tokens']:,}"]
    assert turns["calls"] == len(people) and turns["input_tokens"] > 1000  # one turn each, real prompts
    assert bill["extraction"][0] == "6" and bill["model scripted-model"][0] == "11" and usage["calls"] == 11
    summary = (out / "summary.md").read_text()
    assert "| agent turns | 5 | 0 | 0 |" in summary and "| extraction | 6 | 0 | 0 |" in summary
    assert "Content-Security-Policy" in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_a_run_without_extractions_still_gets_a_report(cli, tmp_path):
    out = tmp_path / "fg"
    assert cli("--model", "scripted", "run", str(FOCUS), "--out", str(out), "--max-steps", "2").exit_code == 0
    assert not (out / "results.csv").exists() and (out / "run.json").is_file()
    target = tmp_path / "elsewhere" / "fg.html"
    result = cli("--json", "report", str(out), "--out", str(target))
    assert result.exit_code == 0 and json.loads(result.stdout)["report"] == str(target)
    html = target.read_text()
    assert "extracted no results" in html and Page(html).count("details", "tt-step") == 3


def test_report_errors_name_the_folder(cli, tmp_path):
    result = cli("report", str(tmp_path))
    assert result.exit_code == 2 and "has no transcript.jsonl" in result.stderr
    result = cli("report", str(tmp_path / "missing"))
    assert result.exit_code == 2 and "is not a folder" in result.stderr


def test_the_python_call_writes_the_same_page(cli, tmp_path):
    from tinytroupe.report import render_run_report, write_run_report

    out = tmp_path / "s"
    assert cli("--model", "scripted", "run", str(SURVEY), "--out", str(out)).exit_code == 0
    path = write_run_report(out)
    assert path == out / "report.html" and path.read_text() == render_run_report(out)
