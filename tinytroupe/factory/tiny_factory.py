"""TinyFactory: the base of factories, with the process-wide registry of factories by name.

Users of TinyTroupe subclass it for their own generators; :class:`TinyPersonFactory` is one.
A factory gets a unique name (``"Factory 1"``, ``"Factory 2"``... unless given one), is listed
in :attr:`TinyFactory.all_factories` and can be found again with :meth:`get_factory_by_name`.
Subclasses export their state as plain JSON with ``encode_complete_state`` /
``decode_complete_state``; the base exports its JSON-safe attributes.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any, ClassVar

from tinytroupe import transactions
from tinytroupe.errors import SimulationError
from tinytroupe.runtime import RegistryView, current_runtime

__all__ = ["TinyFactory"]

_lock = threading.RLock()


class _Naming:
    """A runtime's factory naming: the counter of unnamed factories, and the simulation (control
    handler) the names were given under."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.scope: object | None = None


def _naming() -> _Naming:
    return current_runtime().part("factory.naming", _Naming)


def _json_safe(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _new_scope_starts_afresh() -> None:
    """A new ``control.begin()`` forgets the factories listed so far, as the original's does, so
    unnamed factories get the same names on every rerun (and replay from the same records)."""
    handler = transactions.get_handler()
    naming = _naming()
    if handler is not None and handler is not naming.scope:
        naming.scope = handler
        TinyFactory.clear_factories()


class TinyFactory:
    """A named generator of simulation objects (people, or anything a subclass makes)."""

    all_factories: ClassVar[RegistryView] = RegistryView("factories")  # the current runtime's factories

    def __init__(self, simulation_id: str | None = None, name: str | None = None) -> None:
        self.simulation_id = simulation_id
        with _lock:
            _new_scope_starts_afresh()
            if name is None:
                name = next(f"Factory {i}" for i in _naming().counter
                            if f"Factory {i}" not in TinyFactory.all_factories)
            self.name = name
            TinyFactory.add_factory(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    # -- registry --------------------------------------------------------------------------
    @staticmethod
    def add_factory(factory: TinyFactory) -> None:
        """List ``factory`` by its name; a name already taken raises."""
        taken = TinyFactory.all_factories.get(factory.name)
        if taken is not None and taken is not factory:
            raise SimulationError(f"a factory named {factory.name!r} already exists; give another name "
                                  "or call TinyFactory.clear_factories() first.")
        TinyFactory.all_factories[factory.name] = factory

    @staticmethod
    def get_factory_by_name(name: str) -> TinyFactory | None:
        """The factory called ``name``, or None."""
        return TinyFactory.all_factories.get(name)

    @staticmethod
    def clear_factories() -> None:
        """Forget every factory (they keep working; they are just no longer listed)."""
        with _lock:
            TinyFactory.all_factories.clear()
            _naming().counter = itertools.count(1)

    @staticmethod
    def set_simulation_for_free_factories(simulation: Any) -> None:
        """Hand factories that belong to no simulation to ``simulation`` (the original's hook)."""
        for factory in list(TinyFactory.all_factories.values()):
            if factory.simulation_id is None:
                factory.simulation_id = getattr(simulation, "id", None)

    # -- state -----------------------------------------------------------------------------
    def encode_complete_state(self) -> dict[str, Any]:
        """The factory's JSON-safe public attributes; subclasses with richer state override this."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_") and _json_safe(v)}

    def decode_complete_state(self, state: dict[str, Any]) -> TinyFactory:
        """Restore what :meth:`encode_complete_state` produced."""
        for key, value in state.items():
            if not key.startswith("_"):
                setattr(self, key, value)
        return self
