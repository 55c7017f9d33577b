"""Thread diagnostics under the original's path: watch a process's threads for deadlocks."""

from __future__ import annotations

import logging
import sys
import threading
import traceback

__all__ = ["monitor_threads", "thread_report"]

logger = logging.getLogger(__name__)


def thread_report() -> str:
    """Every live thread of this process with its current stack, as text."""
    frames = sys._current_frames()
    parts = []
    for thread in threading.enumerate():
        frame = frames.get(thread.ident) if thread.ident is not None else None
        stack = "".join(traceback.format_stack(frame)) if frame is not None else "  (no frame)\n"
        parts.append(f"Thread {thread.name} (id {thread.ident}, daemon={thread.daemon}):\n{stack}")
    return "\n".join(parts)


def monitor_threads(interval: float = 30, stop_event: threading.Event | None = None) -> None:
    """Log :func:`thread_report` every ``interval`` seconds until ``stop_event`` is set.

    Meant to run in a daemon thread: ``threading.Thread(target=monitor_threads, args=(30, event),
    daemon=True).start()``.
    """
    stop = stop_event if stop_event is not None else threading.Event()
    while not stop.wait(interval):
        logger.warning("threads alive: %d\n%s", threading.active_count(), thread_report())
