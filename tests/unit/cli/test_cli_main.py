"""The ``tinytroupe`` command as a whole: help, global options, exit codes, pipes, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tinytroupe.cli.main import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, main
from tinytroupe.config import config_manager


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "AZURE", "TINYTROUPE_"))}
    env.update({"TINYTROUPE_HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1", **extra})
    return env


def test_help_lists_every_command_group(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("demo", "run", "chat", "personas", "cache"):
        assert command in result.stdout
    assert "TINYTROUPE_MODEL" in result.stdout and "scripted" not in result.stdout
    for group in (["personas", "--help"], ["cache", "--help"], ["run", "--help"], ["chat", "--help"]):
        assert cli(*group).exit_code == 0


def test_bad_usage_exits_2(cli):
    assert cli("frobnicate").exit_code == EXIT_USAGE
    assert cli("run").exit_code == EXIT_USAGE
    assert cli("--seed", "many", "demo").exit_code == EXIT_USAGE


def test_a_missing_config_file_is_bad_usage(cli):
    result = cli("--config", "nowhere.ini", "cache", "stats")
    assert result.exit_code == EXIT_USAGE and "nowhere.ini" in result.stderr


def test_a_bad_config_value_is_one_line_and_exit_2(cli, tmp_path):
    (tmp_path / "config.ini").write_text("[OpenAI]\nTEMPERATURE = warm\n")
    result = cli("--model", "scripted", "demo")
    assert result.exit_code == EXIT_USAGE
    assert len(result.stderr.strip().splitlines()) == 1 and "TEMPERATURE" in result.stderr


def test_global_options_set_the_configuration(cli, tmp_path):
    (tmp_path / "custom.ini").write_text("[OpenAI]\nMODEL = from-file\nMAX_ATTEMPTS = 2\n")
    result = cli("--config", "custom.ini", "--seed", "5", "--model", "scripted", "--json", "cache", "stats")
    assert result.exit_code == 0
    assert config_manager.get("max_attempts") == 2 and config_manager.get("seed") == 5
    assert config_manager.get("api_type") == "scripted"


def test_model_option_sets_the_model_name(cli):
    cli("--model", "gpt-4o-mini", "cache", "stats")
    assert config_manager.get("model") == "gpt-4o-mini" and config_manager.get("api_type") == "auto"
    cli("--model", "local", "cache", "stats")
    assert config_manager.get("api_type") == "local"


def test_env_fallback_for_the_model(cli):
    result = cli("--json", "demo", env={"TINYTROUPE_MODEL": "scripted"})
    assert result.exit_code == 0 and json.loads(result.stdout)["model"].startswith("scripted")


def test_no_model_configured_is_a_clean_failure(cli, monkeypatch):
    from tinytroupe.llm import setup

    monkeypatch.setattr(setup, "_local_available", lambda: False)
    result = cli("demo")
    assert result.exit_code == EXIT_FAILURE
    assert result.stderr.startswith("error: no LLM is configured") and "Traceback" not in result.stderr


def test_an_unexpected_error_is_one_line_unless_debug(cli, monkeypatch):
    from tinytroupe.cli import demo

    def explode():
        raise RuntimeError("boom")

    monkeypatch.setattr(demo, "_people", explode)
    quiet = cli("--model", "scripted", "demo")
    assert quiet.exit_code == EXIT_FAILURE
    assert quiet.stderr.strip() == "error: RuntimeError: boom (run with --debug for the traceback)"
    loud = cli("--model", "scripted", "--debug", "demo")
    assert loud.exit_code != 0 and isinstance(loud.exception, RuntimeError)


def test_main_returns_the_exit_code(capsys):
    assert main(["--model", "scripted", "--quiet", "cache", "stats"]) == 0
    assert main(["nonsense"]) == EXIT_USAGE
    assert "No such command" in capsys.readouterr().err


def test_piped_output_has_no_colour_codes(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tinytroupe.cli", "--model", "scripted", "demo"],
                          capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path, TERM="xterm-256color"),
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout and "\x1b[" not in proc.stderr
    assert "Lisa" in proc.stdout and "Answers saved to tinytroupe-out/demo/answers.csv" in proc.stdout


def test_bad_scenario_in_a_subprocess_exits_2_with_one_line(tmp_path):
    (tmp_path / "bad.toml").write_text('[[agents]]\nexample = "lisa"\n[[script]]\nrun = "two"\n')
    proc = subprocess.run([sys.executable, "-m", "tinytroupe.cli", "run", "bad.toml"], capture_output=True,
                          text=True, cwd=tmp_path, env=_env(tmp_path), timeout=120)
    assert proc.returncode == EXIT_USAGE
    assert proc.stderr.splitlines() == [
        "error: bad.toml, line 4: script[1].run: expected a whole number, got a string 'two'"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_after_the_current_step_and_saves(tmp_path):
    (tmp_path / "long.toml").write_text('[[agents]]\nexample = "lisa"\n[[agents]]\nexample = "oscar"\n'
                                        '[[script]]\nbroadcast = "Talk."\n[[script]]\nrun = 5000\n')
    proc = subprocess.Popen([sys.executable, "-m", "tinytroupe.cli", "--model", "scripted", "run", "long.toml"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env=_env(tmp_path))
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "step 2" in line:
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "Stopping after the current step" in err
    assert "Stopped after step" in out and "of 5000 (Ctrl-C)" in out
    state = json.loads((tmp_path / "out" / "long" / "state.json").read_text())["world"]
    assert 2 <= state["simulation_step"] < 5000
    assert (tmp_path / "out" / "long" / "checkpoint.json").is_file()
    assert (tmp_path / "out" / "long" / "transcript.jsonl").stat().st_size > 0
