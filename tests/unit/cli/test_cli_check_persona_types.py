"""`run --check` reads agent files: a persona whose name is not a text is refused before anything runs."""

from __future__ import annotations

import json


def test_check_refuses_a_scenario_whose_agent_file_has_a_numeric_name(tmp_path, cli):
    (tmp_path / "someone.agent.json").write_text(json.dumps({"type": "TinyPerson", "persona": {"name": 42}}),
                                                 encoding="utf-8")
    scenario = tmp_path / "s.toml"
    scenario.write_text('[[agents]]\nfile = "someone.agent.json"\n[[script]]\nrun = 1\n', encoding="utf-8")
    result = cli("run", str(scenario), "--check")
    said = result.stdout + result.stderr
    assert result.exit_code != 0
    assert "persona.name" in said and "must be a text" in said
