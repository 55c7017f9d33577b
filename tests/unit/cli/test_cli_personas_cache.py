"""``tinytroupe personas`` and ``tinytroupe cache``."""

from __future__ import annotations

import json

from tinytroupe.agent import TinyPerson
from tinytroupe.cli.main import EXIT_USAGE
from tinytroupe.llm.cache import CallCache

DEMOGRAPHY = {
    "title": "Test town",
    "content": {"People": {"Age Distribution": {"18-39": "50%", "40-80": "50%"},
                           "Gender Distribution": {"Female": "50%", "Male": "50%"}}},
}


def test_generate_writes_agent_files_that_load(cli, tmp_path):
    result = cli("--model", "scripted", "personas", "generate", "--n", "3", "--describe", "bakers in Lyon",
                 "--out", "people")
    assert result.exit_code == 0, result.stderr
    files = sorted((tmp_path / "people").glob("*.agent.json"))
    assert len(files) == 3 and "Wrote 3 personas to people" in result.stdout
    TinyPerson.clear_agents()
    names = {TinyPerson.load_specification(f).name for f in files}
    assert len(names) == 3


def test_generate_from_a_demography_file_with_json_output(cli, tmp_path):
    (tmp_path / "town.json").write_text(json.dumps(DEMOGRAPHY))
    result = cli("--model", "scripted", "--json", "personas", "generate", "-n", "4", "--demography", "town.json",
                 "--out", "town")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["people"]) == 4 and len(report["files"]) == 4 and report["usage"]["calls"] >= 4
    ages = [json.loads(open(f).read())["persona"]["age"] for f in report["files"]]
    assert all(18 <= a <= 80 for a in ages)


def test_generate_needs_n_and_out(cli):
    result = cli("--model", "scripted", "personas", "generate", "--describe", "x")
    assert result.exit_code == EXIT_USAGE and "--n" in result.stderr


def test_show_prints_a_persona_from_an_example_or_a_file(cli, tmp_path):
    result = cli("personas", "show", "marcos")
    assert result.exit_code == 0 and "Marcos" in result.stdout and "physician" in result.stdout.lower()
    path = tmp_path / "x.agent.json"
    path.write_text(json.dumps({"type": "TinyPerson", "persona": {"name": "Xia", "age": 30, "skills": ["kites"]}}))
    shown = json.loads(cli("--json", "personas", "show", str(path)).stdout)
    assert shown == {"type": "TinyPerson", "persona": {"name": "Xia", "age": 30, "skills": ["kites"]}}


def test_show_a_broken_file_is_bad_input(cli, tmp_path):
    (tmp_path / "bad.agent.json").write_text("{not json")
    result = cli("personas", "show", "bad.agent.json")
    assert result.exit_code == EXIT_USAGE and len(result.stderr.strip().splitlines()) == 1


def test_list_names_the_shipped_examples(cli):
    listed = json.loads(cli("--json", "personas", "list").stdout)
    assert {"lisa", "oscar", "marcos"} <= set(listed["agents"]) and listed["fragments"]


def test_cache_stats_and_clear(cli, tmp_path):
    missing = cli("--json", "cache", "stats")
    assert json.loads(missing.stdout)["exists"] is False
    cache = CallCache(tmp_path / "tinytroupe_llm_cache.sqlite")
    cache.put("a" * 64, {"text": "x"})
    cache.put("b" * 64, {"text": "y"})
    cache.close()
    stats = json.loads(cli("--json", "cache", "stats").stdout)
    assert stats["exists"] and stats["entries"] == 2 and stats["enabled"] is False and stats["bytes"] > 0
    human = cli("cache", "stats").stdout
    assert "2 stored calls" in human and "CACHE_API_CALLS" in human
    cleared = cli("cache", "clear")
    assert cleared.exit_code == 0 and "Removed 2 stored calls" in cleared.stdout
    assert json.loads(cli("--json", "cache", "stats").stdout)["entries"] == 0


def test_cache_file_from_config_and_option(cli, tmp_path):
    (tmp_path / "my.ini").write_text("[OpenAI]\nCACHE_API_CALLS = True\nCACHE_FILE_NAME = calls.sqlite\n")
    stats = json.loads(cli("--config", "my.ini", "--json", "cache", "stats").stdout)
    assert stats["file"].endswith("calls.sqlite") and stats["enabled"] is True
    other = json.loads(cli("--json", "cache", "clear", "--file", "other.sqlite").stdout)
    assert other == {"file": str(tmp_path / "other.sqlite"), "removed": 0}


def test_a_file_that_is_not_a_cache_is_an_error_not_a_traceback(cli, tmp_path):
    (tmp_path / "tinytroupe_llm_cache.sqlite").write_text("hello")
    result = cli("cache", "stats")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error:") and "CACHE_FILE_NAME" in result.stderr
