"""Memory work in the background while a world runs: a scope that knows whose work is pending.

A world enters :func:`memory_in_background` for a run; inside it, agents' memory keepers
(:class:`~tinytroupe.agent.memory_keeper.MemoryKeeper`) embed retrieval queries beside their
turns' requests and consolidate episodes between steps, and :meth:`BackgroundMemory.join` the
scope when they start such work. At the end of each step the scope waits for the queries (so a
step's state does not depend on latencies); when the run ends it finishes and stores what is
pending; when the run fails it cancels it (what was consolidating stays in the keepers' state).
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

__all__ = ["BackgroundMemory", "memory_in_background", "current_background"]


class Keeper(Protocol):
    """What the scope needs of a keeper with work in the background."""

    async def aprepared(self) -> object: ...

    async def asettle(self) -> None: ...

    def cancel_background(self) -> None: ...


_background: contextvars.ContextVar[BackgroundMemory | None] = contextvars.ContextVar(
    "tinytroupe_background_memory", default=None)


class BackgroundMemory:
    """The keepers doing work in the background during one run, so that the run can wait for it."""

    def __init__(self) -> None:
        self._keepers: dict[int, Keeper] = {}

    def join(self, keeper: Keeper) -> None:
        self._keepers.setdefault(id(keeper), keeper)

    async def aend_step(self) -> None:
        """A step ended: wait for the queries being embedded (sent beside the step's requests), so
        the state at the end of the step is the same whatever the latencies."""
        for keeper in list(self._keepers.values()):
            await keeper.aprepared()

    async def afinish(self) -> None:
        """The run ends: finish and store everything pending."""
        keepers, self._keepers = list(self._keepers.values()), {}
        for keeper in keepers:
            await keeper.asettle()

    def cancel(self) -> None:
        for keeper in self._keepers.values():
            keeper.cancel_background()
        self._keepers.clear()


def current_background() -> BackgroundMemory | None:
    """The background scope of the run in progress, or None."""
    return _background.get()


@asynccontextmanager
async def memory_in_background() -> AsyncIterator[BackgroundMemory]:
    """Inside this block (a world's run), memory work leaves the turns' path; on a normal exit what
    is pending is finished. Nested blocks share the outermost one."""
    outer = _background.get()
    if outer is not None:
        yield outer
        return
    scope = BackgroundMemory()
    token = _background.set(scope)
    try:
        yield scope
    except BaseException:
        scope.cancel()
        raise
    finally:
        _background.reset(token)
    await scope.afinish()
