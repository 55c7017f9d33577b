"""Global options after the command, the model ``config show`` says is in use, and the scripted
model's sentences in the Python API."""

from __future__ import annotations

import json

import pytest

from tinytroupe import llm
from tinytroupe.cli.main import hoist_global_options
from tinytroupe.config import config_manager


@pytest.mark.parametrize("args, expected", [
    (["personas", "generate", "--n", "3", "--model", "local"], ["--model", "local", "personas", "generate", "--n", "3"]),
    (["run", "s.toml", "--json", "-q", "--seed", "4"], ["--json", "-q", "--seed", "4", "run", "s.toml"]),
    (["--debug", "demo", "--config=x.ini"], ["--debug", "--config=x.ini", "demo"]),
    (["--model", "local", "demo", "--out", "d"], ["--model", "local", "demo", "--out", "d"]),
    (["chat", "lisa", "--", "--json"], ["chat", "lisa", "--", "--json"]),
])
def test_global_options_are_moved_before_the_command(args, expected):
    assert hoist_global_options(args) == expected


def test_global_options_work_after_the_subcommand(cli, tmp_path):
    result = cli("personas", "generate", "--n", "2", "--out", "people", "--model", "scripted", "--json", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["files"]) == 2 and config_manager.get("seed") == 3
    ini = tmp_path / "other.ini"
    ini.write_text("[OpenAI]\nTEMPERATURE=0.3\n")
    shown = cli("config", "show", "--config", str(ini), "--quiet")
    assert shown.exit_code == 0 and "TEMPERATURE" in shown.stdout and "0.3" in shown.stdout


def test_config_show_says_which_model_is_in_use(cli):
    result = cli("--model", "scripted", "config", "show")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "In use: scripted (offline, canned replies)"
    model_line = next(x for x in result.stdout.splitlines() if "] MODEL " in x)
    assert "not used: the scripted model answers" in model_line
    data = json.loads(cli("--model", "scripted", "--json", "config", "show").stdout)
    assert data["in_use"]["provider"] == "scripted"


def test_the_scripted_api_type_answers_turns_with_sentences():
    from tinytroupe.examples import load_example_agent

    config_manager.update("api_type", "scripted")
    llm.reset_default_model()
    lisa = load_example_agent("lisa", auto_rename=True)
    lisa.listen_and_act("What do you think of dashboards?")
    said = lisa.pop_actions_and_get_contents_for("TALK", False)
    assert said and said.rstrip().endswith((".", "?")) and len(said.split()) >= 4
