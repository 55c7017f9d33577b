"""`tinytroupe run --format`, a scenario's `reference` answers, and the report's segments and fidelity sections."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from tinytroupe.cli.scenario import ScenarioError, parse_scenario
from tinytroupe.extraction.frames import TABLES
from tinytroupe.report import render_run_report
from tinytroupe.report.run_data import load_run
from tinytroupe.report.survey_sections import run_fidelity, run_segments

SURVEY = Path(__file__).resolve().parents[3] / "examples" / "scenarios" / "product_survey.toml"


@pytest.fixture
def survey_copy(tmp_path):
    """The shipped product survey and its data, copied so the run writes under the test's folder."""
    shutil.copy(SURVEY, tmp_path / SURVEY.name)
    shutil.copytree(SURVEY.parent / "data", tmp_path / "data")
    return tmp_path / SURVEY.name


def test_format_parquet_writes_tables_pandas_reads_back(cli, survey_copy, tmp_path):
    out = tmp_path / "run"
    result = cli("--model", "scripted", "run", str(survey_copy), "--out", str(out), "--format", "parquet")
    assert result.exit_code == 0, result.output
    assert "Tables saved to" in result.stdout
    for name, columns in TABLES.items():
        frame = pd.read_parquet(out / "tables" / f"{name}.parquet")
        assert list(frame.columns) == [c for c, _ in columns]
    people = pd.read_parquet(out / "tables" / "people.parquet")
    assert len(people) == 5 and set(people["age_band"]) == {"25-34", "45-54"}
    results = pd.read_parquet(out / "tables" / "results.parquet")
    appeal = results[(results.extraction == "answers") & (results.field == "appeal")]
    assert len(appeal) == 5 and appeal["number"].between(1, 5).all()
    actions = pd.read_parquet(out / "tables" / "actions.parquet")
    assert (actions["type"] == "TALK").sum() == 5 and (actions["step"] == 1).all()


def test_format_csv_and_bad_formats(cli, survey_copy, tmp_path):
    out = tmp_path / "run"
    assert cli("--model", "scripted", "run", str(survey_copy), "--out", str(out), "--format", "csv").exit_code == 0
    assert sorted(p.name for p in (out / "tables").iterdir()) == ["actions.csv", "people.csv", "results.csv",
                                                                 "transcript.csv"]
    bad = cli("--model", "scripted", "run", str(survey_copy), "--out", str(tmp_path / "x"), "--format", "xlsx")
    assert bad.exit_code == 2 and "use one of: parquet, csv, json" in bad.output
    assert not (tmp_path / "x").exists()


def test_reference_answers_reach_the_report(cli, survey_copy, tmp_path):
    out = tmp_path / "run"
    assert cli("--model", "scripted", "run", str(survey_copy), "--out", str(out)).exit_code == 0
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    reference = doc["extractions"][0]["reference"]
    assert reference["file"] == "fixflat_panel.csv" and len(reference["answers"]["appeal"]) == 40
    run = load_run(out)
    (name, report), = run_fidelity(run)
    appeal = next(q for q in report.questions if q.question == "appeal")
    simulated = [r["appeal"] for r in doc["extractions"][0]["results"].values()]
    real = reference["answers"]["appeal"]
    assert appeal.ks_distance == pytest.approx(stats.ks_2samp(simulated, real).statistic)
    assert appeal.wasserstein == pytest.approx(stats.wasserstein_distance(simulated, real))
    assert appeal.points == ["1", "2", "3", "4", "5"]  # the hint's 1-5 scale
    page = render_run_report(out)
    assert 'id="fidelity"' in page and page.count('class="tt-fidelity-question"') == 2
    assert 'href="#fidelity"' in page and 'href="#segments"' in page
    assert {b.attribute for b in run_segments(run)} == {"age_band", "gender", "nationality"}
    assert 'class="tt-segment-table"' in page and "Student&#x27;s t" in page


def test_reference_is_checked_with_the_scenario(write_scenario, tmp_path):
    base = """
    title = "T"
    [[agents]]
    example = "lisa"
    [[script]]
    run = 1
    [[extract]]
    objective = "o"
    fields = ["appeal"]
    reference = "{ref}"
    """
    with pytest.raises(ScenarioError, match=r"reference: .*missing.csv: reference answers not found"):
        parse_scenario(base.replace("{ref}", "missing.csv").replace("\n    ", "\n"), tmp_path / "s.toml")
    (tmp_path / "other.csv").write_text("x\n1\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="has no column named after a field \\(appeal\\)"):
        parse_scenario(base.replace("{ref}", "other.csv").replace("\n    ", "\n"), tmp_path / "s.toml")
    (tmp_path / "panel.csv").write_text("appeal\n3\n", encoding="utf-8")
    scenario = parse_scenario(base.replace("{ref}", "panel.csv").replace("\n    ", "\n"), tmp_path / "s.toml")
    assert scenario.extracts[0].reference == tmp_path / "panel.csv"


def test_a_report_without_reference_or_groups_has_no_such_sections(cli, write_scenario, tmp_path):
    path = write_scenario("""
        title = "One person"
        [[agents]]
        example = "lisa"
        [[script]]
        broadcast = "Hello?"
        [[script]]
        run = 1
        [[extract]]
        objective = "rating"
        fields = ["rating"]
        hints = { rating = "an integer from 1 to 5" }
    """)
    assert cli("--model", "scripted", "run", str(path), "--out", str(tmp_path / "r")).exit_code == 0
    page = render_run_report(tmp_path / "r")
    assert 'id="fidelity"' not in page and 'id="segments"' not in page
