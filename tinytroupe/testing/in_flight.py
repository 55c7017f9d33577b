"""A model wrapper that counts calls in flight: tests show concurrency by overlap, not by timing."""

from __future__ import annotations

import threading

from tinytroupe.llm.base import ChatRequest, Completion, LLMModel, ModelWrapper

__all__ = ["InFlightCounter"]


class InFlightCounter(ModelWrapper):
    """Wraps a model; ``calls`` and ``max_in_flight`` (the most calls awaiting a reply at once)."""

    def __init__(self, inner: LLMModel):
        super().__init__(inner)
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    async def complete(self, request: ChatRequest) -> Completion:
        with self._lock:
            self.calls += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self.inner.complete(request)
        finally:
            with self._lock:
                self.in_flight -= 1
