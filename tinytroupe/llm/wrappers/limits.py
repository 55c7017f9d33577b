"""Concurrency and rate limits around a model.

At most ``max_concurrent`` calls are in flight per event loop (asyncio semaphores belong to
one loop, so each loop gets its own). Optional requests-per-minute and tokens-per-minute
limits share one sliding window across loops and threads; a call waits (without blocking the
loop) until the window has room. Tokens are estimated before the call (about four characters
per token, plus ``max_tokens``) and corrected with the real usage after it.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections import deque

from tinytroupe.llm.base import ChatRequest, Completion, LLMModel, ModelWrapper

__all__ = ["LimitedModel", "estimate_request_tokens"]

_WINDOW = 60.0


def estimate_request_tokens(request: ChatRequest) -> int:
    """A rough token count for a request: its characters / 4 plus the reply budget."""
    chars = sum(len(m.content) for m in request.messages)
    return chars // 4 + (request.max_tokens or 0)


class _Window:
    """Requests and tokens spent in the last minute."""

    def __init__(self, requests_per_minute: int, tokens_per_minute: int):
        self.rpm = requests_per_minute
        self.tpm = tokens_per_minute
        self.lock = threading.Lock()
        self.entries: deque[list[float]] = deque()  # [time, tokens]

    def _prune(self, now: float) -> None:
        while self.entries and now - self.entries[0][0] >= _WINDOW:
            self.entries.popleft()

    def try_take(self, tokens: int) -> tuple[list[float] | None, float]:
        """Reserve a slot: (entry, 0) when granted, else (None, seconds to wait)."""
        now = time.monotonic()
        with self.lock:
            self._prune(now)
            waits = []
            if self.rpm and len(self.entries) >= self.rpm:
                waits.append(self.entries[len(self.entries) - self.rpm][0] + _WINDOW - now)
            if self.tpm and self.entries:
                used = sum(e[1] for e in self.entries)
                if used + tokens > self.tpm:
                    waits.append(self._time_until_free(used + tokens - self.tpm, now))
            if waits:
                return None, max(0.01, max(waits))
            entry = [now, float(tokens)]
            self.entries.append(entry)
            return entry, 0.0

    def _time_until_free(self, excess: float, now: float) -> float:
        freed = 0.0
        for stamp, tokens in self.entries:
            freed += tokens
            if freed >= excess:
                return stamp + _WINDOW - now
        return _WINDOW

    def settle(self, entry: list[float], tokens: int) -> None:
        with self.lock:
            entry[1] = float(tokens)


class LimitedModel(ModelWrapper):
    """Bounds how many calls run at once and, optionally, requests and tokens per minute."""

    def __init__(self, inner: LLMModel, max_concurrent: int = 32, requests_per_minute: int = 0,
                 tokens_per_minute: int = 0):
        super().__init__(inner)
        if max_concurrent < 1:
            raise ValueError(
                f"LimitedModel: max_concurrent must be at least 1 (MAX_CONCURRENT_MODEL_CALLS), got {max_concurrent}")
        self.max_concurrent = max_concurrent
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self._window = _Window(requests_per_minute, tokens_per_minute) if (
            requests_per_minute or tokens_per_minute) else None
        self._semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary())
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.waited_for_rate = 0.0

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        with self._lock:
            sem = self._semaphores.get(loop)
            if sem is None:
                sem = asyncio.Semaphore(self.max_concurrent)
                self._semaphores[loop] = sem
            return sem

    async def _take_rate(self, request: ChatRequest) -> list[float] | None:
        if self._window is None:
            return None
        tokens = estimate_request_tokens(request)
        while True:
            entry, wait = self._window.try_take(tokens)
            if entry is not None:
                return entry
            with self._lock:
                self.waited_for_rate += wait
            await asyncio.sleep(wait)

    async def complete(self, request: ChatRequest) -> Completion:
        async with self._semaphore():
            entry = await self._take_rate(request)
            with self._lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                completion = await self.inner.complete(request)
            finally:
                with self._lock:
                    self.in_flight -= 1
            if entry is not None and self._window is not None:
                self._window.settle(entry, completion.usage.total_tokens or int(entry[1]))
            return completion
