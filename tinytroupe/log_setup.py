"""Where the ``tinytroupe`` logger writes: the [Logging] settings of config.ini, applied once.

- ``LOGLEVEL``: the level of the ``tinytroupe`` logger (``NONE`` leaves it as it is);
- ``LOGLEVEL_CONSOLE``: a handler on standard error at that level (``NONE`` or empty: none);
- ``LOGLEVEL_FILE``: a handler writing ``tinytroupe.<timestamp>.log`` in the working directory
  at that level (``NONE`` or empty: none);
- ``LOG_INCLUDE_THREAD_ID``: each line names its thread.

The library applies them when the configuration is first read, and only if one of these keys
was set (a config file, the environment or ``config_manager.update``): with the defaults,
logging is left to the application, as a library should. The CLI always applies them.
Handlers are the library's own, replaced on every apply, so applying twice adds nothing.
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

__all__ = ["apply", "LOGGING_SETTINGS", "log_file_path", "formatter"]

LOGGING_SETTINGS = ("loglevel", "loglevel_console", "loglevel_file", "log_include_thread_id")

_LOGGER = "tinytroupe"
_MARK = "_tinytroupe_target"
_lock = threading.Lock()
_file_path: Path | None = None


class _Settings(Protocol):
    def get(self, name: str, default: Any = None) -> Any: ...
    def source_of(self, name: str) -> str: ...


def _level(value: Any) -> int | None:
    """A logging level from ``"DEBUG"``...; None for ``NONE`` or empty."""
    text = str(value or "").strip().upper()
    if text in ("", "NONE"):
        return None
    return int(getattr(logging, text, logging.ERROR))


def formatter(include_thread_id: bool) -> logging.Formatter:
    """The line format: time, logger, level, (thread,) message."""
    thread = " [%(threadName)s %(thread)d]" if include_thread_id else ""
    return logging.Formatter(f"%(asctime)s - %(name)s - %(levelname)s{thread} - %(message)s")


def log_file_path() -> Path | None:
    """The log file this process writes, if LOGLEVEL_FILE asked for one."""
    return _file_path


def _user_set(config: _Settings) -> bool:
    return any(not config.source_of(name).startswith("default") for name in LOGGING_SETTINGS)


def _own_handler(logger: logging.Logger, target: str) -> logging.Handler | None:
    return next((h for h in logger.handlers if getattr(h, _MARK, None) == target), None)


def _console_handler(logger: logging.Logger) -> logging.Handler:
    handler = _own_handler(logger, "console")
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        setattr(handler, _MARK, "console")
        logger.addHandler(handler)
    return handler


def _file_handler(logger: logging.Logger) -> logging.Handler:
    global _file_path
    handler = _own_handler(logger, "file")
    if handler is None:
        stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
        _file_path = Path.cwd() / f"tinytroupe.{stamp}.log"
        handler = logging.FileHandler(_file_path, encoding="utf-8", delay=True)
        setattr(handler, _MARK, "file")
        logger.addHandler(handler)
    return handler


def _drop(logger: logging.Logger, target: str) -> None:
    handler = _own_handler(logger, target)
    if handler is not None:
        logger.removeHandler(handler)
        handler.close()


def apply(config: _Settings, *, force: bool = False) -> None:
    """Configure the ``tinytroupe`` logger from ``config`` (see the module docstring)."""
    if not force and not _user_set(config):
        return
    with _lock:
        logger = logging.getLogger(_LOGGER)
        base = _level(config.get("loglevel"))
        fmt = formatter(bool(config.get("log_include_thread_id")))
        levels = [lv for lv in (base,) if lv is not None]
        for target, name, make in (("console", "loglevel_console", _console_handler),
                                   ("file", "loglevel_file", _file_handler)):
            level = _level(config.get(name))
            if level is None:
                _drop(logger, target)
                continue
            handler = make(logger)
            handler.setLevel(level)
            handler.setFormatter(fmt)
            levels.append(level)
        if levels:
            # the logger passes on what its most verbose target wants; each handler filters for itself
            logger.setLevel(min(levels))
