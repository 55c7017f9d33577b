"""The HTML run report in a real headless Chromium: loads without errors, shows the table,
the charts and a working transcript search. Skips where Chromium is not installed (CI installs
Debian's chromium package)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tinytroupe.cli.main import app

from .browser_support import Browser, chromium_path

SURVEY = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "product_survey.toml"

pytestmark = pytest.mark.skipif(chromium_path() is None,
                                reason="Chromium is not installed (apt-get install chromium); CI installs it")

COUNTS = """JSON.stringify({
  ready: document.body.getAttribute('data-ready'),
  rows: document.querySelectorAll('#results-table tbody tr').length,
  columns: Array.from(document.querySelectorAll('#results-table thead th')).map(th => th.textContent),
  charts: Array.from(document.querySelectorAll('svg.tt-chart')).map(s => {
    const r = s.getBoundingClientRect(); return [r.width, r.height]; }),
  bars: Array.from(document.querySelectorAll('rect.tt-bar')).filter(r => r.getBoundingClientRect().width > 0).length,
  steps: document.querySelectorAll('details.tt-step').length,
  events: document.querySelectorAll('li.tt-event').length,
  bill: Array.from(document.querySelectorAll('#bill-table tbody tr')).filter(tr => tr.getBoundingClientRect().height > 0)
    .map(tr => Array.from(tr.cells).map(td => td.textContent)),
  resources: performance.getEntriesByType('resource').length
})"""

SEARCH = """(() => { const box = document.getElementById('tt-search'); box.value = 'FixFlat';
  box.dispatchEvent(new Event('input'));
  return [document.querySelectorAll('li.tt-event:not(.hidden)').length,
          document.querySelectorAll('li.tt-event').length]; })()"""


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("survey")
    runner = CliRunner()
    result = runner.invoke(app, ["--model", "scripted", "run", str(SURVEY), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.stderr
    return (out / "report.html", json.loads((out / "results.json").read_text()),
            json.loads((out / "run.json").read_text())["report"]["usage"])


def test_the_report_renders_with_its_table_and_charts_and_no_errors(report_file):
    path, results, usage = report_file
    with Browser() as browser:
        browser.open(path)
        counts = json.loads(browser.evaluate(COUNTS))
        assert browser.errors() == []
        assert counts["ready"] == "1"
        assert counts["rows"] == len(results["rows"]) == 6
        assert counts["columns"][:4] == ["name", "would_subscribe", "appeal", "main_reason"]
        assert len(counts["charts"]) >= 3 and all(w > 100 and h > 30 for w, h in counts["charts"])
        assert counts["bars"] >= 5 and counts["steps"] == 2 and counts["events"] >= 10
        turns, extraction = usage["by_purpose"]["agent_turn"], usage["by_purpose"]["extraction"]
        total = usage["by_model"]["scripted-model"]

        def row(label, u):
            return [label, str(u["calls"]), "0", "0", f"{u['input_tokens']:,}", f"{u['output_tokens']:,}"]

        # the usage by model and by purpose, shown: every call of the run, the extraction's included
        assert [row[:6] for row in counts["bill"]] == [
            row("model scripted-model", total), row("agent turns", turns), row("extraction", extraction)]
        assert total["calls"] == turns["calls"] + extraction["calls"]
        assert turns["calls"] == len(results["rows"]) - 1  # one turn for each of the five people
        assert counts["resources"] == 0  # nothing fetched: the page is self-contained
        shown, total = browser.evaluate(SEARCH)
        assert 0 < shown < total
        png = browser.screenshot()
        assert png.startswith(b"\x89PNG") and len(png) > 20_000
