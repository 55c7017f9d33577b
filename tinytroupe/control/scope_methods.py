"""The original's public methods of a simulation: start it, add objects by hand, mark transactions.

:class:`ScopeMethods` is mixed into :class:`~tinytroupe.control.simulation.Simulation`:

- ``begin(cache_path=None, auto_checkpoint=False)`` makes this simulation the running one (as
  :func:`tinytroupe.control.begin` does), reading ``cache_path`` if it exists;
- ``add_agent``, ``add_environment``, ``add_factory`` own an object explicitly (objects are
  otherwise owned as soon as an operation touches them); a second object of the same kind
  and name is refused, since states are keyed by name;
- ``status`` is ``STATUS_STARTED`` from ``begin`` to ``end``, else ``STATUS_STOPPED``;
  ``cached_trace`` lists the operations the file held when the simulation began, and
  ``execution_trace`` those this run has performed so far (each replayed or run);
- ``_function_call_hash(name, *args, **kwargs)`` is the content hash of a call (see
  :func:`call_hash`);
- ``begin_transaction``/``end_transaction``/``is_under_transaction`` and their parallel forms
  mark a stretch of work by hand. Recording does not need them (each top-level operation is
  one transaction on its own): ``is_under_transaction()`` is also true inside any such
  operation, and ``is_under_parallel_transactions()`` while a parallel stretch is marked.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

from tinytroupe import transactions
from tinytroupe.contracts import kind_of
from tinytroupe.control.codec import NotRecordable, canonical_args, canonical_text, digest
from tinytroupe.errors import SimulationError

__all__ = ["ScopeMethods", "call_hash"]

logger = logging.getLogger(__name__)


def call_hash(name: str, *args: Any, **kwargs: Any) -> str:
    """A content hash of the call ``name(*args, **kwargs)``: equal for equal arguments (dicts in
    any key order, keyword arguments in any order, plain objects by their fields), different
    otherwise. Arguments with no canonical form get a fallback key (named after the call, and
    stable only within this process), logged as an error and a ``FALLBACK_CACHE_KEY_USED`` warning."""
    try:
        content = canonical_args([list(args), kwargs], by_value=True)
        return digest(canonical_text([name, content]))
    except (NotRecordable, RecursionError, ValueError) as exc:
        logger.error("Error hashing event %s: %s", name, exc)
        fallback = f"{name}:fallback:{digest(repr((args, sorted(kwargs.items()))))}"
        logger.warning("FALLBACK_CACHE_KEY_USED for %s: its arguments have no canonical form, so the key %s "
                       "only holds within this process", name, fallback)
        return fallback


class ScopeMethods:
    """Mixin: the original's ``Simulation`` methods, on top of the recording scope."""

    STATUS_STARTED: ClassVar[str] = "started"
    STATUS_STOPPED: ClassVar[str] = "stopped"

    id: str
    cache_path: Path | None
    auto_checkpoint: bool
    status: str
    _objects: list[Any]
    _objects_lock: Any
    _marked: int
    _parallel: int

    # -- starting --------------------------------------------------------------------------
    def begin(self, cache_path: str | Path | None = None, auto_checkpoint: bool = False) -> Any:
        """Make this the running simulation, recording to (and replaying from) ``cache_path``."""
        from tinytroupe import control  # the package's running-scope slot (same layer)

        if control.current_simulation() is self:
            raise SimulationError(f"simulation {self.id!r} is already started; call end() first")
        if cache_path is not None:
            self.cache_path = Path(cache_path)
        if auto_checkpoint and self.cache_path is None:
            raise SimulationError("Simulation.begin(auto_checkpoint=True) needs a file: pass cache_path='...'")
        self.auto_checkpoint = auto_checkpoint
        self._reload()  # type: ignore[attr-defined]
        self._executed = []
        control._activate(self)
        self.status = self.STATUS_STARTED
        return self

    # -- traces ----------------------------------------------------------------------------------
    @property
    def cached_trace(self) -> list[dict[str, Any]]:
        """The operations recorded in the file when this simulation began: ``{"key", "op", "receiver"}``."""
        records = self._store.records  # type: ignore[attr-defined]
        return [{"key": k, "op": records[k].op, "receiver": records[k].receiver}
                for k in self._cached_keys if k in records]  # type: ignore[attr-defined]

    @property
    def execution_trace(self) -> list[dict[str, Any]]:
        """The top-level operations this run performed, in order: ``{"key", "op", "receiver",
        "replayed"}`` (``key`` is None for an operation whose arguments cannot be recorded)."""
        return [dict(entry) for entry in self._executed]  # type: ignore[attr-defined]

    def _function_call_hash(self, function_name: str, *args: Any, **kwargs: Any) -> str:
        """The content hash of a call (the original's name for :func:`call_hash`)."""
        return call_hash(function_name, *args, **kwargs)

    # -- owning objects by hand --------------------------------------------------------------
    def _add(self, obj: Any, kind: str, method: str) -> None:
        found = kind_of(obj)
        fits = found == kind if kind != "factory" else (
            found not in ("agent", "world") and callable(getattr(obj, "encode_complete_state", None)))
        if not fits:
            raise SimulationError(f"Simulation.{method}() takes {'an' if kind[0] in 'aeiou' else 'a'} {kind}, "
                                  f"not {type(obj).__name__}")
        name = getattr(obj, "name", None)
        with self._objects_lock:
            for owned in self._objects:
                if owned is not obj and kind_of(owned) == found and getattr(owned, "name", None) == name:
                    raise SimulationError(f"simulation {self.id!r} already has {'an' if kind[0] in 'aeiou' else 'a'} "
                                          f"{kind} named {name!r}; {kind} names must be unique in a simulation")
        self.register(obj)  # type: ignore[attr-defined]

    def add_agent(self, agent: Any) -> None:
        """Own ``agent`` from now on (its name must be unique among the simulation's agents)."""
        self._add(agent, "agent", "add_agent")

    def add_environment(self, environment: Any) -> None:
        """Own ``environment`` (a world) from now on (its name must be unique among the worlds)."""
        self._add(environment, "world", "add_environment")

    def add_factory(self, factory: Any) -> None:
        """Own ``factory`` from now on (its name must be unique among the factories)."""
        self._add(factory, "factory", "add_factory")

    # -- transactions --------------------------------------------------------------------------
    def begin_transaction(self) -> None:
        """Mark the start of a transaction (nestable)."""
        self._marked += 1

    def end_transaction(self) -> None:
        """Mark the end of the innermost transaction begun with :meth:`begin_transaction`."""
        if self._marked <= 0:
            raise SimulationError("Simulation.end_transaction() without begin_transaction()")
        self._marked -= 1

    def is_under_transaction(self) -> bool:
        """Whether a transaction is open: one marked by hand, or a recorded operation running here."""
        return self._marked > 0 or transactions.depth() > 0

    def begin_parallel_transactions(self) -> None:
        """Mark the start of a stretch whose transactions run concurrently (nestable)."""
        self._parallel += 1

    def end_parallel_transactions(self) -> None:
        """Mark the end of the stretch begun with :meth:`begin_parallel_transactions`."""
        if self._parallel <= 0:
            raise SimulationError("Simulation.end_parallel_transactions() without begin_parallel_transactions()")
        self._parallel -= 1

    def is_under_parallel_transactions(self) -> bool:
        """Whether a parallel stretch is marked."""
        return self._parallel > 0
