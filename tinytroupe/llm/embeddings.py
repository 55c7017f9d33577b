"""The embedding seam: texts in, vectors with usage out.

It sits beside the chat seam and works the same way: providers implement
:class:`EmbeddingModel`; retry, limits, the budget guard, the call cache and usage accounting
are the same wrappers as the chat seam's (:mod:`tinytroupe.llm.wrappers`), with batching and the
lexical fallback added (:mod:`tinytroupe.llm.embedding_wrappers`); :func:`default_embedder` is the configured,
wrapped embedder of this process and :func:`embed` / :func:`aembed` call it::

    from tinytroupe.llm import embeddings
    result = embeddings.embed(["I like tea", "I enjoy green tea"], tags={"purpose": "similarity"})
    result.vectors        # numpy float32 array, one row per text
    embeddings.cosine(result.vectors[0], result.vectors[1])

Providers (see :mod:`tinytroupe.llm.embedding_setup` for how one is chosen): any
OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, Azure, Ollama, vLLM, LM Studio), the
embedded llama.cpp model in embedding mode, offline static word vectors (``wordllama``), and a
lexical fallback that needs no model.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from tinytroupe.errors import BadRequestError
from tinytroupe.llm.base import Usage, Wrapper

__all__ = [
    "EmbeddingRequest",
    "Embeddings",
    "EmbeddingModel",
    "EmbeddingWrapper",
    "EmbeddingsUnsupportedError",
    "default_embedder",
    "set_default_embedder",
    "reset_default_embedder",
    "embed",
    "aembed",
    "cosine",
    "describe_embedder",
    "text_cache_key",
    "encode_vector",
    "decode_vector",
]


class EmbeddingsUnsupportedError(BadRequestError):
    """The server or model does not offer embeddings (a chat-only server, a model without them)."""


@dataclass(frozen=True)
class EmbeddingRequest:
    """Texts to embed. ``tags`` (e.g. ``{"purpose": "recall"}``) are for accounting, never cached on."""

    texts: tuple[str, ...]
    model: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.texts, str):
            raise TypeError("EmbeddingRequest.texts must be a sequence of strings, not one string")
        object.__setattr__(self, "texts", tuple(str(t) for t in self.texts))

    def with_texts(self, texts: Sequence[str]) -> EmbeddingRequest:
        """The same request for other texts."""
        return EmbeddingRequest(tuple(texts), self.model, dict(self.tags))


def text_cache_key(provider: str, model: str, text: str) -> str:
    """The call-cache key of one text's vector: SHA-256 of provider, model and text, nothing else."""
    payload = json.dumps({"kind": "embedding", "provider": provider, "model": model, "text": text},
                         sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def encode_vector(vector: np.ndarray) -> str:
    """A float32 vector as base64 text (plain data for JSON and the cache)."""
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def decode_vector(text: str) -> np.ndarray:
    """The float32 vector :func:`encode_vector` wrote."""
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float32)


@dataclass(frozen=True)
class Embeddings:
    """Vectors for the texts of a request, in order: a float32 array of shape (texts, dimensions).

    ``kind`` is ``dense`` (a neural model: compare with cosine) or ``lexical`` (hashed word
    counts from the lexical fallback). ``cached`` counts the texts answered from the cache.
    """

    vectors: np.ndarray
    model: str
    usage: Usage = Usage()
    provider: str = ""
    kind: str = "dense"
    cached: int = 0

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def dimensions(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0


@runtime_checkable
class EmbeddingModel(Protocol):
    """What every embedding provider and wrapper implements.

    ``name`` is the provider (``openai``, ``azure``, ``local``, ``static``, ``lexical``); ``default_model``
    the model used when a request names none; ``kind`` is ``dense`` or ``lexical``.
    """

    name: str
    endpoint: str
    default_model: str
    kind: str

    async def embed(self, request: EmbeddingRequest) -> Embeddings: ...

    async def aclose(self) -> None: ...


class EmbeddingWrapper(Wrapper):
    """Base for embedders that wrap an embedder (batching, fallback; the wrappers of the stack too)."""

    inner: EmbeddingModel

    @property
    def kind(self) -> str:
        return self.inner.kind

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        return await self.inner.embed(request)


def describe_embedder(embedder: Any) -> str:
    """One line naming the embedder in use, e.g. ``openai text-embedding-3-small (dense)``."""
    active = getattr(embedder, "active", None)
    if callable(active):
        embedder = active()
    name = getattr(embedder, "name", "?")
    if name == "lexical":
        return "lexical (BM25 over words; no embedding model)"
    return f"{name} {getattr(embedder, 'default_model', '')} ({getattr(embedder, 'kind', 'dense')})".strip()


EMBEDDER_PART = "llm.embedder"  # the runtime part holding the wrapped default embedder


def default_embedder() -> EmbeddingModel:
    """The current runtime's embedder, built from its settings on first use."""
    from tinytroupe.runtime import current_runtime

    runtime = current_runtime()
    with runtime._lock:
        embedder = runtime.part(EMBEDDER_PART)
        if embedder is None:
            from tinytroupe.llm.embedding_setup import build_embedder_from_config

            embedder = build_embedder_from_config()
            runtime.set_part(EMBEDDER_PART, embedder)
        return embedder


def set_default_embedder(model: EmbeddingModel, *, wrap: bool = True) -> EmbeddingModel:
    """Use ``model`` as the current runtime's embedder (wrapped like a configured one unless ``wrap=False``)."""
    from tinytroupe.runtime import current_runtime

    if wrap:
        from tinytroupe.llm.embedding_setup import wrap_embedder

        model = wrap_embedder(model)
    current_runtime().set_part(EMBEDDER_PART, model)
    return model


def reset_default_embedder() -> None:
    """Forget the current runtime's embedder; the next :func:`default_embedder` rebuilds it."""
    from tinytroupe.runtime import current_runtime

    current_runtime().set_part(EMBEDDER_PART, None)


async def aembed(texts: Sequence[str], *, model: EmbeddingModel | None = None,
                 tags: dict[str, str] | None = None) -> Embeddings:
    """Vectors for ``texts`` from ``model`` (default: :func:`default_embedder`)."""
    embedder = model or default_embedder()
    request = EmbeddingRequest(tuple(texts), tags={"purpose": "embedding", **(tags or {})})
    return await embedder.embed(request)


def embed(texts: Sequence[str], *, model: EmbeddingModel | None = None,
          tags: dict[str, str] | None = None) -> Embeddings:
    """Blocking twin of :func:`aembed` (also works inside a running event loop)."""
    from tinytroupe._sync import run_sync

    return run_sync(aembed(texts, model=model, tags=tags))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors (0 when either is all zeros)."""
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / norm) if norm > 0 else 0.0
