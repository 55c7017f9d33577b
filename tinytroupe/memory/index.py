"""One searchable index of texts, for agents' memories and grounding documents alike.

With a dense embedder, texts are embedded in batches (pending texts go in one request with
the next query) into a float32 matrix of unit rows that grows by doubling, so an add is O(1)
amortised and a search is one matrix-vector product (cosine). With the lexical embedder the
same texts go into a BM25 inverted index instead (:class:`~tinytroupe.memory.lexical.BM25Index`).

State is plain data: the embedder that made the vectors and the vectors as base64 float32
(:meth:`SemanticIndex.to_state`); texts belong to the owner, who hands them back to
:meth:`SemanticIndex.from_state`. A restored index searches without re-embedding anything. When
the embedder in use differs from the one that made the stored vectors (another model, a
fallback to lexical), the index rebuilds itself once with the new one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import numpy as np

from tinytroupe.errors import StateError
from tinytroupe.llm.embedding_wrappers import decode_vector, encode_vector
from tinytroupe.llm.embeddings import EmbeddingModel, default_embedder
from tinytroupe.memory.lexical import BM25Index, top_positions

__all__ = ["SemanticIndex", "embedder_id", "EmbedVia"]

EmbedVia = Callable[[EmbeddingModel, list[str], dict[str, str]], Awaitable[np.ndarray]]


def embedder_id(embedder: EmbeddingModel) -> str:
    """What identifies the vectors an embedder makes: ``kind:provider:model``."""
    return f"{embedder.kind}:{embedder.name}:{embedder.default_model}"


class _Matrix:
    """Unit-length float32 rows in a buffer that doubles when full."""

    def __init__(self, dimensions: int, capacity: int = 16):
        self.data = np.zeros((capacity, dimensions), dtype=np.float32)
        self.count = 0

    def append(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        rows = rows / np.where(norms > 0, norms, 1.0)
        needed = self.count + len(rows)
        if needed > len(self.data):
            grown = np.zeros((max(needed, 2 * len(self.data)), self.data.shape[1]), dtype=np.float32)
            grown[: self.count] = self.data[: self.count]
            self.data = grown
        self.data[self.count:needed] = rows
        self.count = needed

    @property
    def rows(self) -> np.ndarray:
        return self.data[: self.count]


class SemanticIndex:
    """Texts searchable by relevance to a query; see the module docstring.

    ``embedder`` None uses the process's default embedder when first needed. ``tags`` are
    added to every embedding request (``purpose``, ``agent``) for cost reporting.
    """

    def __init__(self, embedder: EmbeddingModel | None = None, *, tags: dict[str, str] | None = None):
        self._embedder = embedder
        self.tags = {"purpose": "embedding", **(tags or {})}
        self.texts: list[str] = []
        self._made_by: str | None = None  # embedder_id of the vectors / BM25
        self._matrix: _Matrix | None = None
        self._bm25: BM25Index | None = None

    # -- adding ----------------------------------------------------------------------------
    def add(self, text: str) -> int:
        """Add one text (embedded at the next search or :meth:`aflush`); its position."""
        self.texts.append(str(text))
        if self._bm25 is not None:
            self._bm25.add(self.texts[-1])
        return len(self.texts) - 1

    def add_all(self, texts: Sequence[str]) -> None:
        for text in texts:
            self.add(text)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def embedder(self) -> EmbeddingModel:
        return self._embedder or default_embedder()

    @property
    def pending(self) -> int:
        """Texts not embedded yet (0 with the lexical embedder)."""
        if self._bm25 is not None:
            return 0
        return len(self.texts) - (self._matrix.count if self._matrix is not None else 0)

    # -- keeping in step with the embedder -------------------------------------------------
    def _sync_kind(self, embedder: EmbeddingModel) -> None:
        made_by = embedder_id(embedder)
        if self._made_by == made_by:
            return
        self._made_by = made_by
        self._matrix = None
        self._bm25 = None
        if embedder.kind == "lexical":
            self._bm25 = BM25Index()
            for text in self.texts:
                self._bm25.add(text)

    async def _embed(self, texts: list[str]) -> np.ndarray:
        result = await self.embedder.embed(_request(texts, self.tags))
        return result.vectors

    async def aflush(self, query: str | None = None, *, via: EmbedVia | None = None) -> np.ndarray | None:
        """Embed the pending texts (and ``query``) in one request; the query's vector.

        ``via(embedder, texts, tags)``, when given, makes the request instead (e.g. together with
        other indexes' texts)."""
        embedder = self.embedder
        self._sync_kind(embedder)
        if self._bm25 is not None:
            return None
        start = self._matrix.count if self._matrix is not None else 0
        batch = self.texts[start:] + ([query] if query is not None else [])
        if not batch:
            return None
        vectors = await (self._embed(batch) if via is None else via(embedder, batch, self.tags))
        if embedder_id(self.embedder) != self._made_by:  # the embedder fell back while embedding
            self._sync_kind(self.embedder)
            return await self.aflush(query)
        stored = vectors[: len(vectors) - (1 if query is not None else 0)]
        if len(stored):
            if self._matrix is None:
                self._matrix = _Matrix(vectors.shape[1], max(16, len(stored)))
            self._matrix.append(stored)
        return vectors[-1] if query is not None else None

    # -- searching -------------------------------------------------------------------------
    async def asearch(self, query: str, top_k: int = 10, *, min_score: float | None = None,
                      allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """The ``top_k`` most relevant ``(position, score)`` pairs, best first.

        Lexical: BM25 scores, only texts sharing a word stem with ``query``. Dense: cosine, at
        least ``min_score`` (default 0). ``allowed`` limits the search to some positions.
        """
        if not self.texts or top_k <= 0 or not query.strip():
            return []
        vector = await self.aflush(query)
        if self._bm25 is not None:
            return self._bm25.search(query, top_k, allowed)
        return self.search_vector(vector, top_k, min_score=min_score, allowed=allowed)

    def search_vector(self, vector: np.ndarray | None, top_k: int = 10, *, min_score: float | None = None,
                      allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """Dense search with a query vector made earlier, over the texts embedded so far (no request)."""
        if vector is None or self._matrix is None or top_k <= 0:
            return []
        q = np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(q))
        if norm == 0 or q.shape != (self._matrix.rows.shape[1],):  # none, or made by another embedder
            return []
        # einsum, not BLAS: a matrix-vector product is memory-bound, and BLAS threads waking on busy
        # cores cost 10-20 ms per search (measured), more than the product itself
        scores = np.einsum("ij,j->i", self._matrix.rows, q / norm)
        floor = 0.0 if min_score is None else min_score
        ranked = top_positions(scores, top_k, allowed, fill=-np.inf)
        return [(i, s) for i, s in ranked if s >= floor and s != -np.inf]

    def search(self, query: str, top_k: int = 10, **kwargs: Any) -> list[tuple[int, float]]:
        """Blocking twin of :meth:`asearch`."""
        from tinytroupe._sync import run_sync

        return run_sync(self.asearch(query, top_k, **kwargs))

    # -- state -----------------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """The vectors (base64 float32 rows) and who made them; texts stay with the owner."""
        state: dict[str, Any] = {"made_by": self._made_by}
        if self._matrix is not None and self._matrix.count:
            state["dimensions"] = int(self._matrix.data.shape[1])
            state["vectors"] = encode_vector(self._matrix.rows.reshape(-1))
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any] | None, texts: Sequence[str], embedder: EmbeddingModel | None = None,
                   *, tags: dict[str, str] | None = None) -> SemanticIndex:
        """An index over ``texts`` with the vectors of ``state`` (nothing is embedded again)."""
        index = cls(embedder, tags=tags)
        index.texts = [str(t) for t in texts]
        state = state or {}
        index._made_by = state.get("made_by")
        if index._made_by and index._made_by.startswith("lexical:"):
            index._bm25 = BM25Index()
            for text in index.texts:
                index._bm25.add(text)
        elif state.get("vectors"):
            try:
                flat = decode_vector(state["vectors"])
            except (ValueError, TypeError):
                flat = np.zeros(1, dtype=np.float32)
            dims = int(state.get("dimensions") or 0)
            if dims <= 0 or flat.size % dims or flat.size // dims > len(index.texts):
                raise StateError("semantic index state: 'vectors' does not match 'dimensions' and the texts; "
                                 "drop the 'index' entry to rebuild it from the texts.")
            index._matrix = _Matrix(dims, max(16, flat.size // dims))
            index._matrix.data[: flat.size // dims] = flat.reshape(-1, dims)
            index._matrix.count = flat.size // dims
        return index

    def nbytes(self) -> int:
        """Bytes held by the vectors (the matrix buffer, spare capacity included)."""
        return int(self._matrix.data.nbytes) if self._matrix is not None else 0


def _request(texts: list[str], tags: dict[str, str]):
    from tinytroupe.llm.embeddings import EmbeddingRequest

    return EmbeddingRequest(tuple(texts), tags=dict(tags))
