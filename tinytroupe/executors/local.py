"""The local executor: shards run as asyncio tasks in this process, in the current runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from tinytroupe.fanout import resolve_task

__all__ = ["LocalExecutor"]


class LocalExecutor:
    """Runs every shard concurrently on this process's event loop, in the caller's runtime.

    ``workers`` is how many shards callers cut their work into (default 1: one shard, the same
    requests as calling without an executor); more shards change nothing in the results, which
    makes the local executor the reference the Ray executor is compared with.
    """

    name = "local"

    def __init__(self, workers: int = 1):
        if int(workers) < 1:
            raise ValueError(f"LocalExecutor: workers must be at least 1, got {workers}")
        self.workers = int(workers)

    async def map(self, task: str, payloads: Sequence[Any], shared: Any = None) -> list[Any]:
        """``task(payload, shared)`` for every payload, concurrently, results in payload order."""
        func = resolve_task(task)
        return list(await asyncio.gather(*(func(p, shared) for p in payloads)))

    def close(self) -> None:
        """Nothing to release (the Ray executor's twin)."""

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LocalExecutor(workers={self.workers})"
