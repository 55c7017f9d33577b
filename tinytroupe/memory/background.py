"""Memory work in the background while a world runs: a scope that knows whose work is pending.

A world enters :func:`memory_in_background` for a run; inside it, agents' memory keepers
(:class:`~tinytroupe.agent.memory_keeper.MemoryKeeper`) embed retrieval queries beside their
turns' requests and consolidate episodes between steps, and :meth:`BackgroundMemory.join` the
scope when they start such work; the queries of a step's agents, asked for in the same moment,
go to the embedder in one request (:meth:`BackgroundMemory.aembed`). At the end of each step the scope waits for the queries (so a
step's state does not depend on latencies); when the run ends it finishes and stores what is
pending; when the run fails it cancels it (what was consolidating stays in the keepers' state).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import numpy as np

from tinytroupe.llm.embeddings import EmbeddingRequest

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
        self._asked: list[tuple[Any, list[str], dict[str, str], asyncio.Future]] = []
        self._sending: set[asyncio.Future] = set()

    async def aembed(self, embedder: Any, texts: list[str], tags: dict[str, str]) -> np.ndarray:
        """Vectors for ``texts``, embedded in one request with the texts other agents ask for in
        the same moment (the queries of a step's agents), one request per embedder."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        if not self._asked:  # the first to ask: send once the others of this moment have asked too
            loop.call_soon(self._start_sending)
        self._asked.append((embedder, texts, tags, future))
        return await future

    def _start_sending(self) -> None:
        task = asyncio.ensure_future(self._asend())
        self._sending.add(task)  # held until done (the loop keeps only weak references to tasks)
        task.add_done_callback(self._sending.discard)

    async def _asend(self) -> None:
        asked, self._asked = self._asked, []
        groups: dict[int, list[tuple[Any, list[str], dict[str, str], asyncio.Future]]] = {}
        for entry in asked:
            groups.setdefault(id(entry[0]), []).append(entry)
        await asyncio.gather(*(_asend_group(group) for group in groups.values()))

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


async def _asend_group(group: list[tuple[Any, list[str], dict[str, str], asyncio.Future]]) -> None:
    """One request for the texts of every index that asked ``group[0]``'s embedder; each gets its rows."""
    embedder = group[0][0]
    texts = [t for _, batch, _, _ in group for t in batch]
    agents = {tags.get("agent") for _, _, tags, _ in group}
    tags = dict(group[0][2]) if len(agents) == 1 else {"purpose": group[0][2].get("purpose", "embedding")}
    try:
        vectors = (await embedder.embed(EmbeddingRequest(tuple(texts), tags=tags))).vectors
    except BaseException as exc:  # every index that asked sees the failure (as its own request would)
        for *_, future in group:
            if not future.done():
                future.set_exception(exc)
        if not isinstance(exc, Exception):
            raise
        return
    start = 0
    for _, batch, _, future in group:
        if not future.done():
            future.set_result(vectors[start:start + len(batch)])
        start += len(batch)
