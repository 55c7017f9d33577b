"""Config-file and logging helpers under the original's path ``tinytroupe.utils.config``.

The values in use are :data:`tinytroupe.config.config_manager`'s; these helpers read the
config.ini files as a :class:`configparser.ConfigParser` (cached, and shown as ``_config``, as
the original does), print them, and set log levels. ``_console_handler``, ``_file_handler`` and
``_log_file_path`` show the handlers of the ``tinytroupe`` logger after the last change made here.
These records are kept with the rest of the process's logging state (:mod:`tinytroupe.log_setup`).
"""

from __future__ import annotations

import configparser
import logging
import sys
import threading
import types
from pathlib import Path
from typing import Any

from tinytroupe import log_setup

__all__ = ["read_config_file", "start_logger", "pretty_print_config", "set_loglevel", "set_console_loglevel",
           "set_file_loglevel", "ThreadSafeFileHandler"]

_RECORDS = ("_config", "_log_file_path", "_console_handler", "_file_handler")  # the original's module variables
_LOGGING_KEYS = {"loglevel": "LOGLEVEL", "loglevel_console": "LOGLEVEL_CONSOLE", "loglevel_file": "LOGLEVEL_FILE",
                 "log_include_thread_id": "LOG_INCLUDE_THREAD_ID"}


def read_config_file(use_cache: bool = True, verbose: bool = False) -> Any:
    """The config.ini files as TinyTroupe reads them: the packaged defaults, then ``./config.ini``
    over them, as a :class:`configparser.ConfigParser` (the values in use are ``config_manager``'s).
    With ``use_cache`` the parser read first (shown as ``_config``) is returned again."""
    cached = log_setup.remembered("_config")
    if use_cache and cached is not None:
        return cached
    default = Path(__file__).parent.parent / "config.ini"
    if verbose:
        print(f"Looking for default config in: {default}")
    if not default.exists():
        raise ValueError(f"Failed to find default config in {default}: reinstall tinytroupe (the package "
                         "ships its config.ini)")
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"))
    parser.read(default, encoding="utf-8")
    custom = Path.cwd() / "config.ini"
    if custom.exists():
        if verbose:
            print(f"Found custom config in: {custom}")
        parser.read(custom, encoding="utf-8")
    log_setup.remember("_config", parser)
    return parser


def forget_config_file() -> None:
    """Read the config.ini files again on the next :func:`read_config_file` (``_config`` becomes None)."""
    log_setup.remember("_config", None)


def __getattr__(name: str) -> Any:
    if name in _RECORDS:  # the original's module variables, read from the logging state
        return log_setup.remembered(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _ConfigModule(types.ModuleType):
    """This module, where assigning one of the original's variables (``config._config = None``,
    as its scripts do to reset the cache) changes the logging state that the helpers read."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _RECORDS:
            log_setup.remember(name, value)
        else:
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _ConfigModule


class _ParserSettings:
    """The [Logging] section of a ConfigParser, read the way the logging set-up reads settings."""

    def __init__(self, parser: Any):
        self.parser = parser

    def get(self, name: str, default: Any = None) -> Any:
        key = _LOGGING_KEYS.get(name)
        if key is None or not self.parser.has_option("Logging", key):
            return default
        value = self.parser.get("Logging", key)
        return value.strip().lower() in ("true", "yes", "1") if name == "log_include_thread_id" else value

    def source_of(self, name: str) -> str:
        return "config file"


def _note_handlers() -> None:
    targets = {getattr(h, "_tinytroupe_target", None): h for h in logging.getLogger("tinytroupe").handlers}
    log_setup.remember("_console_handler", targets.get("console"))
    log_setup.remember("_file_handler", targets.get("file"))
    log_setup.remember("_log_file_path", log_setup.log_file_path() if targets.get("file") is not None else None)


_start_lock = threading.Lock()


def start_logger(config: Any = None) -> None:
    """Apply [Logging] (LOGLEVEL, LOGLEVEL_CONSOLE, LOGLEVEL_FILE...) to the ``tinytroupe`` logger:
    from ``config`` (a ConfigParser) when given, else from the settings in effect."""
    with _start_lock:
        if isinstance(config, configparser.ConfigParser) and config.has_section("Logging"):
            log_setup.apply(_ParserSettings(config), force=True)
        else:
            from tinytroupe.config import config_manager

            config_manager.configure_logging()
        _note_handlers()


def _set_target_level(name: str, level: str | int) -> None:
    from tinytroupe.config import config_manager

    value = logging.getLevelName(level) if isinstance(level, int) else str(level).upper()
    if not isinstance(logging.getLevelName(value), int):
        raise ValueError(f"unknown log level {level!r}: use DEBUG, INFO, WARNING, ERROR or CRITICAL")
    with _start_lock:
        config_manager.update(name, value)
        config_manager.configure_logging()
        _note_handlers()


def set_console_loglevel(level: str | int) -> None:
    """Set LOGLEVEL_CONSOLE (the level of the console handler) for the rest of the process."""
    _set_target_level("loglevel_console", level)


def set_file_loglevel(level: str | int) -> None:
    """Set LOGLEVEL_FILE (the level of the log file, written in the working folder) for the rest of the process."""
    _set_target_level("loglevel_file", level)


def pretty_print_config(config: configparser.ConfigParser | None = None) -> None:
    """Print every section and key of ``config`` (default: the config.ini files in effect)."""
    parser = config if config is not None else read_config_file()
    print("\nCurrent TinyTroupe configuration\n")
    for section in parser.sections():
        print(f"[{section}]")
        for key, value in parser.items(section):
            print(f"{key} = {value}")
        print()


def set_loglevel(log_level: int | str) -> None:
    """Set the level of the ``tinytroupe`` logger and its handlers (``"DEBUG"``, ``logging.INFO``...)."""
    level = logging.getLevelName(log_level.upper()) if isinstance(log_level, str) else log_level
    if not isinstance(level, int):
        raise ValueError(f"unknown log level {log_level!r}: use DEBUG, INFO, WARNING, ERROR or CRITICAL")
    logger = logging.getLogger("tinytroupe")
    logger.setLevel(level)
    for handler in logger.handlers:
        handler.setLevel(level)


class ThreadSafeFileHandler(logging.FileHandler):
    """A log file handler whose writes from several threads never interleave."""

    def __init__(self, filename: str, mode: str = "a", encoding: str | None = "utf-8", delay: bool = False) -> None:
        super().__init__(filename, mode=mode, encoding=encoding, delay=delay)
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock:
            super().emit(record)

    def close(self) -> None:
        with self._lock:
            super().close()
