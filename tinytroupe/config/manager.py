"""The layered configuration of a process: packaged defaults < ``./config.ini`` < environment
< :meth:`ConfigManager.update`, read lazily on first use, never at import.

``config_manager`` is the process-wide instance, under the name users of TinyTroupe know; a
:class:`~tinytroupe.runtime.Runtime` resolves its frozen settings from it. The
``@config_defaults(param="setting")`` decorator fills a parameter left at None from a setting.
"""

from __future__ import annotations

import configparser
import contextvars
import difflib
import functools
import inspect
import logging
import os
import threading
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from tinytroupe import log_setup
from tinytroupe.config.declarations import (
    _BY_NAME,
    _BY_SECTION_KEY,
    FREE_SECTIONS,
    SETTINGS,
    ConfigWarning,
    _canonical,
    _convert,
)
from tinytroupe.errors import ConfigError

__all__ = ["ConfigManager", "config_manager", "user_dir", "scoped_overrides", "PACKAGED_INI", "config_defaults"]

logger = logging.getLogger("tinytroupe")
F = TypeVar("F", bound=Callable[..., Any])


# Values that win over every other source in this context (a runtime's own settings, such as a
# scenario's [model]); set by :class:`tinytroupe.runtime.Runtime` while it is current.
_scoped: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "tinytroupe_scoped_settings", default=None)


def scoped_overrides() -> Mapping[str, Any] | None:
    """The settings that win over every source in this context (None outside a runtime that sets any)."""
    return _scoped.get()

PACKAGED_INI = Path(__file__).resolve().parent.parent / "config.ini"
"""The defaults file shipped in the package, read before ``./config.ini``; it repeats the
defaults declared in :data:`SETTINGS` (a test keeps the two in step)."""


@functools.lru_cache(maxsize=64)
def _read_free_section(path: str, mtime_ns: int, section: str) -> dict[str, str]:
    """The ``key = value`` lines of ``section`` in the INI file ``path`` as it was at ``mtime_ns``."""
    found: dict[str, str] = {}
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"))
    parser.optionxform = str  # keep the keys' case
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as an INI file ({exc}); fix its syntax.") from None
    for name in parser.sections():
        if name.lower() == section:
            found.update(parser.items(name))
    return found


class ConfigManager:
    """The settings of this process: ``config_manager.get("model")`` or ``config_manager.model``."""

    def __init__(self, ini_path: str | os.PathLike | None = None, *, use_environment: bool = True):
        self._lock = threading.RLock()
        self._ini_path = Path(ini_path) if ini_path is not None else None
        self._use_env = use_environment
        self._base: dict[str, Any] | None = None
        self._overrides: dict[str, Any] = {}
        self._sources: dict[str, str] = {}
        self._generation = 0

    # -- loading -------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        with self._lock:
            if self._base is None:
                values = {s.name: s.default for s in SETTINGS}
                sources = {s.name: "default" for s in SETTINGS}
                if PACKAGED_INI.is_file():  # the shipped defaults file, read first as in TinyTroupe
                    for name, value in self._read_ini(PACKAGED_INI).items():
                        values[name] = value
                        sources[name] = "default (packaged config.ini)"
                ini = self._ini_path if self._ini_path is not None else Path.cwd() / "config.ini"
                if ini.is_file():
                    for name, value in self._read_ini(ini).items():
                        values[name] = value
                        sources[name] = str(ini)
                elif self._ini_path is not None:
                    raise ConfigError(f"{ini}: config file not found; check the path given with --config.")
                if self._use_env:
                    for s in SETTINGS:
                        for env in s.env_names:
                            if os.environ.get(env, "") != "":
                                values[s.name] = _convert(s, os.environ[env], f"environment variable {env}")
                                sources[s.name] = f"env {env}"
                                break
                self._base, self._sources = values, sources
                log_setup.apply(self)
            return self._base

    @staticmethod
    def _read_ini(path: Path) -> dict[str, Any]:
        parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"))
        parser.optionxform = str  # keep the keys' case for messages
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot be read as an INI file ({exc}); fix its syntax.") from None
        values: dict[str, Any] = {}
        for section in parser.sections():
            if section.lower() in FREE_SECTIONS:
                continue  # read by their owners with free_section()
            for key, raw in parser.items(section):
                setting = _BY_SECTION_KEY.get((section.lower(), key.lower()))
                if setting is None:
                    _warn_unknown(path, section, key)
                    continue
                values[setting.name] = _convert(setting, raw, str(path))
        return values

    @property
    def generation(self) -> int:
        """A number that changes whenever a setting may have changed (update, reset, a new file)."""
        return self._generation

    def free_section(self, section: str) -> dict[str, str]:
        """The raw ``key = value`` lines of a free-form section (e.g. ``[Prices]``) of the
        packaged config.ini, then of the config file in use (which wins), keys as written."""
        with self._lock:
            ini = self._ini_path if self._ini_path is not None else Path.cwd() / "config.ini"
        items: dict[str, str] = {}
        for path in (PACKAGED_INI, ini):
            try:
                stamp = (str(path), path.stat().st_mtime_ns)
            except OSError:
                continue
            items.update(_read_free_section(*stamp, section.lower()))
        return items

    def load_file(self, path: str | os.PathLike) -> None:
        """Read settings from ``path`` instead of ``./config.ini`` (the CLI's ``--config``)."""
        with self._lock:
            self._ini_path = Path(path)
            self._base = None
            self._generation += 1
            self._load()

    # -- reading -------------------------------------------------------------------------
    def get(self, name: str, default: Any = None) -> Any:
        """The current value of setting ``name`` (lower-case name, e.g. ``"model"``)."""
        name = _canonical(name)
        scoped = _scoped.get()
        if scoped is not None and name in scoped:
            return scoped[name]
        with self._lock:
            if name in self._overrides:
                return self._overrides[name]
            base = self._load()
        return base.get(name, default)

    def layered(self, name: str) -> Any:
        """The value of ``name`` from the layers alone (defaults < files < env < update), ignoring
        a current runtime's own settings."""
        name = _canonical(name)
        with self._lock:
            if name in self._overrides:
                return self._overrides[name]
            return self._load().get(name)

    def __getitem__(self, name: str) -> Any:
        if _canonical(name) not in _BY_NAME:
            raise KeyError(name)
        return self.get(name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or _canonical(name) not in _BY_NAME:
            raise AttributeError(name)
        return self.get(name)

    def as_dict(self, *, redact: bool = True) -> dict[str, Any]:
        """All settings; secrets are shown as ``***`` and URLs without their credentials, unless
        ``redact=False``."""
        from tinytroupe.redaction import redact_url

        out = {}
        for s in SETTINGS:
            value = self.get(s.name)
            if redact and s.secret and value:
                value = "***"
            elif redact and s.url:
                value = redact_url(value)
            out[s.name] = value
        return out

    def layered_source(self, name: str) -> str:
        """Where :meth:`layered`'s value of ``name`` comes from."""
        name = _canonical(name)
        with self._lock:
            if name in self._overrides:
                return "update()"
            self._load()
            return self._sources.get(name, "default")

    def source_of(self, name: str) -> str:
        """Where the current value of ``name`` comes from (default, a file, env, update)."""
        name = _canonical(name)
        scoped = _scoped.get()
        if scoped is not None and name in scoped:
            return "runtime"
        with self._lock:
            if name in self._overrides:
                return "update()"
            self._load()
            return self._sources.get(name, "default")

    # -- changing ------------------------------------------------------------------------
    def update(self, name: str, value: Any, *, source: str = "config_manager.update") -> None:
        """Set ``name`` for this process, above files and the environment.

        ``source`` names where the value came from in error messages (e.g. the environment
        variable a command-line option fell back to).
        """
        setting = _BY_NAME.get(_canonical(name))
        if setting is None:
            raise ConfigError(
                f"{source}: unknown setting {name!r}; known settings: "
                + ", ".join(sorted(_BY_NAME))
            )
        converted = _convert(setting, value, source)
        with self._lock:
            self._overrides[setting.name] = converted
            self._generation += 1
        if setting.section == "Logging":
            log_setup.apply(self)

    def update_multiple(self, values: Mapping[str, Any]) -> None:
        """Several :meth:`update` calls at once; nothing changes if any value is bad."""
        converted = {}
        for name, value in values.items():
            setting = _BY_NAME.get(_canonical(name))
            if setting is None:
                raise ConfigError(f"config_manager.update_multiple: unknown setting {name!r}.")
            converted[setting.name] = _convert(setting, value, "config_manager.update_multiple")
        with self._lock:
            self._overrides.update(converted)
            self._generation += 1

    def reset(self) -> None:
        """Forget programmatic updates and re-read files and the environment on next use."""
        with self._lock:
            self._overrides.clear()
            self._base = None
            self._generation += 1

    def configure_logging(self) -> None:
        """Apply the [Logging] settings to the ``tinytroupe`` logger (see :mod:`tinytroupe.log_setup`)."""
        log_setup.apply(self, force=True)

    @staticmethod
    def config_defaults(**mappings: str) -> Any:
        """The ``@config_manager.config_defaults(param="setting")`` decorator of TinyTroupe
        (see :func:`config_defaults`)."""
        return config_defaults(**mappings)

    def log_config(self) -> None:
        """Write the settings (secrets redacted) to the log at INFO level."""
        for name, value in self.as_dict().items():
            logger.info("config %s = %r (%s)", name, value, self.source_of(name))


def _warn_unknown(path: Path, section: str, key: str) -> None:
    """Warn about an unknown key, pointing at its line and naming the closest known key."""
    known = [k for (sec, k) in _BY_SECTION_KEY if sec == section.lower()]
    close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.75)
    hint = f"; did you mean {close[0].upper()}?" if close else "; see the config.ini reference in README.md"
    if not known:
        hint = f"; [{section}] is not a section tinytroupe reads" + (
            "" if close else " (see the config.ini reference in README.md)")
    line, current = 0, ""
    try:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text = text.strip()
            if text.startswith("["):
                current = text.strip("[] ").lower()
            elif current == section.lower() and text.split("=")[0].split(":")[0].strip().lower() == key.lower():
                line = number
                break
    except (OSError, UnicodeDecodeError):
        pass
    message = f"{path}: unknown setting [{section}] {key} is ignored{hint}"
    warnings.warn_explicit(message, ConfigWarning, str(path), line)


def user_dir() -> Path:
    """The one directory where tinytroupe keeps user state; ``TINYTROUPE_HOME`` moves it."""
    return Path(os.environ.get("TINYTROUPE_HOME") or Path.home() / ".tinytroupe")


config_manager = ConfigManager()
log_setup.apply_at_import(Path.cwd() / "config.ini", [s for s in SETTINGS if s.section == "Logging"])


def _check_defaults(func: Callable[..., Any], mappings: dict[str, str], signature: inspect.Signature) -> None:
    known = {s.name for s in SETTINGS}
    for param, setting in mappings.items():
        if param not in signature.parameters:
            raise ConfigError(f"config_defaults on {func.__qualname__}: it has no parameter {param!r}.")
        if setting.lower() not in known:
            raise ConfigError(f"config_defaults on {func.__qualname__}: {setting!r} is not a setting; "
                              "see the config.ini reference in README.md.")


def config_defaults(**mappings: str) -> Callable[[F], F]:
    """Fill each parameter named in ``mappings`` from its setting when the caller leaves it None.

    ``@config_defaults(param="setting")``: a parameter left at None takes a setting's current value.

    The decorator users of TinyTroupe know (``@config_manager.config_defaults(...)`` there)::

        @config_defaults(max_content_length="max_content_display_length")
        def show(text, max_content_length=None): ...

    The value is read at each call, so ``config_manager.update`` is seen by later calls; an
    argument given explicitly (anything but None) wins. Works on plain and ``async`` functions and
    methods. A mapping that names an unknown setting or parameter is an error at decoration time.
    """

    def decorate(func: F) -> F:
        signature = inspect.signature(func)
        _check_defaults(func, mappings, signature)

        def filled(args: tuple, kwargs: dict) -> inspect.BoundArguments:
            bound = signature.bind(*args, **kwargs)
            for param, setting in mappings.items():
                if bound.arguments.get(param) is None:
                    bound.arguments[param] = config_manager.get(setting)
            return bound

        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                bound = filled(args, kwargs)
                return await func(*bound.args, **bound.kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = filled(args, kwargs)
            return func(*bound.args, **bound.kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
