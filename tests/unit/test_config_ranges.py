"""Settings: every number declares its valid range beside its default; bad values name where and what is valid."""

from __future__ import annotations

import pytest

from tinytroupe.config import SETTINGS, ConfigManager, Range
from tinytroupe.errors import ConfigError


def ini(tmp_path, text):
    path = tmp_path / "config.ini"
    path.write_text(text)
    return path


def test_every_number_setting_declares_a_range_its_default_satisfies():
    for s in SETTINGS:
        if s.type in (int, float):
            assert isinstance(s.valid, Range), f"{s.key}: declare valid=Range(...) next to its default"
            assert s.valid.accepts(s.default), f"{s.key}: the default {s.default!r} is outside its own range"


def test_a_bad_boolean_says_true_or_false_not_a_number(tmp_path):
    path = ini(tmp_path, "[OpenAI]\nCACHE_API_CALLS = maybe\n")
    with pytest.raises(ConfigError) as err:
        ConfigManager(use_environment=False).get("model")
    msg = str(err.value)
    assert str(path) in msg and "[OpenAI] CACHE_API_CALLS = 'maybe'" in msg and "true or false" in msg
    assert "number" not in msg


@pytest.mark.parametrize("section,key,value,valid", [
    ("OpenAI", "MAX_CONCURRENT_MODEL_CALLS", "0", "at least 1"),
    ("OpenAI", "MAX_CONCURRENT_MODEL_CALLS", "-5", "at least 1"),
    ("OpenAI", "MAX_ATTEMPTS", "0", "at least 1"),
    ("OpenAI", "REQUESTS_PER_MINUTE", "-10", "at least 0"),
    ("OpenAI", "TOKENS_PER_MINUTE", "-10", "at least 0"),
    ("OpenAI", "TIMEOUT", "0", "greater than 0"),
    ("OpenAI", "TIMEOUT", "-1", "greater than 0"),
    ("OpenAI", "TEMPERATURE", "nan", "from 0 to 2"),
    ("OpenAI", "TEMPERATURE", "inf", "from 0 to 2"),
    ("OpenAI", "TEMPERATURE", "99", "from 0 to 2"),
    ("ActionGenerator", "QUALITY_THRESHOLD", "12", "from 0 to 9"),
    ("Cognition", "MAX_ACTIONS_PER_TURN", "2.5", "whole number"),
])
def test_out_of_range_values_name_file_section_key_value_and_range(tmp_path, section, key, value, valid):
    path = ini(tmp_path, f"[{section}]\n{key} = {value}\n")
    with pytest.raises(ConfigError) as err:
        ConfigManager(use_environment=False).get("model")
    msg = str(err.value)
    assert str(path) in msg and f"[{section}] {key} = {value!r}" in msg and valid in msg


def test_zero_concurrency_is_refused_with_what_to_write_instead():
    with pytest.raises(ConfigError, match="no limit.*1000"):
        ConfigManager(use_environment=False).update("max_concurrent_model_calls", 0)


def test_environment_and_update_are_checked_the_same_way(monkeypatch):
    monkeypatch.setenv("TINYTROUPE_TIMEOUT", "-3")
    with pytest.raises(ConfigError, match="environment variable TINYTROUPE_TIMEOUT.*TIMEOUT = '-3'.*greater than 0"):
        ConfigManager().get("timeout")
    cm = ConfigManager(use_environment=False)
    with pytest.raises(ConfigError, match="config_manager.update.*TEMPERATURE = inf"):
        cm.update("temperature", float("inf"))
    with pytest.raises(ConfigError):
        cm.update_multiple({"model": "x", "requests_per_minute": -1})
    assert cm.model != "x"  # nothing changed
    cm.update("requests_per_minute", 0)  # 0 means no limit
    cm.update("temperature", 0)
    assert cm.temperature == 0.0 and isinstance(cm.temperature, float)


def test_library_default_model_setup_refuses_a_bad_value_before_any_call(tmp_path, monkeypatch):
    from tinytroupe import llm
    from tinytroupe.config import config_manager

    monkeypatch.chdir(tmp_path)
    ini(tmp_path, "[OpenAI]\nAPI_TYPE = scripted\nMAX_ATTEMPTS = 0\n")
    config_manager.reset()
    try:
        with pytest.raises(ConfigError, match="MAX_ATTEMPTS = '0'.*at least 1"):
            llm.default_model()
    finally:
        config_manager.reset()


@pytest.mark.parametrize("text,expected", [
    ("[OpenAI]\nTEMPERATURE = 99\n", "TEMPERATURE = '99'"),
    ("[OpenAI]\nCACHE_API_CALLS = maybe\n", "true or false"),
])
def test_the_cli_exits_2_naming_the_file(tmp_path, text, expected):
    from typer.testing import CliRunner

    from tinytroupe.cli.main import app
    from tinytroupe.config import config_manager

    path = ini(tmp_path, text)
    saved = config_manager._ini_path
    try:
        result = CliRunner().invoke(app, ["--config", str(path), "config", "show"], prog_name="tinytroupe")
    finally:
        config_manager._ini_path = saved
        config_manager.reset()
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr and expected in result.stderr
