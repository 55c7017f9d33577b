"""The last concurrency window that worked, per provider and model, kept between runs.

A provider that refuses calls above some load (HTTP 429) teaches the adaptive window its limit
during a run; without a memory every new process learns it again, paying a burst of refusals
and their Retry-After pauses. :class:`WindowMemory` keeps, per provider, endpoint and model,
the window that last worked there, in ``concurrency_windows.json`` in the user folder
(``TINYTROUPE_HOME``, default ``~/.tinytroupe``). The file is read once per runtime and written
atomically, and only after a provider pushed back, so one that takes everything leaves none.
A missing, unreadable or foreign file is no error: the window then starts at the ceiling.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from tinytroupe.errors import StateError
from tinytroupe.redaction import redact_url
from tinytroupe.state.files import read_document, write_document

__all__ = ["WindowMemory", "window_memory", "memory_key", "FILE_NAME"]

logger = logging.getLogger(__name__)

FILE_NAME = "concurrency_windows.json"
_FORMAT = "tinytroupe.concurrency_windows"
_VERSION = 1


def memory_key(model: Any) -> str:
    """What a remembered window belongs to: the provider, where it is reached (credentials in the
    address masked, as in every file tinytroupe writes) and its model."""
    return f"{model.name} {redact_url(model.endpoint)} {model.default_model}"


class WindowMemory:
    """Windows by :func:`memory_key`, read from ``path`` once and written back on each change."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._windows = self._read()

    def _read(self) -> dict[str, int]:
        if not self.path.is_file():
            return {}
        try:
            doc = read_document(self.path, _FORMAT, _VERSION, "remembered concurrency windows")
        except StateError as exc:
            logger.warning("ignoring %s (%s); windows start at MAX_CONCURRENT_MODEL_CALLS", self.path, exc)
            return {}
        windows = doc.get("windows")
        if not isinstance(windows, dict):
            return {}
        return {str(k): int(v) for k, v in windows.items() if isinstance(v, int) and v >= 1}

    def recall(self, key: str) -> int | None:
        """The window that last worked for ``key``, or None."""
        with self._lock:
            return self._windows.get(key)

    def remember(self, key: str, window: int) -> None:
        """Keep ``window`` for ``key`` (in the file too; a file that cannot be written is only logged)."""
        with self._lock:
            if self._windows.get(key) == window:
                return
            self._windows[key] = window
            on_disk = self._read()  # another process may have remembered other providers since
            on_disk.update(self._windows)
            try:
                write_document(self.path, _FORMAT, _VERSION, {"windows": dict(sorted(on_disk.items()))},
                               indent=1)
            except OSError as exc:
                logger.warning("cannot remember the concurrency window in %s (%s)", self.path, exc)


def window_memory(runtime: Any = None) -> WindowMemory:
    """The window memory of ``runtime`` (default: the current one), read on first use."""
    from tinytroupe.config import user_dir
    from tinytroupe.runtime import current_runtime

    runtime = runtime or current_runtime()
    return runtime.part("llm.window_memory", lambda: WindowMemory(user_dir() / FILE_NAME))
