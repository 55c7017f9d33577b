"""[Logging] settings: applied without hanging, and as soon as the configuration is loaded."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tinytroupe import log_setup
from tinytroupe.config import SETTINGS, ConfigManager

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "examples" / "scenarios" / "focus_group.toml"
LOGGING_INI = "[Logging]\nLOGLEVEL = ERROR\nLOGLEVEL_CONSOLE = WARNING\n"


def _cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TINYTROUPE_")}
    environ.update({"PYTHONPATH": str(ROOT), "TINYTROUPE_HOME": str(tmp_path / "home"),
                    "TINYTROUPE_DISPLAY": "off", "TINYTROUPE_EMBEDDING_MODEL": "lexical", **(env or {})})
    return subprocess.run([sys.executable, "-m", "tinytroupe.cli", *args], cwd=tmp_path, env=environ,
                          capture_output=True, text=True, timeout=90)


@pytest.fixture(autouse=True)
def _restore_logger():
    logger = logging.getLogger("tinytroupe")
    level, handlers = logger.level, list(logger.handlers)
    yield
    for handler in list(logger.handlers):
        if handler not in handlers:
            logger.removeHandler(handler)
            handler.close()
    logger.setLevel(level)


def test_config_show_with_a_logging_section_does_not_hang(tmp_path):
    (tmp_path / "config.ini").write_text(LOGGING_INI)
    result = _cli(tmp_path, "config", "show")
    assert result.returncode == 0, result.stderr
    assert "loglevel" in result.stdout.lower()


def test_config_show_with_a_logging_variable_does_not_hang(tmp_path):
    result = _cli(tmp_path, "config", "show", env={"TINYTROUPE_LOGLEVEL_FILE": "DEBUG"})
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not SCENARIO.is_file(), reason="the shipped focus group scenario is not in this checkout")
def test_debug_run_of_a_shipped_scenario_with_a_logging_section(tmp_path):
    (tmp_path / "config.ini").write_text(LOGGING_INI)
    result = _cli(tmp_path, "--debug", "--model", "scripted", "run", str(SCENARIO), "--out", "out")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "out").is_dir()


def test_a_first_load_inside_a_forced_apply_does_not_deadlock(tmp_path):
    """configure_logging() on a configuration not yet loaded: the load applies logging itself."""
    ini = tmp_path / "config.ini"
    ini.write_text("[Logging]\nLOGLEVEL = INFO\n")
    config = ConfigManager(ini)
    config.configure_logging()  # hung before: apply held its lock while the load called apply again
    assert logging.getLogger("tinytroupe").level == logging.INFO


def test_logging_section_applies_at_import_before_any_setting_is_read(tmp_path):
    ini = tmp_path / "config.ini"
    ini.write_text("[Logging]\nLOGLEVEL = DEBUG\nLOGLEVEL_CONSOLE = INFO\n")
    log_setup.apply_at_import(ini, [s for s in SETTINGS if s.section == "Logging"])
    logger = logging.getLogger("tinytroupe")
    assert logger.level == logging.DEBUG
    assert any(getattr(h, "_tinytroupe_target", None) == "console" and h.level == logging.INFO
               for h in logger.handlers)


def test_logging_is_configured_when_the_package_config_is_imported(tmp_path):
    (tmp_path / "config.ini").write_text("[Logging]\nLOGLEVEL = DEBUG\n")
    code = "import logging, tinytroupe.config; print(logging.getLogger('tinytroupe').level)"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TINYTROUPE_")}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={**environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == str(logging.DEBUG), out.stderr
