"""Resolved settings: one frozen value per runtime, and the request-level part of it.

:class:`Settings` is every setting's value (and where it came from), resolved once from the
layered configuration (packaged defaults < ``config.ini`` < environment < ``update()``) plus a
runtime's own values (a scenario's ``[model]``, ``Runtime(settings={...})``), each validated
like a config.ini line. :class:`RequestSettings` is what a model request carries: the
settings declared ``request_level`` (sent on the wire), and the bounds of a call (timeout,
attempts, structured-output mode). A request-level setting left at its declared default is
``None`` here, so the provider's own default applies; one set anywhere is sent on every
request it applies to (see :class:`tinytroupe.llm.wrappers.defaults.RequestDefaults`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from tinytroupe.config.declarations import SETTINGS, _canonical, _convert, setting_named
from tinytroupe.config.manager import ConfigManager, config_manager
from tinytroupe.errors import ConfigError

__all__ = ["Settings", "RequestSettings", "REQUEST_LEVEL", "DEFAULT_SOURCES"]

REQUEST_LEVEL: tuple[str, ...] = tuple(s.name for s in SETTINGS if s.request_level)
"""The names of the settings sent on model requests (declared with ``request_level=True``)."""

DEFAULT_SOURCES = frozenset({"default", "default (packaged config.ini)"})


@dataclass(frozen=True)
class RequestSettings:
    """What every model request carries; a None field is left to the provider's default.

    ``max_attempts`` bounds the retry wrapper (transient errors, one provider call each);
    ``structured_attempts`` bounds the replies asked for one structured answer (the first
    and its repairs); one structured answer makes at most their product of provider calls.
    """

    model: str = ""
    temperature: float | None = None
    top_p: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    max_tokens: int | None = None
    reasoning_effort: str | None = None
    seed: int | None = None
    timeout: float = 120.0
    max_attempts: int = 5
    structured_attempts: int = 5
    structured_output_mode: str = "auto"

    def sampling(self) -> dict[str, Any]:
        """The request fields this value fills when a request leaves them unset (None omitted)."""
        names = ("temperature", "top_p", "frequency_penalty", "presence_penalty", "max_tokens",
                 "reasoning_effort", "seed")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}


# setting name -> RequestSettings field, for the settings sent on the wire
_REQUEST_FIELD = {"temperature": "temperature", "top_p": "top_p", "freq_penalty": "frequency_penalty",
                  "presence_penalty": "presence_penalty", "max_completion_tokens": "max_tokens",
                  "reasoning_effort": "reasoning_effort", "seed": "seed"}


class Settings(Mapping[str, Any]):
    """Every setting's value, frozen; ``settings["temperature"]``, ``settings.request``."""

    def __init__(self, values: Mapping[str, Any], sources: Mapping[str, str]):
        self._values = MappingProxyType(dict(values))
        self._sources = MappingProxyType(dict(sources))
        self.request = self._request()

    # -- building ------------------------------------------------------------------------
    @classmethod
    def resolve(cls, own: Mapping[str, Any] | None = None, *, config: ConfigManager | None = None,
                source: str = "runtime") -> Settings:
        """The layered configuration's values, with ``own`` (validated) on top."""
        config = config if config is not None else config_manager
        values = {s.name: config.layered(s.name) for s in SETTINGS}
        sources = {s.name: config.layered_source(s.name) for s in SETTINGS}
        for name, value in validate(own or {}, source).items():
            values[name], sources[name] = value, source
        return cls(values, sources)

    def with_changes(self, changes: Mapping[str, Any], source: str = "runtime") -> Settings:
        """A copy with ``changes`` (validated) on top."""
        values, sources = dict(self._values), dict(self._sources)
        for name, value in validate(changes, source).items():
            values[name], sources[name] = value, source
        return Settings(values, sources)

    def _request(self) -> RequestSettings:
        sent = {field: self._values[name] for name, field in _REQUEST_FIELD.items() if self.is_set(name)}
        if sent.get("seed") == 0:
            sent.pop("seed")  # SEED = 0 means no seed
        max_attempts = int(self._values["max_attempts"])
        return RequestSettings(
            model=str(self._values["model"]), timeout=float(self._values["timeout"]), max_attempts=max_attempts,
            structured_attempts=int(self._values["structured_output_attempts"] or max_attempts),
            structured_output_mode=str(self._values["structured_output_mode"]), **sent)

    # -- reading -------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Any:
        try:
            return self._values[_canonical(name)]
        except KeyError:
            raise KeyError(name) from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def source_of(self, name: str) -> str:
        """Where the value of ``name`` came from (default, a file, env, update(), runtime...)."""
        return self._sources[_canonical(name)]

    def is_set(self, name: str) -> bool:
        """Whether ``name`` was given anywhere (not left at its declared default)."""
        return self._sources[_canonical(name)] not in DEFAULT_SOURCES

    def __repr__(self) -> str:
        changed = {n: v for n, v in self._values.items() if self.is_set(n) and not setting_named(n).secret}
        return f"Settings({changed!r})"


def validate(values: Mapping[str, Any], source: str) -> dict[str, Any]:
    """``values`` converted and checked like config.ini lines; errors name ``source`` and the setting."""
    out: dict[str, Any] = {}
    known = {s.name for s in SETTINGS}
    for name, value in values.items():
        canonical = _canonical(name)
        if canonical not in known:
            raise ConfigError(f"{source}: unknown setting {name!r}; known settings: {', '.join(sorted(known))}")
        out[canonical] = _convert(setting_named(canonical), value, source)
    return out

