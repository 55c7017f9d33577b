"""Run coroutines from plain code, in a script or inside a running event loop (Jupyter).

Every sync facade (``act()``, ``run()``, ``generate_people()``...) submits its coroutine to
one long-lived background event loop, so async clients created there stay valid from one
call to the next, and a caller's own running loop is never re-entered.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["run_sync"]

T = TypeVar("T")

class _Background:
    """The process's one background event loop and the thread running it (started on first use)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None


_background = _Background()


def _background_loop() -> asyncio.AbstractEventLoop:
    """The background loop, (re)started if it is not running."""
    held = _background
    with held.lock:
        if held.loop is None or held.loop.is_closed() or held.thread is None or not held.thread.is_alive():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="tinytroupe-loop", daemon=True)
            thread.start()
            _background.loop, _background.thread = loop, thread
        return _background.loop


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion and return its result, from any thread.

    Called from the background loop itself (a sync facade used inside async code that is
    already running there) it would deadlock, so that case raises with the fix.
    """
    loop = _background_loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        coro.close()
        raise RuntimeError(
            "a blocking tinytroupe call was made from inside tinytroupe's own event loop; "
            "use the async twin (aact, arun, ...) there"
        )
    future = asyncio.run_coroutine_threadsafe(_in_context(coro, contextvars.copy_context()), loop)
    try:
        return future.result()
    except KeyboardInterrupt:
        future.cancel()
        raise


async def _in_context(coro: Coroutine[Any, Any, T], context: contextvars.Context) -> T:
    """Await ``coro`` in a task that runs in the caller's ``context`` (its runtime, its settings)."""
    return await asyncio.get_running_loop().create_task(coro, context=context)
