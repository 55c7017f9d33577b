"""BM25 over word stems: the search used when no embedding model is available.

An inverted index (stem -> {document: term count}) kept up to date on every add, so adding
a document costs its own length, never the size of the index; scoring touches only the
documents that share a stem with the query. The tokenizer is the lexical embedder's
(:func:`tinytroupe.llm.embeddings_lexical.tokenize`).
"""

from __future__ import annotations

import math
from collections import Counter

from tinytroupe.llm.embeddings_lexical import tokenize

__all__ = ["BM25Index"]


class BM25Index:
    """Okapi BM25 (``k1``, ``b``) over documents added in order; document ids are 0, 1, 2..."""

    def __init__(self, k1: float = 1.2, b: float = 0.75):
        self.k1 = k1
        self.b = b
        self.postings: dict[str, dict[int, int]] = {}
        self.lengths: list[int] = []
        self._total_length = 0

    def __len__(self) -> int:
        return len(self.lengths)

    def add(self, text: str) -> int:
        """Index ``text``; its document id."""
        doc = len(self.lengths)
        counts = Counter(tokenize(text))
        for token, tf in counts.items():
            self.postings.setdefault(token, {})[doc] = tf
        length = sum(counts.values())
        self.lengths.append(length)
        self._total_length += length
        return doc

    def scores(self, query: str) -> dict[int, float]:
        """BM25 score of every document sharing a stem with ``query`` (others score 0)."""
        n = len(self.lengths)
        if not n:
            return {}
        average = self._total_length / n or 1.0
        out: dict[int, float] = {}
        for token in set(tokenize(query)):
            docs = self.postings.get(token)
            if not docs:
                continue
            idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            for doc, tf in docs.items():
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[doc] / average)
                out[doc] = out.get(doc, 0.0) + idf * tf * (self.k1 + 1) / norm
        return out

    def search(self, query: str, top_k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """The ``top_k`` best ``(doc, score)`` pairs with a positive score, best first (older first on ties)."""
        scored = [(d, s) for d, s in self.scores(query).items() if s > 0 and (allowed is None or d in allowed)]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[: max(0, top_k)]
