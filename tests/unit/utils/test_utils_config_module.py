"""tinytroupe.utils.config in the original's shape: a cached parser, a clear error without the
packaged file, [Logging] from a parser, level setters, a file handler with its own lock."""

from __future__ import annotations

import configparser
import logging
from pathlib import Path

import pytest

from tinytroupe.config import config_manager
from tinytroupe.utils import config


@pytest.fixture(autouse=True)
def fresh_cache():
    config.forget_config_file()
    yield
    config.forget_config_file()


def test_assigning_the_module_variable_resets_or_replaces_the_cache(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config._config = "a parser set by hand"
    assert config.read_config_file(use_cache=True) == "a parser set by hand"
    config._config = None
    fresh = config.read_config_file(use_cache=True)
    assert isinstance(fresh, configparser.ConfigParser) and config._config is fresh


def test_the_parser_is_cached_until_asked_not_to(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = config.read_config_file()
    assert isinstance(first, configparser.ConfigParser) and config._config is first
    assert config.read_config_file(use_cache=True) is first
    (tmp_path / "config.ini").write_text("[OpenAI]\nMODEL=local-one\n")
    fresh = config.read_config_file(use_cache=False, verbose=True)
    assert fresh is not first and fresh["OpenAI"]["MODEL"] == "local-one"


def test_verbose_names_the_files_and_a_missing_default_is_explained(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.ini").write_text("[OpenAI]\nMODEL=x\n")
    config.read_config_file(use_cache=False, verbose=True)
    out = capsys.readouterr().out
    assert "Looking for default config" in out and "Found custom config" in out
    monkeypatch.setattr(Path, "exists", lambda self: False)
    with pytest.raises(ValueError, match="Failed to find default config"):
        config.read_config_file(use_cache=False)


def test_start_logger_reads_logging_from_a_parser():
    parser = configparser.ConfigParser()
    parser.read_string("[Logging]\nLOGLEVEL_CONSOLE = ERROR\n")
    try:
        config.start_logger(parser)
        assert config._console_handler is not None and config._console_handler.level == logging.ERROR
        assert config._file_handler is None and config._log_file_path is None
    finally:
        config_manager.configure_logging()


def test_level_setters_change_the_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = (config_manager.get("loglevel_console"), config_manager.get("loglevel_file"))
    try:
        config.set_console_loglevel("warning")
        config.set_file_loglevel(logging.ERROR)
        assert config_manager.get("loglevel_console") == "WARNING" and config._console_handler.level == logging.WARNING
        assert config._file_handler.level == logging.ERROR and config._log_file_path.parent == tmp_path
        with pytest.raises(ValueError, match="unknown log level"):
            config.set_console_loglevel("LOUD")
    finally:
        config_manager.update_multiple({"loglevel_console": before[0], "loglevel_file": before[1]})
        config_manager.configure_logging()


def test_thread_safe_file_handler_writes_under_its_lock(tmp_path):
    handler = config.ThreadSafeFileHandler(str(tmp_path / "x.log"), encoding="utf-8")
    assert type(handler._lock).__name__ == "lock"
    log = logging.getLogger("tinytroupe.test_handler")
    log.addHandler(handler)
    log.propagate = False
    log.error("written once")
    log.removeHandler(handler)
    handler.close()
    assert (tmp_path / "x.log").read_text().strip().endswith("written once")
