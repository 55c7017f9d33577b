"""Embedders that wrap an embedder: batching, retry, limits, the call cache, usage, fallback.

The same policies as the chat seam's wrappers, for ``embed(texts)``:

- :class:`BatchingEmbedder` splits a long request into batches (``EMBEDDING_BATCH_SIZE``) sent concurrently;
- :class:`RetryingEmbedder` retries :class:`~tinytroupe.errors.TransientError` with backoff and jitter;
- :class:`LimitedEmbedder` bounds calls in flight and requests/tokens per minute;
- :class:`CachedEmbedder` answers each text from the SQLite call cache, keyed by provider,
  model and text, and sends only the misses, in one request;
- :class:`EmbeddingUsageTracker` counts calls, cached texts, tokens and cost into the usage tally;
- :class:`FallbackEmbedder` switches to the lexical embedder, with one warning, when the
  provider does not serve embeddings.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import random
import threading
import warnings
import weakref
from typing import Any

import numpy as np

from tinytroupe import contracts, events
from tinytroupe.errors import TransientError
from tinytroupe.llm.base import Usage
from tinytroupe.llm.embeddings import (
    EmbeddingModel,
    EmbeddingRequest,
    Embeddings,
    EmbeddingsUnsupportedError,
    EmbeddingWrapper,
)
from tinytroupe.llm.wrappers.pricing import FREE_PROVIDERS, cost_of
from tinytroupe.llm.wrappers.retry import backoff_delay
from tinytroupe.llm.wrappers.usage import UsageStats, usage_stats

__all__ = ["BatchingEmbedder", "RetryingEmbedder", "LimitedEmbedder", "CachedEmbedder",
           "EmbeddingUsageTracker", "FallbackEmbedder", "encode_vector", "decode_vector"]

logger = logging.getLogger(__name__)


def encode_vector(vector: np.ndarray) -> str:
    """A float32 vector as base64 text (plain data for JSON and the cache)."""
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def decode_vector(text: str) -> np.ndarray:
    """The float32 vector :func:`encode_vector` wrote."""
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float32)


def _join(parts: list[Embeddings], model: str, provider: str, kind: str) -> Embeddings:
    vectors = [p.vectors for p in parts if len(p)]
    stacked = np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
    usage = Usage(input_tokens=sum(p.usage.input_tokens for p in parts))
    return Embeddings(stacked, parts[0].model if parts else model, usage, provider, kind,
                      cached=sum(p.cached for p in parts))


class BatchingEmbedder(EmbeddingWrapper):
    """Sends at most ``batch_size`` texts per request; the batches of one request run concurrently."""

    def __init__(self, inner: EmbeddingModel, batch_size: int = 128):
        super().__init__(inner)
        if batch_size < 1:
            raise ValueError(f"EMBEDDING_BATCH_SIZE must be at least 1, got {batch_size}")
        self.batch_size = batch_size

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        texts = request.texts
        if len(texts) <= self.batch_size:
            return await self.inner.embed(request)
        chunks = [texts[i:i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        parts = await asyncio.gather(*(self.inner.embed(request.with_texts(c)) for c in chunks))
        return _join(list(parts), request.model or self.default_model, self.name, self.kind)


class RetryingEmbedder(EmbeddingWrapper):
    """Retries transient failures: ``initial_delay * backoff_factor ** n`` (half of it jitter), or Retry-After."""

    def __init__(self, inner: EmbeddingModel, max_attempts: int = 5, backoff_factor: float = 2.0, *,
                 initial_delay: float = 0.5, max_delay: float = 30.0, rng: random.Random | None = None):
        super().__init__(inner)
        if max_attempts < 1:
            raise ValueError(f"RetryingEmbedder: max_attempts must be at least 1 (MAX_ATTEMPTS), got {max_attempts}")
        self.max_attempts = max_attempts
        self.backoff_factor = backoff_factor
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.rng = rng or random.Random(0)
        self.retries = 0

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self.inner.embed(request)
            except TransientError as exc:
                if attempt >= self.max_attempts:
                    raise
                delay = backoff_delay(attempt, exc, initial_delay=self.initial_delay,
                                      backoff_factor=self.backoff_factor, max_delay=self.max_delay,
                                      max_retry_after=120.0, jitter=self.rng.random)
                self.retries += 1
                events.emit(contracts.LLMRetry(attempt, str(exc), exc.status, round(delay, 3)),
                            source=request.tags.get("agent"))
                await asyncio.sleep(delay)


class LimitedEmbedder(EmbeddingWrapper):
    """At most ``max_concurrent`` embedding calls in flight per event loop, and optional per-minute limits."""

    def __init__(self, inner: EmbeddingModel, max_concurrent: int = 32, requests_per_minute: int = 0,
                 tokens_per_minute: int = 0):
        super().__init__(inner)
        from tinytroupe.llm.wrappers.limits import _Window

        self.max_concurrent = max(1, int(max_concurrent))
        self._window = _Window(requests_per_minute, tokens_per_minute) if (
            requests_per_minute or tokens_per_minute) else None
        self._semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary())
        self._lock = threading.Lock()

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        with self._lock:
            return self._semaphores.setdefault(loop, asyncio.Semaphore(self.max_concurrent))

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        async with self._semaphore():
            if self._window is not None:
                tokens = sum(len(t) for t in request.texts) // 4
                while True:
                    entry, wait = self._window.try_take(tokens)
                    if entry is not None:
                        break
                    await asyncio.sleep(wait)
            return await self.inner.embed(request)


class CachedEmbedder(EmbeddingWrapper):
    """Answers each text from a :class:`~tinytroupe.llm.cache.CallCache`; only misses are sent, together."""

    def __init__(self, inner: EmbeddingModel, cache: Any):
        super().__init__(inner)
        self.cache = cache

    def key_for(self, text: str, model: str) -> str:
        """The cache key of one text: provider, model and text, nothing else."""
        payload = json.dumps({"kind": "embedding", "provider": self.inner.name, "model": model, "text": text},
                             sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        model = request.model or self.default_model
        found: dict[int, np.ndarray] = {}
        missing: list[int] = []
        for i, text in enumerate(request.texts):
            stored = self.cache.get(self.key_for(text, model))
            vector = stored.get("vector") if isinstance(stored, dict) else None
            if isinstance(vector, str):
                found[i] = decode_vector(vector)
            else:
                missing.append(i)
        usage, answered_model = Usage(), model
        if missing:
            fresh = await self.inner.embed(request.with_texts([request.texts[i] for i in missing]))
            usage, answered_model = fresh.usage, fresh.model
            for row, i in enumerate(missing):
                found[i] = fresh.vectors[row]
                self.cache.put(self.key_for(request.texts[i], model),
                               {"vector": encode_vector(fresh.vectors[row]), "model": fresh.model})
        rows = [found[i] for i in range(len(request.texts))]
        vectors = np.stack(rows).astype(np.float32) if rows else np.zeros((0, 0), dtype=np.float32)
        return Embeddings(vectors, answered_model, usage, self.name, self.kind,
                          cached=len(request.texts) - len(missing))


class EmbeddingUsageTracker(EmbeddingWrapper):
    """Counts each embedding call into ``stats`` (tagged ``purpose=embedding`` unless the caller says);
    a call answered wholly from the cache counts as a cached call costing nothing."""

    def __init__(self, inner: EmbeddingModel, *, stats: UsageStats | None = None):
        super().__init__(inner)
        self.stats = stats if stats is not None else usage_stats()  # the runtime it was built in

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        model = request.model or self.default_model
        tags = {"purpose": "embedding", **request.tags}
        try:
            result = await self.inner.embed(request)
        except Exception:
            self.stats.record_failure(model, tags)
            raise
        cached = bool(request.texts) and result.cached == len(request.texts)
        provider = result.provider or self.name
        cost = 0.0 if cached or provider in FREE_PROVIDERS or provider == "lexical" else cost_of(
            result.model, result.usage.input_tokens, 0, provider)
        self.stats.record_call(result.model or model, tags, input_tokens=result.usage.input_tokens,
                               output_tokens=0, cached=cached, cost=cost)
        events.emit(contracts.LLMEmbed(provider, result.model, len(request.texts), result.cached,
                                      result.usage.input_tokens, tags, cost), source=request.tags.get("agent"))
        return result


class FallbackEmbedder(EmbeddingWrapper):
    """Uses ``inner`` until it says it has no embeddings, then ``fallback`` for good, after one warning."""

    def __init__(self, inner: EmbeddingModel, fallback: EmbeddingModel):
        super().__init__(inner)
        self.fallback = fallback
        self.fell_back: str | None = None
        self._lock = threading.Lock()

    def active(self) -> EmbeddingModel:
        """The embedder now answering requests."""
        return self.fallback if self.fell_back else self.inner

    @property
    def name(self) -> str:
        return self.active().name

    @property
    def default_model(self) -> str:
        return self.active().default_model

    @property
    def kind(self) -> str:
        return self.active().kind

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        if self.fell_back:
            return await self.fallback.embed(request)
        try:
            return await self.inner.embed(request)
        except EmbeddingsUnsupportedError as exc:
            self._switch(str(exc))
            return await self.fallback.embed(request)

    def _switch(self, reason: str) -> None:
        with self._lock:
            if self.fell_back:
                return
            self.fell_back = reason
        message = f"embeddings: {reason}. Using the lexical fallback (BM25 over words) from now on."
        logger.warning(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)
        events.emit(contracts.LLMEmbeddingFallback(reason, "lexical"))
        from tinytroupe.llm.embedding_setup import note_embedder

        note_embedder(self)
