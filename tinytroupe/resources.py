"""Loaded heavy resources that every runtime of a process shares: one pool.

A llama.cpp model takes seconds and hundreds of megabytes to load, and one loaded copy must
be used by one thread at a time; two runtimes naming the same file and sizes use the same
engine. The garbage collector is one too (large fan-outs pause its scans of old objects and
put it back as it was). :func:`shared` gives the one object for a key, made on first request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["shared", "held"]

T = TypeVar("T")

_lock = threading.Lock()
_pool: dict[tuple[str, Hashable], Any] = {}
"""(kind, key) -> the loaded resource."""


def shared(kind: str, key: Hashable, make: Callable[[], T]) -> T:
    """The resource of ``kind`` stored under ``key``, made with ``make()`` on first request."""
    with _lock:
        found = _pool.get((kind, key))
        if found is None:
            found = _pool[(kind, key)] = make()
        return found


def held(kind: str) -> list[Hashable]:
    """The keys of the loaded resources of ``kind``."""
    with _lock:
        return [key for k, key in _pool if k == kind]
