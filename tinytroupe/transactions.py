"""The seam between domain objects and simulation control: top-level operations and registration.

Agents, worlds and factories mark their state-changing methods with :func:`transactional`
and call :func:`register` from their constructors. This module knows nothing about what
happens then: by default a marked method simply runs. :mod:`tinytroupe.control` installs a
handler (:func:`set_handler`) that keys, records and replays the *top-level* calls; the
handler belongs to the current :class:`~tinytroupe.runtime.Runtime` (one running simulation
per runtime).

A call is top-level when no other marked call is running around it. Nesting is tracked with
a context variable, which asyncio child tasks (``gather``) and ``asyncio.to_thread`` copy.
Async methods read the depth when the coroutine is *created*, not when it first runs, so a
blocking facade that hands the coroutine to tinytroupe's background loop (``act()`` ->
``run_sync(self.aact())``) still counts as nested when called from inside an operation
(an intervention's effect, for example).
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import inspect
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from tinytroupe.runtime import current_runtime

__all__ = ["transactional", "Operation", "Handler", "set_handler", "get_handler", "register",
           "default_seed", "depth", "untracked"]

F = TypeVar("F", bound=Callable[..., Any])

_depth: contextvars.ContextVar[int] = contextvars.ContextVar("tinytroupe_transaction_depth", default=0)
_HANDLER = "transactions.handler"  # the runtime part holding the handler


@dataclass
class Operation:
    """One top-level call of a marked method, handed to the handler to run, record or replay."""

    name: str
    receiver: Any
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    ignore: tuple[str, ...] = ()
    _depth: int = field(default=0, repr=False)

    def arguments(self) -> dict[str, Any]:
        """The call's arguments by parameter name, defaults filled in, ``self`` and ignored ones left out."""
        bound = inspect.signature(self.function).bind(self.receiver, *self.args, **self.kwargs)
        bound.apply_defaults()
        params = list(bound.arguments.items())[1:]  # drop self
        return {name: value for name, value in params if name not in self.ignore}

    def execute(self) -> Any:
        """Run the method for real (a sync method), with nested calls marked as nested."""
        token = _depth.set(self._depth + 1)
        try:
            return self.function(self.receiver, *self.args, **self.kwargs)
        finally:
            _depth.reset(token)

    async def aexecute(self) -> Any:
        """Run the method for real (an async method), with nested calls marked as nested."""
        token = _depth.set(self._depth + 1)
        try:
            return await self.function(self.receiver, *self.args, **self.kwargs)
        finally:
            _depth.reset(token)


class Handler(Protocol):
    """What :mod:`tinytroupe.control` installs to take over top-level operations."""

    def register(self, obj: Any) -> None:
        """An agent, world or factory was created."""

    def run_sync(self, op: Operation) -> Any:
        """Run (or replay) a top-level call of a sync method and return its result."""

    def run_async(self, op: Operation) -> Awaitable[Any]:
        """Run (or replay) a top-level call of an async method; awaited by the caller."""


def set_handler(handler: Handler | None) -> Handler | None:
    """Install ``handler`` in the current runtime (None: marked methods simply run); returns the previous one."""
    runtime = current_runtime()
    previous = runtime.part(_HANDLER)
    runtime.set_part(_HANDLER, handler)
    return previous


def get_handler() -> Handler | None:
    """The handler installed in the current runtime, or None."""
    return current_runtime().part(_HANDLER)


def register(obj: Any) -> None:
    """Called by agent, world and factory constructors so the current simulation can own them."""
    handler = get_handler()
    if handler is not None:
        handler.register(obj)


def default_seed(label: str) -> int:
    """The seed of an object created without one: a stable digest of ``label`` (its kind and
    name) and the ``SEED`` setting, the same in every process, inside a simulation or not.

    Set ``SEED`` (or pass ``seed=``) for a fresh draw.
    """
    from tinytroupe.config import config_manager

    base = int(config_manager.get("seed") or 0)
    return int(hashlib.sha256(f"{base}/{label}".encode()).hexdigest()[:8], 16)


def depth() -> int:
    """How many marked calls are running around this point (0: none, a call made here is top-level)."""
    return _depth.get()


@contextmanager
def untracked() -> Iterator[None]:
    """Inside this block marked calls are nested: they run as plain calls (used while restoring state)."""
    token = _depth.set(_depth.get() + 1)
    try:
        yield
    finally:
        _depth.reset(token)


def transactional(op_name: str | None = None, *, ignore: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Mark a state-changing method (sync or async) as an operation a simulation can record and replay.

    ``op_name`` names it in keys and events (default: the method's qualified name); parameters
    in ``ignore`` do not change the outcome (display flags, progress counters) and stay out of
    the key.
    """

    def decorate(func: F) -> F:
        name = op_name or func.__qualname__
        if inspect.iscoroutinefunction(func):
            return _async_wrapper(func, name, ignore)  # type: ignore[return-value]
        return _sync_wrapper(func, name, ignore)  # type: ignore[return-value]

    return decorate


def _sync_wrapper(func: Callable[..., Any], name: str, ignore: tuple[str, ...]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        handler = get_handler()
        level = _depth.get()
        op = Operation(name, self, func, args, kwargs, ignore, level)
        if handler is None or level > 0:
            return op.execute()
        return handler.run_sync(op)

    wrapper.__transactional__ = name  # type: ignore[attr-defined]
    return wrapper


def _async_wrapper(func: Callable[..., Any], name: str, ignore: tuple[str, ...]) -> Callable[..., Any]:
    # A plain function returning a coroutine: the depth is read here, in the caller's context.
    @functools.wraps(func)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Awaitable[Any]:
        handler = get_handler()
        level = _depth.get()
        op = Operation(name, self, func, args, kwargs, ignore, level)
        if handler is None or level > 0:
            return op.aexecute()
        return handler.run_async(op)

    wrapper.__transactional__ = name  # type: ignore[attr-defined]
    if hasattr(inspect, "markcoroutinefunction"):  # Python 3.12+
        inspect.markcoroutinefunction(wrapper)
    return wrapper
