"""Configuration: defaults, config.ini, environment, update(), and errors that say where."""

from __future__ import annotations

import pytest

from tinytroupe.config import SETTINGS, ConfigManager
from tinytroupe.errors import ConfigError


def write_ini(tmp_path, text):
    path = tmp_path / "config.ini"
    path.write_text(text)
    return path


def test_defaults_declared_once_and_waiting_time_zero(tmp_path):
    cm = ConfigManager(use_environment=False)
    assert cm.get("waiting_time") == 0.0
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)


def test_precedence_default_ini_env_update(tmp_path, monkeypatch):
    write_ini(tmp_path, "[OpenAI]\nMODEL=from-ini\nTEMPERATURE=0.5\n")
    cm = ConfigManager()
    assert cm.model == "from-ini"
    assert cm.source_of("model").endswith("config.ini")
    monkeypatch.setenv("TINYTROUPE_MODEL", "from-env")
    cm.reset()
    assert cm.model == "from-env"
    cm.update("model", "from-update")
    assert cm.model == "from-update"
    assert cm.temperature == 0.5
    cm.reset()
    assert cm.model == "from-env"


def test_original_keys_and_sections(tmp_path):
    write_ini(tmp_path, "[OpenAI]\nMAX_TOKENS=100\nCACHE_API_CALLS=True\n"
                        "[ActionGenerator]\nMAX_ATTEMPTS=4\n[Logging]\nLOGLEVEL=debug\n")
    cm = ConfigManager()
    assert cm.max_completion_tokens == 100
    assert cm.cache_api_calls is True
    assert cm.action_generator_max_attempts == 4
    assert cm.max_attempts == 5
    assert cm.loglevel == "DEBUG"


def test_openai_env_names(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    cm = ConfigManager()
    assert cm.api_key == "sk-test"
    assert cm.base_url == "http://127.0.0.1:9/v1"
    assert cm.as_dict()["api_key"] == "***"


def test_bad_value_names_file_section_key_and_choices(tmp_path):
    path = write_ini(tmp_path, "[OpenAI]\nAPI_TYPE=bogus\n")
    with pytest.raises(ConfigError) as err:
        ConfigManager().get("api_type")
    msg = str(err.value)
    assert str(path) in msg and "[OpenAI] API_TYPE" in msg and "openai" in msg and "local" in msg


def test_bad_number(tmp_path):
    write_ini(tmp_path, "[Cognition]\nEPISODIC_MEMORY_LOOKBACK_LENGTH=lots\n")
    with pytest.raises(ConfigError, match="EPISODIC_MEMORY_LOOKBACK_LENGTH.*whole number"):
        ConfigManager().get("model")


def test_unknown_key_warns(tmp_path):
    write_ini(tmp_path, "[OpenAI]\nMODLE=x\n")
    with pytest.warns(UserWarning, match="MODLE"):
        ConfigManager().get("model")


def test_update_rejects_unknown_and_bad(tmp_path):
    cm = ConfigManager(use_environment=False)
    with pytest.raises(ConfigError, match="unknown setting"):
        cm.update("modle", "x")
    with pytest.raises(ConfigError, match="TEMPERATURE"):
        cm.update("temperature", "hot")
    with pytest.raises(ConfigError):
        cm.update_multiple({"model": "ok", "timeout": "never"})
    assert cm.model != "ok"  # nothing changed


def test_missing_explicit_file(tmp_path):
    cm = ConfigManager()
    with pytest.raises(ConfigError, match="not found"):
        cm.load_file(tmp_path / "nope.ini")
