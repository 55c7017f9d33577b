"""Fan-out that streams: each item's request leaves as soon as it is prepared, and only a bounded
number of items are being prepared, waiting or in flight at once.

A step of N agents (a survey of N people, N extractions) used to start all N at once: every
agent built its prompt and request before the first one reached the provider, and all N
prepared requests waited in memory for a slot in the concurrency window. :func:`stream_map`
starts item ``i + 1`` only when fewer than ``bound`` items are under way, in item order, so the
first request leaves after one prompt, later prompts are built while requests are in flight,
and memory holds about ``bound`` prepared requests whatever N is. Results come back in item
order, so what the caller applies from them does not depend on the order replies arrive.
:func:`prepared_bound` sizes the bound from the model's concurrency ceiling plus a margin, so
the window never waits for a prompt to be built.

A large fan-out (:data:`FROZEN_FROM` items or more) leaves the objects that existed before it
(the population, mostly) out of the cycle collector's scans while it runs (``gc.freeze``), and
collects the youngest objects every :data:`YOUNG_THRESHOLD` allocations instead of 700; both
are put back when it ends. A full collection over 100,000 people costs seconds, and they do
not become garbage during a step; on a 3,000-person step this took the collector's share of
the step's CPU from about 15% to 3%.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from tinytroupe import resources

__all__ = ["stream_map", "prepared_bound", "bound_for_agents", "in_flight_ceiling", "StreamStats", "MIN_MARGIN",
           "quiet_collector", "FROZEN_FROM", "YOUNG_THRESHOLD"]

T = TypeVar("T")
R = TypeVar("R")

MIN_MARGIN = 16  # items prepared beyond the ceiling (at least), ready when a slot frees
FROZEN_FROM = 1000  # fan-outs of this many items leave older objects out of the collector's scans
YOUNG_THRESHOLD = 10_000  # allocations between collections of the youngest objects, in such a fan-out



class _Collector:
    """The process's cycle collector as fan-outs leave it: how many froze it, its thresholds before."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.thresholds: tuple[int, ...] = ()


def _collector() -> _Collector:
    """The one record of the process's garbage collector (a process-wide resource)."""
    return resources.shared("gc", "collector", _Collector)


def in_flight_ceiling(model: Any = None) -> int:
    """The most calls ``model``'s chain lets out at once (its concurrency limiter's ceiling), else
    the ``MAX_CONCURRENT_MODEL_CALLS`` setting."""
    seen = 0
    while model is not None and seen < 64:
        ceiling = getattr(model, "max_concurrent", None)
        if isinstance(ceiling, int) and ceiling > 0:
            return ceiling
        model, seen = getattr(model, "inner", None), seen + 1
    from tinytroupe.runtime import current_runtime

    return max(1, int(current_runtime().settings["max_concurrent_model_calls"] or 1))


def prepared_bound(*models: Any) -> int:
    """How many items may be under way at once when calling ``models`` (None: the current
    runtime's default model): the largest ceiling among them, plus a quarter of it and at least
    :data:`MIN_MARGIN`."""
    chosen = {id(m): m for m in models} or {0: None}
    ceiling = max(in_flight_ceiling(_default_if_built() if m is None else m) for m in chosen.values())
    return ceiling + max(MIN_MARGIN, ceiling // 4)


def bound_for_agents(agents: Iterable[Any], model: Any = None) -> int:
    """:func:`prepared_bound` for ``agents`` calling ``model`` (else each its own ``model``, else the default)."""
    if model is not None:
        return prepared_bound(model)
    return prepared_bound(*{id(m): m for m in (getattr(a, "model", None) for a in agents)}.values())


def _default_if_built() -> Any:
    """The current runtime's default model if it was built already (building it is the caller's job)."""
    from tinytroupe.llm import MODEL_PART
    from tinytroupe.runtime import current_runtime

    return current_runtime().part(MODEL_PART)


@dataclass
class StreamStats:
    """What one :func:`stream_map` did: items started, and the most under way at once."""

    started: int = 0
    running: int = 0
    max_running: int = 0


async def stream_map(work: Callable[[T], Awaitable[R]], items: Iterable[T], bound: int, *,
                     count: int | None = None, stats: StreamStats | None = None) -> list[R]:
    """``[await work(item) for item in items]``, with up to ``bound`` items under way at once,
    started in order; results in item order.

    ``bound`` workers take the next item as soon as they finish one, in the same turn of the
    event loop (no task per item, no wake-up of a producer in between); ``count`` (else
    ``len(items)`` when it has one) spares workers that would find nothing. When one item raises,
    no further item starts; those under way finish, and the error of the earliest item that
    failed is raised. If the caller is cancelled, the items under way are too.
    """
    if bound < 1:
        raise ValueError(f"stream_map: bound must be at least 1, got {bound}")
    stats = stats if stats is not None else StreamStats()
    results: list[Any] = []
    errors: dict[int, BaseException] = {}
    pending = enumerate(items)

    async def worker() -> None:
        while not errors:
            try:
                index, item = next(pending)
            except StopIteration:
                return
            results.append(None)
            stats.started += 1
            stats.running += 1
            stats.max_running = max(stats.max_running, stats.running)
            try:
                results[index] = await work(item)
            except Exception as exc:  # raised once every item under way has finished
                errors[index] = exc
            finally:
                stats.running -= 1

    if count is None and isinstance(items, Sized):
        count = len(items)
    workers = [asyncio.ensure_future(worker()) for _ in range(bound if count is None else min(bound, count))]
    with quiet_collector(count or 0):
        try:
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
    if errors:
        raise errors[min(errors)]
    return results


@contextmanager
def quiet_collector(count: int) -> Iterator[None]:
    """For work on ``count`` items (a step's fan-out and what follows it): with
    :data:`FROZEN_FROM` items or more, the cycle collector leaves the objects alive now out of
    its scans and collects young objects less often; both are put back at the end."""
    frozen = count >= FROZEN_FROM and _freeze()
    try:
        yield
    finally:
        if frozen:
            _unfreeze()


def _freeze() -> bool:
    """Leave the objects alive now out of the cycle collector's scans, and collect the youngest
    ones less often (the first of nested fan-outs does)."""
    if not gc.isenabled():
        return False
    state = _collector()
    with state.lock:
        if state.depth == 0:
            gc.freeze()
            state.thresholds = thresholds = gc.get_threshold()
            gc.set_threshold(max(thresholds[0], YOUNG_THRESHOLD), *thresholds[1:])
        state.depth += 1
    return True


def _unfreeze() -> None:
    """Let them back in (and the thresholds as they were) when the last fan-out that froze them ends."""
    state = _collector()
    with state.lock:
        state.depth -= 1
        if state.depth == 0:
            gc.set_threshold(*state.thresholds)
            gc.unfreeze()
