"""Simulation control: replay unchanged steps without LLM calls, checkpoints, resume and fork.

::

    from tinytroupe import control

    control.begin("focus_group.cache.json", auto_checkpoint=True)
    ...                     # create agents and worlds, broadcast, run steps
    control.end()           # writes the file

Running the same script again replays every operation whose state and arguments are
unchanged (no LLM call) and runs the rest: change step 10 and only step 10 runs again; after
a crash the script resumes from the last checkpoint. See :class:`Simulation` for how
operations are keyed. Worth knowing:

- the operations are each world step (however ``run()`` groups them), broadcasts, an agent's
  ``act``/``listen``/``define``..., and a factory's ``generate_*``; calls made inside them
  (agents acting in a step, an intervention's effect) belong to them;
- a replayed operation emits ``control.hit`` (with the model usage it saved) instead of its
  agent and world events, and files the transcript events it recorded into its worlds'
  transcripts again: a resumed run's transcript is the whole run's; cost statistics count
  only the calls actually made;
- worlds and factories created without a seed (inside a simulation or not) get one derived
  from their name and the ``SEED`` setting, so reruns draw the same numbers;
- a checkpoint's recorded results only ever hold registered state types
  (:func:`tinytroupe.contracts.register_state_type`); loading one imports nothing;
- every variant ever recorded stays in the file (switching back is free); delete the file
  to start afresh;
- ``world.fork(name)`` and :meth:`Simulation.fork` copy worlds for control and treatment
  arms; ``world.save``/``TinyWorld.load`` and ``agent.save``/``TinyPerson.load`` write and read
  single objects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from tinytroupe import transactions
from tinytroupe.control.simulation import (
    CHECKPOINT_FORMAT,
    CHECKPOINT_VERSION,
    Simulation,
    read_checkpoint_state,
)
from tinytroupe.errors import SimulationError
from tinytroupe.not_provided import module_getattr
from tinytroupe.runtime import current_runtime

__all__ = ["begin", "checkpoint", "end", "reset", "current_simulation", "Simulation", "transactional",
           "read_checkpoint_state", "CHECKPOINT_FORMAT", "CHECKPOINT_VERSION", "cache_hits", "cache_misses"]

class _Scope:
    """The running simulation of one runtime, and the one it ended last (for cache_hits()/cache_misses())."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current: Simulation | None = None
        self.last: Simulation | None = None


def _scope() -> _Scope:
    """The simulation scope of the current runtime: each runtime runs its own simulation."""
    return current_runtime().part("control.scope", _Scope)


def begin(cache_path: str | Path | None = None, id: str = "default", auto_checkpoint: bool = False) -> Simulation:
    """Start a simulation scope; with ``cache_path``, replay what that file recorded and record there.

    A damaged or incompatible file raises :class:`~tinytroupe.errors.StateError` (nothing is
    started and the file is left as it is). Without ``cache_path`` operations are still
    recorded and replayed, in memory, until :func:`end`.
    """
    scope = _scope()
    with scope.lock:
        if scope.current is not None:
            raise SimulationError("control.begin() was called while a simulation is running; "
                                  "call control.end() (or control.reset()) first")
        simulation = Simulation(cache_path, auto_checkpoint=auto_checkpoint, id=id)
        simulation.status = Simulation.STATUS_STARTED
        transactions.set_handler(simulation)
        scope.current = simulation
    return simulation


def _activate(simulation: Simulation) -> None:
    """Make ``simulation`` the running one (``Simulation.begin``)."""
    scope = _scope()
    with scope.lock:
        if scope.current is not None and scope.current is not simulation:
            raise SimulationError(f"simulation {scope.current.id!r} is running; call control.end() before "
                                  f"beginning {simulation.id!r}")
        transactions.set_handler(simulation)
        scope.current = simulation


def _deactivate(simulation: Simulation) -> None:
    """Stop routing operations to ``simulation`` if it is the running one (``Simulation.end``)."""
    scope = _scope()
    with scope.lock:
        if transactions.get_handler() is simulation:
            transactions.set_handler(None)
        if scope.current is simulation:
            scope.current, scope.last = None, simulation


class _RunningSimulations(Mapping):
    """``control._current_simulations``: a read-only ``{id: Simulation}`` of the running simulation
    and the one last ended (until :func:`reset`); ``"default"`` is always there, None when no
    simulation of that id has run since."""

    def _items(self) -> dict[str, Simulation | None]:
        items: dict[str, Simulation | None] = {"default": None}
        scope = _scope()
        for simulation in (scope.last, scope.current):
            if simulation is not None:
                items[simulation.id] = simulation
        return items

    def __getitem__(self, key: str) -> Simulation | None:
        return self._items()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __repr__(self) -> str:
        return f"_current_simulations({self._items()!r})"


_current_simulations: Mapping[str, Simulation | None] = _RunningSimulations()


def transactional(func: Callable | str | None = None, *, op_name: str | None = None,
                  ignore: tuple[str, ...] = (), parallel: bool = False) -> Callable:
    """Mark a state-changing method as an operation a simulation records and replays; usable
    bare (``@control.transactional``) or called (``@control.transactional()``,
    ``@control.transactional("name", ignore=("verbose",))``). ``parallel`` is accepted for the
    original's scripts: concurrent operations are ordered by the simulation whatever it says."""
    if callable(func):
        return transactions.transactional(op_name, ignore=ignore)(func)
    return transactions.transactional(func or op_name, ignore=ignore)


def current_simulation() -> Simulation | None:
    """The running simulation (of the current runtime), or None."""
    return _scope().current


def _require() -> Simulation:
    current = _scope().current
    if current is None:
        raise SimulationError("no simulation is running; call control.begin(cache_path) first")
    return current


def checkpoint() -> Path:
    """Write the running simulation's state and records to its file now (atomically)."""
    return _require().checkpoint()


def end() -> None:
    """Write a last checkpoint (when the simulation has a file) and close the scope."""
    simulation = _require()
    try:
        simulation.end()
    finally:
        _deactivate(simulation)


def reset() -> None:
    """Close the running simulation, if any, without writing anything (and forget its counters)."""
    scope = _scope()
    with scope.lock:
        if scope.current is not None:
            scope.current.status = Simulation.STATUS_STOPPED
            if transactions.get_handler() is scope.current:
                transactions.set_handler(None)
        scope.current = scope.last = None


def _counted(id: str) -> Simulation | None:
    scope = _scope()
    simulation = scope.current or scope.last
    return simulation if simulation is not None and simulation.id == id else None


def cache_hits(id: str = "default") -> int:
    """Operations replayed from the records, by the running simulation (or the one last ended)."""
    simulation = _counted(id)
    return simulation.cache_hits if simulation is not None else 0


def cache_misses(id: str = "default") -> int:
    """Operations that ran for real, in the running simulation (or the one last ended)."""
    simulation = _counted(id)
    return simulation.cache_misses if simulation is not None else 0


__getattr__ = module_getattr(__name__)  # the original's names left out, with what to use instead
