"""Smoke run of the benchmark suite at toy sizes, so the benchmark code cannot rot (nothing is timed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import run_all  # noqa: E402
from bench.scenarios import SCENARIOS, get_scenario  # noqa: E402
from bench.scenarios.faults import account, fault_script  # noqa: E402
from bench.scenarios.focus_group import persona_coverage  # noqa: E402
from bench.scenarios.harness import BenchServer, Row  # noqa: E402


def _toy(name: str) -> list[Row]:
    return run_all.run_scenario_here(name, toy=True)


def test_every_scenario_is_listed_once_with_toy_sizes():
    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names))
    assert all(s.toy for s in SCENARIOS)
    with pytest.raises(KeyError, match="known"):
        get_scenario("nope")


def test_focus_group_makes_one_call_per_turn_and_keeps_every_persona_value():
    latency, tokens, first, calls = _toy("focus_group")
    assert latency.unit == "s" and latency.measured > 0 and latency.requests == 3 * 2
    assert first.requests == 3 and 0 < first.measured <= tokens.details["messages_tokens"] * 2
    assert calls.measured == 1.0 and calls.passed
    assert tokens.details["persona_values"] > 20
    assert tokens.details["persona_values_found"] == tokens.details["persona_values"]


def test_surveys_get_an_answer_from_everyone():
    for name, size in (("survey_100", 5), ("survey_1000", 12)):
        (row,) = _toy(name)
        assert row.details["answered"] == size and row.requests == size
        assert row.ideal == pytest.approx(0.01 * -(-size // get_scenario(name).toy["concurrency"]))


def test_large_survey_reports_peak_memory_on_both_paths():
    for name in ("large", "large_http"):
        (row,) = _toy(name)
        assert row.unit == "MiB" and row.measured and row.measured > 10
        assert "answered" in row.note


def test_conversation_records_each_agents_prompts():
    (row,) = _toy("conversation")
    series = row.details["series"]
    assert len(series) == 2 and all(len(v) == 3 for v in series.values())
    assert row.measured in [v[-1] for v in series.values()] and set(row.details["ratios"]) == set(series)


def test_cached_rerun_makes_no_request_the_second_time():
    rows = _toy("cached_rerun")
    assert rows[0].requests == 3
    second = next(r for r in rows if r.scenario.endswith("second"))
    assert second.requests == 0


def test_overhead_measures_cpu_and_profiles_the_turn():
    rows = _toy("overhead")
    assert rows[0].measured > 0 and "function" in rows[0].details["profile"]
    assert rows[1].requests == 2


def test_faults_complete_and_every_retry_is_accounted_for():
    (row,) = _toy("faults")
    books = row.details["accounting"]
    assert all(books["checks"].values()), books
    assert books["retries"] > 0 and row.passed
    assert all(n > 0 for n in row.details["actions_per_agent"].values())


def test_fault_script_mix_and_accounting_catch_a_missing_retry():
    script = fault_script(50, 0.2)
    assert len(script) == 50 and sum(1 for s in script if s != "ok") == 10
    assert {s for s in script if s != "ok"} == {"429", "500", "truncated", "stall", "drop"}
    served = ["ok", "429", "ok", "truncated", "ok"]
    usage = {"calls": 4, "retries": 1}
    assert all(account(served, usage, retries=1, gave_up=0, repairs=1)["checks"].values())
    assert not all(account(served, usage, retries=0, gave_up=0, repairs=1)["checks"].values())


def test_persona_coverage_counts_missing_values():
    persona = {"name": "Ana", "age": 30, "likes": ["tea", "maps"], "job": {"title": "pilot"}}
    assert persona_coverage(persona, "Ana, 30, tea | maps, pilot") == (5, 5)
    assert persona_coverage(persona, "Ana 30 pilot") == (3, 5)


def test_server_in_its_own_process_counts_and_scripts():
    with BenchServer(responder="bench.scenarios.replies:survey_reply") as server:
        server.script("500")
        import json
        import urllib.error
        import urllib.request

        def post() -> int:
            body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]}).encode()
            request = urllib.request.Request(server.base_url + "/chat/completions", data=body,
                                             headers={"Content-Type": "application/json"})
            try:
                return urllib.request.urlopen(request, timeout=10).status
            except urllib.error.HTTPError as exc:
                return exc.code

        assert [post(), post()] == [500, 200]
        stats = server.stats()
        assert stats["requests"] == 2 and stats["faults_served"] == ["500", "ok"]
        server.reset()
        assert server.stats()["requests"] == 0


def test_results_file_keeps_other_sections(tmp_path):
    md, js = tmp_path / "RESULTS.md", tmp_path / "results.json"
    md.write_text("# Benchmark results\n\n## Someone else's section\n\nkeep me\n", encoding="utf-8")
    row = Row("focus group", "s", 0.6, 0.66, target="<= 1.15 x ideal", passed=True, requests=24, tokens=900,
              peak_rss_mib=80.0, note="fine", details={"profile": "calls  function"})
    report = {"date": "today", "toy": True, "machine": "test", "load_before": 1.0, "load_after": 1.0,
              "scenario_seconds": {}, "total_seconds": 1.0, "rows": [row.to_dict()], "errors": []}
    outputs = [{"script": "bench_x.py", "args": [], "returncode": 0, "output": "x: 1", "seconds": 0.1,
                "own_section": False}]
    run_all.write_results(report, outputs, md, js)
    run_all.write_results(report, outputs, md, js)  # a second write replaces, never duplicates
    text = md.read_text(encoding="utf-8")
    assert text.count(run_all.SECTION) == 1 and "keep me" in text and text.count("x: 1") == 1
    assert "| focus group | 0.600 s | 0.660 s | 1.10 | 24 | 900 | 80 MiB |" in text
    assert text.index(run_all.SECTION) < text.index("## Someone else's section")
    assert '"ratio": 1.1' in js.read_text(encoding="utf-8")
