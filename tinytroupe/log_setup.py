"""Where the ``tinytroupe`` logger writes: the [Logging] settings of config.ini, applied once.

- ``LOGLEVEL``: the level of the ``tinytroupe`` logger (``NONE`` leaves it as it is);
- ``LOGLEVEL_CONSOLE``: a handler on standard error at that level (``NONE`` or empty: none);
- ``LOGLEVEL_FILE``: a handler writing ``tinytroupe.<timestamp>.log`` in the working directory
  at that level (``NONE`` or empty: none);
- ``LOG_INCLUDE_THREAD_ID``: each line names its thread.

The library applies them when ``tinytroupe`` is imported (from ``./config.ini``'s [Logging]
section and the environment, read alone: :func:`apply_at_import`), so no early record is lost;
again when the configuration is loaded and when ``config_manager.update`` changes one; each
time only if one of these keys was set: with the defaults, logging is left to the application,
as a library should. The CLI always applies them.
Handlers are the library's own, replaced on every apply, so applying twice adds nothing.

Logging is process-wide by nature (one ``logging`` tree, one standard error), so what the
library remembers about it lives in one holder, :data:`_state`: the log file it opened, the
parser and handlers ``tinytroupe.utils.config`` shows, and the keys of the warnings given once
per process (:func:`first_time`).
"""

from __future__ import annotations

import configparser
import logging
import os
import sys
import threading
import weakref
from collections.abc import Hashable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

__all__ = ["apply", "apply_at_import", "LOGGING_SETTINGS", "log_file_path", "formatter", "first_time",
           "first_time_for", "forget_warnings", "remember", "remembered"]

LOGGING_SETTINGS = ("loglevel", "loglevel_console", "loglevel_file", "log_include_thread_id")

_LOGGER = "tinytroupe"
_MARK = "_tinytroupe_target"
_lock = threading.RLock()


class _LoggingState:
    """What the library remembers about this process's logging and warnings."""

    def __init__(self) -> None:
        self.file_path: Path | None = None  # the log file LOGLEVEL_FILE opened
        self.noted: dict[str, Any] = {}  # values shown by tinytroupe.utils.config (_config, handlers)
        self.warned: set[Hashable] = set()  # keys of warnings given once per process
        self.warned_objects: weakref.WeakSet[Any] = weakref.WeakSet()  # objects warned about once


_state = _LoggingState()


def first_time(key: Hashable) -> bool:
    """True the first time ``key`` is given in this process (for warnings given once)."""
    with _lock:
        if key in _state.warned:
            return False
        _state.warned.add(key)
        return True


def first_time_for(obj: Any) -> bool:
    """True the first time ``obj`` is given (held weakly; by identity if it cannot be)."""
    with _lock:
        try:
            if obj in _state.warned_objects:
                return False
            _state.warned_objects.add(obj)
            return True
        except TypeError:  # not weak-referenceable
            return first_time(("object", id(obj)))


def forget_warnings() -> None:
    """Give every warn-once warning again (tests)."""
    with _lock:
        _state.warned.clear()
        _state.warned_objects.clear()


def remember(name: str, value: Any) -> None:
    """Keep ``value`` under ``name`` for :func:`remembered` (``tinytroupe.utils.config``'s records)."""
    with _lock:
        _state.noted[name] = value


def remembered(name: str, default: Any = None) -> Any:
    """What :func:`remember` kept under ``name``."""
    return _state.noted.get(name, default)


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
    return _state.file_path


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
    handler = _own_handler(logger, "file")
    if handler is None:
        stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
        _state.file_path = path = Path.cwd() / f"tinytroupe.{stamp}.log"
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
        setattr(handler, _MARK, "file")
        logger.addHandler(handler)
    return handler


def _drop(logger: logging.Logger, target: str) -> None:
    handler = _own_handler(logger, target)
    if handler is not None:
        logger.removeHandler(handler)
        handler.close()


def _read(config: _Settings) -> tuple[int | None, bool, dict[str, int | None]]:
    """The [Logging] values, read before any lock is taken: reading may load the configuration,
    and loading it applies these settings (a nested :func:`apply`)."""
    targets = {target: _level(config.get(name))
               for target, name in (("console", "loglevel_console"), ("file", "loglevel_file"))}
    return _level(config.get("loglevel")), bool(config.get("log_include_thread_id")), targets


def apply(config: _Settings, *, force: bool = False) -> None:
    """Configure the ``tinytroupe`` logger from ``config`` (see the module docstring)."""
    if not force and not _user_set(config):
        return
    base, thread_id, targets = _read(config)
    with _lock:
        logger = logging.getLogger(_LOGGER)
        fmt = formatter(thread_id)
        levels = [lv for lv in (base,) if lv is not None]
        for target, make in (("console", _console_handler), ("file", _file_handler)):
            level = targets[target]
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


class _Declared(Protocol):
    name: str
    key: str
    default: Any

    @property
    def env_names(self) -> tuple[str, ...]: ...


class _EarlyView:
    """The [Logging] settings alone, as :func:`apply` reads them."""

    def __init__(self, values: dict[str, Any], sources: dict[str, str]):
        self._values, self._sources = values, sources

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def source_of(self, name: str) -> str:
        return self._sources.get(name, "default")


def apply_at_import(ini_path: Path, settings: Iterable[_Declared]) -> None:
    """Apply the [Logging] section of ``ini_path`` and the environment before the rest of the
    configuration is read; a file that cannot be read is left for the full load to report."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    section: dict[str, str] = {}
    if ini_path.is_file():
        parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"))
        try:
            parser.read(ini_path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError, OSError):
            return
        for name in parser.sections():
            if name.lower() == "logging":
                section.update({k.lower(): v for k, v in parser.items(name)})
    for setting in settings:
        values[setting.name], sources[setting.name] = setting.default, "default"
        if setting.key.lower() in section:
            values[setting.name], sources[setting.name] = section[setting.key.lower()], str(ini_path)
        for env in setting.env_names:
            if os.environ.get(env, "") != "":
                values[setting.name], sources[setting.name] = os.environ[env], f"env {env}"
                break
    flag = str(values.get("log_include_thread_id", "")).strip().lower()
    values["log_include_thread_id"] = flag in ("1", "true", "yes", "on")
    apply(_EarlyView(values, sources))
