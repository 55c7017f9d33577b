"""Ctrl-C during a run: the first one asks to stop after the current step, the second one stops now.

::

    with StopRequest() as stop:
        for step in steps:
            if stop.requested:
                break
            ...
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

__all__ = ["StopRequest"]


class StopRequest:
    """A flag set by the first SIGINT (or by :meth:`request`); a second SIGINT raises KeyboardInterrupt."""

    def __init__(self, on_request: Callable[[], None] | None = None):
        self._event = threading.Event()
        self._on_request = on_request
        self._previous: Any = None
        self._installed = False

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self) -> None:
        """Ask the run to stop after the current step."""
        first = not self._event.is_set()
        self._event.set()
        if first and self._on_request is not None:
            self._on_request()

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        if self._event.is_set():
            raise KeyboardInterrupt
        self.request()

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
            self._installed = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False
