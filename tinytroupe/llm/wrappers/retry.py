"""Retrying transient failures of chat and embedding calls: exponential backoff with jitter,
honouring Retry-After.

Only :class:`~tinytroupe.errors.TransientError` (429, 5xx, timeouts, dropped connections) is
retried. Authentication and bad-request errors pass through at once: retrying them would only
delay the message that says what to fix.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import deque
from collections.abc import Callable

from tinytroupe import contracts, events
from tinytroupe.errors import TransientError
from tinytroupe.llm.base import ChatRequest, LLMModel
from tinytroupe.llm.embeddings import EmbeddingModel, EmbeddingRequest
from tinytroupe.llm.wrappers.seams import Req, Res, Seam, Send, StackWrapper

__all__ = ["RetryingModel", "backoff_delay"]

RetryListener = Callable[[ChatRequest | EmbeddingRequest, TransientError, float], None]


def backoff_delay(retry: int, error: TransientError, *, initial_delay: float, backoff_factor: float,
                  max_delay: float, max_retry_after: float, jitter: Callable[[], float]) -> float:
    """Seconds to wait before retry number ``retry`` (1-based) after ``error``.

    The server's Retry-After (capped at ``max_retry_after``) when it sent one; otherwise
    ``initial_delay * backoff_factor ** (retry - 1)`` capped at ``max_delay``, of which half
    is scaled by ``jitter()`` (a number in [0, 1), drawn only then).
    """
    if error.retry_after is not None:
        return min(max(0.0, error.retry_after), max_retry_after)
    base = min(initial_delay * backoff_factor ** (retry - 1), max_delay)
    return base / 2 + base / 2 * jitter()


class RetryingModel(StackWrapper):
    """Calls ``inner`` (a chat model or an embedder) up to ``max_attempts`` times while it fails transiently.

    The n-th retry waits ``initial_delay * backoff_factor ** (n - 1)`` seconds (at most
    ``max_delay``), of which a random half is jitter; a server's Retry-After (up to
    ``max_retry_after``) replaces that. ``waiting_time`` is a pause before every call.
    ``on_retry(request, error, delay)`` is told of each retry (usage accounting uses it).
    """

    def __init__(
        self,
        inner: LLMModel | EmbeddingModel,
        max_attempts: int = 5,
        backoff_factor: float = 2.0,
        *,
        initial_delay: float = 0.5,
        max_delay: float = 30.0,
        max_retry_after: float = 120.0,
        waiting_time: float = 0.0,
        rng: random.Random | None = None,
        on_retry: RetryListener | None = None,
    ):
        super().__init__(inner)
        if max_attempts < 1:
            raise ValueError(f"RetryingModel: max_attempts must be at least 1 (MAX_ATTEMPTS), got {max_attempts}")
        self.max_attempts = max_attempts
        self.backoff_factor = backoff_factor
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self.waiting_time = waiting_time
        self.rng = rng or random.Random(0)
        self.on_retry = on_retry
        self._lock = threading.Lock()
        self.retries = 0
        self.gave_up = 0
        self.delays: deque[float] = deque(maxlen=1000)  # the most recent delays, for inspection

    def delay_for(self, retry: int, error: TransientError) -> float:
        """Seconds to wait before retry number ``retry`` (1-based) after ``error``."""
        return backoff_delay(retry, error, initial_delay=self.initial_delay, backoff_factor=self.backoff_factor,
                             max_delay=self.max_delay, max_retry_after=self.max_retry_after, jitter=self._jitter)

    def _jitter(self) -> float:
        with self._lock:
            return self.rng.random()

    async def call(self, request: Req, send: Send[Req, Res], seam: Seam[Req, Res]) -> Res:
        attempt = 0
        while True:
            attempt += 1
            if self.waiting_time > 0:
                await asyncio.sleep(self.waiting_time)
            try:
                return await send(request)
            except TransientError as exc:
                if attempt >= self.max_attempts:
                    with self._lock:
                        self.gave_up += 1
                    raise
                delay = self.delay_for(attempt, exc)
                with self._lock:
                    self.retries += 1
                    self.delays.append(delay)
                events.emit(contracts.LLMRetry(attempt, str(exc), exc.status, round(delay, 3),
                                                self.model_of(request), dict(seam.tags(request))),
                            source=request.tags.get("agent"))
                if self.on_retry is not None:
                    self.on_retry(request, exc, delay)
                await asyncio.sleep(delay)

    def reset_counters(self) -> None:
        """Zero the retry counters."""
        with self._lock:
            self.retries = 0
            self.gave_up = 0
            self.delays.clear()
