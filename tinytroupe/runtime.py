"""The runtime: resolved settings and the state of a simulation, in one object per run.

A :class:`Runtime` owns the resolved :class:`~tinytroupe.config.snapshot.Settings`, the registries of
agents, worlds and factories, and the parts the layers above put in it (the default model and
embedder, the call caches, the budget, the usage tally, the structured-output modes learnt per
endpoint, the event bus, the running simulation, the display switch, the default judge, the
original's client objects and ``fresh_id`` counters: see :meth:`Runtime.part`). A context
variable selects the current one; plain scripts get a default runtime, so the original's
global style keeps working::

    with Runtime({"model": "gpt-4.1", "temperature": 0.3, "max_calls_per_run": 40}) as rt:
        world.run(3)              # every request carries temperature 0.3; rt's budget and usage

Two runtimes can be current at the same time in different asyncio tasks or threads; they share
nothing. :meth:`Runtime.describe` gives a runtime as plain JSON data and
:meth:`Runtime.from_description` rebuilds it in another process. Inside a runtime,
``config_manager.get`` answers the runtime's own settings first.
"""

from __future__ import annotations

import contextvars
import itertools
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from tinytroupe.config import SETTINGS, config_manager, setting_named
from tinytroupe.config import manager as _config
from tinytroupe.config.snapshot import Settings, validate
from tinytroupe.errors import ConfigError

__all__ = ["Runtime", "current_runtime", "default_runtime", "RegistryView", "DESCRIPTION_FORMAT"]

DESCRIPTION_FORMAT = "tinytroupe-runtime"
DESCRIPTION_VERSION = 1
SHARED_WITH_PARENT = frozenset({
    "llm.budget", "llm.usage", "llm.caches", "llm.endpoint_modes",
    # the state of the run: event bus, running simulation, display switch, judge, clients, counters
    "events.bus", "control.scope", "transactions.handler", "display.requested", "ui.console",
    "judge.default", "clients.instances", "clients.baselines", "utils.counters", "agent.last_event",
})
"""Parts a derived runtime (:meth:`Runtime.derive`) shares with its parent (all but its model)."""

_current: contextvars.ContextVar[Runtime | None] = contextvars.ContextVar("tinytroupe_runtime", default=None)
_entered: contextvars.ContextVar[tuple[tuple[contextvars.Token, contextvars.Token], ...]] = (
    contextvars.ContextVar("tinytroupe_runtime_entered", default=()))
_numbers = itertools.count(1)


class Runtime:
    """Settings, registries and parts of one simulation context (see the module docstring).

    ``settings``: a :class:`Settings` (used as it is, frozen), or a mapping of setting names to
    values put on top of the layered configuration (validated like config.ini lines; settings
    it does not name follow later ``config_manager.update`` calls).
    """

    def __init__(self, settings: Settings | Mapping[str, Any] | None = None, *, name: str | None = None,
                 parent: Runtime | None = None):
        self.name = name or f"runtime-{next(_numbers)}"
        self.parent = parent
        self._frozen = settings if isinstance(settings, Settings) else None
        self.own: dict[str, Any] = {} if isinstance(settings, Settings) else validate(
            settings or {}, f"Runtime {self.name!r} settings")
        self._resolved: tuple[int, Settings] | None = None
        self._lock = threading.RLock()
        self._parts: dict[str, Any] = {}
        # the registries (name -> object); a derived runtime shares its parent's
        self.agents: dict[str, Any] = parent.agents if parent else {}
        self.worlds: dict[str, Any] = parent.worlds if parent else {}
        self.world_ids: weakref.WeakValueDictionary[str, Any] = (
            parent.world_ids if parent else weakref.WeakValueDictionary())  # id -> live world
        self.factories: dict[str, Any] = parent.factories if parent else {}

    def __repr__(self) -> str:
        return f"Runtime({self.name!r})"

    # -- settings ------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        """The resolved settings (re-resolved only after the layered configuration changed)."""
        if self._frozen is not None:
            return self._frozen
        generation = config_manager.generation
        resolved = self._resolved
        if resolved is None or resolved[0] != generation:
            base = self.parent.settings if self.parent is not None else None
            settings = (base.with_changes(self.own) if base is not None
                        else Settings.resolve(self.own, source=f"runtime {self.name}"))
            with self._lock:
                self._resolved = resolved = (generation, settings)
        return resolved[1]

    def derive(self, settings: Mapping[str, Any], *, name: str | None = None) -> Runtime:
        """A child runtime with ``settings`` on top of this one's; it shares this runtime's
        registries, budget, usage, caches and endpoint modes, and builds its own model."""
        return Runtime(settings, name=name or f"{self.name}/child", parent=self)

    # -- parts ---------------------------------------------------------------------------
    def part(self, key: str, make: Callable[[], Any] | None = None) -> Any:
        """The part stored under ``key`` (``"llm.usage"``...), made with ``make()`` on first use
        (None when absent and no ``make``). Parts in :data:`SHARED_WITH_PARENT` are the parent's."""
        if self.parent is not None and key in SHARED_WITH_PARENT:
            return self.parent.part(key, make)
        found = self._parts.get(key)  # read without the lock: parts are only ever replaced whole
        if found is not None or make is None:
            return found
        with self._lock:
            found = self._parts.get(key)
            if found is None:
                found = self._parts[key] = make()
            return found

    def set_part(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` (None removes it)."""
        if self.parent is not None and key in SHARED_WITH_PARENT:
            self.parent.set_part(key, value)
            return
        with self._lock:
            if value is None:
                self._parts.pop(key, None)
            else:
                self._parts[key] = value

    def inherited(self, key: str) -> Any:
        """The part ``key`` of this runtime, else of the nearest parent that has it."""
        runtime: Runtime | None = self
        while runtime is not None:
            found = runtime._parts.get(key)
            if found is not None:
                return found
            runtime = runtime.parent
        return None

    # -- being current -------------------------------------------------------------------
    def __enter__(self) -> Runtime:
        scoped = dict(self.settings) if self._frozen is not None else self._all_own()
        tokens = (_current.set(self), _config._scoped.set(scoped or None))
        _entered.set((*_entered.get(), tokens))
        return self

    def __exit__(self, *exc: object) -> None:
        stack = _entered.get()
        if not stack:
            return
        runtime_token, scoped_token = stack[-1]
        _entered.set(stack[:-1])
        _config._scoped.reset(scoped_token)
        _current.reset(runtime_token)

    def _all_own(self) -> dict[str, Any]:
        own = self.parent._all_own() if self.parent is not None else {}
        return {**own, **self.own}

    # -- plain data ----------------------------------------------------------------------
    def describe(self, *, include_secrets: bool = False) -> dict[str, Any]:
        """This runtime as JSON-able data: its name and every resolved setting.

        Secrets (API keys) are left out unless ``include_secrets``: the process that rebuilds
        the runtime takes them from its own environment or config.ini. The cache file is
        given as an absolute path, so a process in another directory uses the same file.
        """
        settings = self.settings
        values: dict[str, Any] = {}
        for s in SETTINGS:
            value = settings[s.name]
            if s.secret and not include_secrets:
                continue
            if s.name == "cache_file_name" and value:
                value = str((Path.cwd() / Path(str(value)).expanduser()).resolve())
            values[s.name] = value
        secrets = [s.name for s in SETTINGS if s.secret and not include_secrets]
        given = sorted(n for n in values if settings.is_set(n))
        return {"format": DESCRIPTION_FORMAT, "version": DESCRIPTION_VERSION, "name": self.name,
                "settings": values, "given": given, "secrets_from_environment": secrets}

    @classmethod
    def from_description(cls, data: Mapping[str, Any]) -> Runtime:
        """The runtime :meth:`describe` gave (settings frozen; secrets from this process's config)."""
        if not isinstance(data, Mapping) or data.get("format") != DESCRIPTION_FORMAT:
            raise ConfigError("Runtime.from_description: not a runtime description (its 'format' must be "
                              f"{DESCRIPTION_FORMAT!r}); give what Runtime.describe() returned")
        if data.get("version") != DESCRIPTION_VERSION:
            raise ConfigError(f"Runtime.from_description: version {data.get('version')!r} is not readable here "
                              f"(this tinytroupe reads version {DESCRIPTION_VERSION})")
        values = validate(data.get("settings") or {}, "Runtime.from_description")
        given = set(data.get("given") or ())
        sources = {n: "runtime description" if n in given else "default" for n in values}
        for name in data.get("secrets_from_environment") or ():  # this process's own keys
            values[name], sources[name] = config_manager.layered(name), config_manager.layered_source(name)
        missing = [s.name for s in SETTINGS if s.name not in values]
        for name in missing:  # a description from an older tinytroupe: the declared defaults
            values[name], sources[name] = setting_named(name).default, "default"
        name = str(data.get("name") or "") or None
        return cls(Settings(values, sources), name=name)

    def close(self) -> None:
        """Close the call caches this runtime opened (its other parts need no closing)."""
        caches = self._parts.get("llm.caches") or {}
        for cache in list(caches.values()):
            cache.close()
        caches.clear()


_default_lock = threading.Lock()
_default: Runtime | None = None


def default_runtime() -> Runtime:
    """The runtime of code that never chose one (plain scripts); made on first use."""
    global _default
    found = _default
    if found is not None:
        return found
    with _default_lock:
        if _default is None:
            _default = Runtime(name="default")
        return _default


def current_runtime() -> Runtime:
    """The runtime of this context: the innermost ``with runtime:``, else the default one."""
    found = _current.get()
    return found if found is not None else default_runtime()


class RegistryView(MutableMapping[str, Any]):
    """A registry of the current runtime seen as a dict (``TinyPerson.all_agents``,
    ``TinyWorld.all_environments``, ``TinyFactory.all_factories``): reads and writes go to the
    runtime current at the time of the call."""

    def __init__(self, attribute: str):
        self._attribute = attribute

    def _target(self) -> dict[str, Any]:
        return getattr(current_runtime(), self._attribute)

    def __getitem__(self, key: str) -> Any:
        return self._target()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._target()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._target()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._target()))

    def __len__(self) -> int:
        return len(self._target())

    def __contains__(self, key: object) -> bool:
        return key in self._target()

    def copy(self) -> dict[str, Any]:
        """A plain dict of the current entries."""
        return dict(self._target())

    def __repr__(self) -> str:
        return repr(self._target())
