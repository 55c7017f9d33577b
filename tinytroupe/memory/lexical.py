"""BM25 over word stems: the search used when no embedding model is available.

An inverted index (stem -> documents and term counts) kept up to date on every add, so
adding a document costs its own length, never the size of the index; scoring touches only
the documents that share a stem with the query, with numpy (a stem's postings become arrays
the first time a query needs them, and again only after documents were added). The tokenizer
is the lexical embedder's (:func:`tinytroupe.llm.embeddings_lexical.tokenize`).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from tinytroupe.llm.embeddings_lexical import tokenize

__all__ = ["BM25Index", "top_positions"]

SMALL = 500  # documents: below this, scoring in plain Python beats numpy's per-call cost


def top_positions(scores: np.ndarray, top_k: int, allowed: set[int] | None = None,
                  fill: float = 0.0) -> list[tuple[int, float]]:
    """The ``top_k`` best ``(position, score)`` pairs of ``scores``, best first, older first on ties.

    Positions outside ``allowed`` (when given) score ``fill``.
    """
    if allowed is not None:
        mask = np.zeros(len(scores), dtype=bool)
        mask[[i for i in allowed if 0 <= i < len(scores)]] = True
        scores = np.where(mask, scores, fill)
    k = min(top_k, len(scores))
    if k < len(scores):  # every position tied with the k-th best is a candidate: ties go to the older
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        best = np.nonzero(scores >= kth)[0]
    else:
        best = np.arange(len(scores))
    return sorted(((int(i), float(scores[i])) for i in best), key=lambda p: (-p[1], p[0]))[:k]


class BM25Index:
    """Okapi BM25 (``k1``, ``b``) over documents added in order; document ids are 0, 1, 2..."""

    def __init__(self, k1: float = 1.2, b: float = 0.75):
        self.k1 = k1
        self.b = b
        self.postings: dict[str, tuple[list[int], list[int]]] = {}  # stem -> (documents, term counts)
        self.lengths: list[int] = []
        self._total_length = 0
        self._arrays: dict[str, tuple[int, np.ndarray, np.ndarray]] = {}  # stem -> (size, docs, tfs)
        self._lengths = np.zeros(0, dtype=np.float64)

    def __len__(self) -> int:
        return len(self.lengths)

    def add(self, text: str) -> int:
        """Index ``text``; its document id."""
        doc = len(self.lengths)
        counts = Counter(tokenize(text))
        for token, tf in counts.items():
            docs, tfs = self.postings.setdefault(token, ([], []))
            docs.append(doc)
            tfs.append(tf)
        length = sum(counts.values())
        self.lengths.append(length)
        self._total_length += length
        return doc

    def _postings(self, token: str) -> tuple[np.ndarray, np.ndarray] | None:
        entry = self.postings.get(token)
        if entry is None:
            return None
        cached = self._arrays.get(token)
        if cached is None or cached[0] != len(entry[0]):
            cached = (len(entry[0]), np.asarray(entry[0], dtype=np.int64), np.asarray(entry[1], dtype=np.float64))
            self._arrays[token] = cached
        return cached[1], cached[2]

    def _vector(self, query: str) -> np.ndarray | None:
        """The BM25 score of every document for ``query`` (None when no stem of it is indexed)."""
        n = len(self.lengths)
        if not n:
            return None
        if len(self._lengths) != n:
            self._lengths = np.asarray(self.lengths, dtype=np.float64)
        average = self._total_length / n or 1.0
        total: np.ndarray | None = None
        for token in set(tokenize(query)):
            found = self._postings(token)
            if found is None:
                continue
            docs, tfs = found
            if total is None:
                total = np.zeros(n, dtype=np.float64)
            idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            norms = self.k1 * (1 - self.b + self.b * self._lengths[docs] / average)
            total[docs] += idf * tfs * (self.k1 + 1) / (tfs + norms)
        return total

    def _small_scores(self, query: str) -> dict[int, float]:
        """BM25 in plain Python: faster than numpy's per-call overhead for a few hundred documents."""
        n = len(self.lengths)
        average = self._total_length / n or 1.0
        out: dict[int, float] = {}
        for token in set(tokenize(query)):
            entry = self.postings.get(token)
            if entry is None:
                continue
            docs, tfs = entry
            idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            for doc, tf in zip(docs, tfs, strict=True):
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[doc] / average)
                out[doc] = out.get(doc, 0.0) + idf * tf * (self.k1 + 1) / norm
        return out

    def scores(self, query: str) -> dict[int, float]:
        """BM25 score of every document sharing a stem with ``query`` (others score 0)."""
        if len(self.lengths) <= SMALL:
            return {d: s for d, s in self._small_scores(query).items() if s > 0} if self.lengths else {}
        total = self._vector(query)
        if total is None:
            return {}
        return {int(d): float(total[d]) for d in np.nonzero(total > 0)[0]}

    def search(self, query: str, top_k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """The ``top_k`` best ``(doc, score)`` pairs with a positive score, best first (older first on ties)."""
        if len(self.lengths) <= SMALL:
            scored = [(d, s) for d, s in self.scores(query).items() if allowed is None or d in allowed]
            scored.sort(key=lambda pair: (-pair[1], pair[0]))
            return scored[: max(0, top_k)]
        total = self._vector(query)
        if total is None or top_k <= 0:
            return []
        return [(d, s) for d, s in top_positions(total, top_k, allowed, fill=0.0) if s > 0]
