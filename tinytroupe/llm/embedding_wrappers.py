"""The two wrappers only embeddings need: batching and the lexical fallback.

Retry, limits, the budget guard, the call cache and usage accounting are the chat seam's own
wrappers (:mod:`tinytroupe.llm.wrappers`, :class:`~tinytroupe.llm.cache.CachedModel`), which
serve ``embed`` as they serve ``complete``; the names they had here stay as aliases.

- :class:`BatchingEmbedder` splits a long request into batches (``EMBEDDING_BATCH_SIZE``) sent concurrently;
- :class:`FallbackEmbedder` switches to the lexical embedder, with one warning, when the
  provider does not serve embeddings.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import warnings
from collections.abc import Callable

import numpy as np

from tinytroupe import contracts, events
from tinytroupe.llm.base import Usage
from tinytroupe.llm.cache import CachedModel
from tinytroupe.llm.embeddings import (
    EmbeddingModel,
    EmbeddingRequest,
    Embeddings,
    EmbeddingsUnsupportedError,
    EmbeddingWrapper,
    decode_vector,
    encode_vector,
)
from tinytroupe.llm.wrappers.limits import LimitedModel
from tinytroupe.llm.wrappers.retry import RetryingModel
from tinytroupe.llm.wrappers.usage import UsageTracker

__all__ = ["BatchingEmbedder", "FallbackEmbedder", "RetryingEmbedder", "LimitedEmbedder", "CachedEmbedder",
           "EmbeddingUsageTracker", "encode_vector", "decode_vector"]

logger = logging.getLogger(__name__)

# the stack's wrappers serve both seams; these names are those they had for embeddings
RetryingEmbedder = RetryingModel
LimitedEmbedder = LimitedModel
CachedEmbedder = CachedModel
EmbeddingUsageTracker = UsageTracker


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


class FallbackEmbedder(EmbeddingWrapper):
    """Uses ``inner`` until it says it has no embeddings, then ``fallback`` for good, after one warning.

    ``on_switch(self)`` is told once, when it switches (the setup notes the embedder in use).
    """

    def __init__(self, inner: EmbeddingModel, fallback: EmbeddingModel, *,
                 on_switch: Callable[[FallbackEmbedder], None] | None = None):
        super().__init__(inner)
        self.fallback = fallback
        self.on_switch = on_switch
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
        if self.on_switch is not None:
            self.on_switch(self)
