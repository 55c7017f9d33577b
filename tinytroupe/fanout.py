"""The seam where work fans out: what surveys, factories and experiments ask of an executor.

A layer that fans out work (a survey's respondents, a factory's drafts, an experiment's runs)
takes an ``executor=`` argument typed :class:`ShardExecutor` (default: the one chosen with
``with fanout.using(executor):``, as the CLI's ``--executor`` does) and never imports an executor:
the executors (``tinytroupe.executors``: ``local`` and ``ray``) sit above it and implement
this protocol. The work is a *shard task*: a module-level ``async def task(payload, shared)``
registered with :func:`shard_task`, named ``"module:function"``. ``payload`` is plain JSON
data (one shard: people's states, drafts to write); ``shared`` is the same for every shard
(the survey's questions, an experiment's arms) and is sent once. A task returns plain data.

Each shard runs inside the driver's runtime rebuilt from :meth:`Runtime.describe` (on a Ray
worker) or inside the driver's own runtime (local executor), so settings, the model, the
budget and the call cache are the run's wherever a shard runs.
"""

from __future__ import annotations

import contextvars
import importlib
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar, runtime_checkable

from tinytroupe import extensions
from tinytroupe.errors import ConfigError

__all__ = ["ShardExecutor", "shard_task", "resolve_task", "split", "task_name", "SHARD_TASKS", "using",
           "current_executor", "chosen"]

ShardFunction = Callable[[Any, Any], Awaitable[Any]]
F = TypeVar("F", bound=ShardFunction)

SHARD_TASKS: dict[str, ShardFunction] = extensions.table("shard_task")
"""Registered shard tasks by ``"module:function"`` name; only these run on a worker (read-only
here, :func:`shard_task` adds one; the table lives in :mod:`tinytroupe.extensions`)."""


@runtime_checkable
class ShardExecutor(Protocol):
    """Runs one shard task over many payloads, somewhere; results in payload order."""

    name: str
    workers: int

    async def map(self, task: str, payloads: Sequence[Any], shared: Any = None) -> list[Any]:
        """``[task(p, shared) for p in payloads]``, run concurrently (raises the first error)."""
        ...


_current: contextvars.ContextVar[ShardExecutor | None] = contextvars.ContextVar("tinytroupe_executor", default=None)


@contextmanager
def using(executor: ShardExecutor | None) -> Iterator[ShardExecutor | None]:
    """Work that fans out inside this block (in this context) runs on ``executor`` unless given another."""
    token = _current.set(executor)
    try:
        yield executor
    finally:
        _current.reset(token)


def current_executor() -> ShardExecutor | None:
    """The executor chosen with :func:`using` for this context (None: in this process, as always)."""
    return _current.get()


def chosen(executor: ShardExecutor | None) -> ShardExecutor | None:
    """``executor`` when given, else the one chosen for this context."""
    return executor if executor is not None else _current.get()


def task_name(func: Callable[..., Any]) -> str:
    """The ``"module:function"`` name of a shard task."""
    return f"{func.__module__}:{func.__qualname__}"


def shard_task(func: F) -> F:
    """Register ``func`` (a module-level async function of (payload, shared)) as a shard task."""
    return extensions.register("shard_task", task_name(func), func)


def resolve_task(name: str) -> ShardFunction:
    """The shard task named ``name``, importing its tinytroupe module first if needed."""
    module, _, attr = name.partition(":")
    if not module.startswith("tinytroupe.") or not attr:
        raise ConfigError(f"shard task {name!r}: only registered tinytroupe tasks ('tinytroupe.x.y:function') run "
                          "on workers")
    if name not in SHARD_TASKS:
        importlib.import_module(module)  # registering happens at import
    try:
        return SHARD_TASKS[name]
    except KeyError:
        raise ConfigError(f"shard task {name!r} is not registered; decorate it with "
                          "tinytroupe.fanout.shard_task") from None


T = TypeVar("T")


def split(items: Sequence[T], shards: int) -> list[list[T]]:
    """``items`` cut into at most ``shards`` contiguous, nearly equal, non-empty pieces (order kept)."""
    n = max(1, min(int(shards), len(items)))
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return [piece for piece in out if piece]
