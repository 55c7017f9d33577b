"""Config-file and logging helpers under the original's path ``tinytroupe.utils.config``.

The values in use are :data:`tinytroupe.config.config_manager`'s; these helpers read the
config.ini files as a :class:`configparser.ConfigParser`, print them, and set log levels.
"""

from __future__ import annotations

import configparser
import logging
import threading

from tinytroupe.utils.misc import read_config_file, start_logger

__all__ = ["read_config_file", "start_logger", "pretty_print_config", "set_loglevel", "ThreadSafeFileHandler"]


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
        self._write_lock = threading.RLock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._write_lock:
            super().emit(record)

    def close(self) -> None:
        with self._write_lock:
            super().close()
