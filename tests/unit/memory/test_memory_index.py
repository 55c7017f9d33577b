"""The one index for memories and documents: dense cosine or BM25, O(1) adds, plain-data state."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tinytroupe.errors import StateError
from tinytroupe.llm.base import Usage
from tinytroupe.llm.embeddings import Embeddings
from tinytroupe.llm.embeddings_lexical import LexicalEmbedder
from tinytroupe.memory import BM25Index, SemanticIndex


class CountingEmbedder:
    """Dense vectors from letter counts; records every text it embeds."""

    name, kind, endpoint = "counting", "dense", "counting://"

    def __init__(self, model="letters"):
        self.default_model = model
        self.embedded: list[str] = []
        self.requests = 0

    async def embed(self, request):
        self.requests += 1
        self.embedded.extend(request.texts)
        rows = [[t.count(c) + 0.01 for c in "abcdefghij"] for t in request.texts]
        return Embeddings(np.asarray(rows, dtype=np.float32), self.default_model, Usage(input_tokens=1), self.name)

    async def aclose(self):
        return None


def test_adds_are_embedded_once_in_batches_with_the_query():
    embedder = CountingEmbedder()
    index = SemanticIndex(embedder)
    index.add_all([f"{'a' * i}{'b' * (10 - i)}" for i in range(100)])
    index.search("aaaaaaaaab", 3)
    assert embedder.requests == 1 and len(embedder.embedded) == 101
    index.add("jjjj")
    hits = index.search("jjjj", 1)
    assert hits[0][0] == 100
    assert embedder.requests == 2 and embedder.embedded[-2:] == ["jjjj", "jjjj"]  # one new text + the query


def test_matrix_grows_by_doubling():
    embedder = CountingEmbedder()
    index = SemanticIndex(embedder)
    sizes = []
    for i in range(40):
        index.add("a" * (i + 1))
        index.search("a", 1)
        sizes.append(index._matrix.data.shape[0])
    assert sorted(set(sizes)) == [16, 32, 64]


def test_state_round_trips_exactly_and_restores_without_embedding():
    embedder = CountingEmbedder()
    index = SemanticIndex(embedder)
    index.add_all(["abc", "bcd", "jjj", "aaa"])
    before = index.search("aab", 2)
    state = json.loads(json.dumps(index.to_state()))
    assert state["dimensions"] == 10 and isinstance(state["vectors"], str)
    fresh = CountingEmbedder()
    restored = SemanticIndex.from_state(state, index.texts, fresh)
    assert restored.to_state() == state and restored.pending == 0
    assert fresh.embedded == []
    assert restored.search("aab", 2) == before
    assert fresh.embedded == ["aab"]  # only the query


def test_another_embedder_rebuilds_the_vectors_once():
    index = SemanticIndex(CountingEmbedder("v1"))
    index.add_all(["abc", "jjj"])
    index.search("abc", 1)
    other = CountingEmbedder("v2")
    moved = SemanticIndex.from_state(index.to_state(), index.texts, other)
    moved.search("abc", 1)
    assert other.embedded == ["abc", "jjj", "abc"]


def test_lexical_index_is_bm25_and_restores_from_texts():
    index = SemanticIndex(LexicalEmbedder())
    index.add_all(["The meeting moved to Friday.", "Bob likes sailing.", "Friday is pizza day at the office."])
    hits = index.search("when is the meeting", 5)
    assert [i for i, _ in hits] == [0]
    assert index.search("quantum chromodynamics", 5) == []
    assert [i for i, _ in index.search("friday", 5)] == [0, 2] or [i for i, _ in index.search("friday", 5)] == [2, 0]
    assert [i for i, _ in index.search("friday", 5, allowed={2})] == [2]
    restored = SemanticIndex.from_state(index.to_state(), index.texts, LexicalEmbedder())
    assert restored.search("when is the meeting", 5) == hits


def test_bad_vector_state_is_refused():
    with pytest.raises(StateError, match="dimensions"):
        SemanticIndex.from_state({"made_by": "dense:x:y", "dimensions": 3, "vectors": "AAAA"}, ["a"], CountingEmbedder())


def test_bm25_prefers_rare_terms():
    bm25 = BM25Index()
    for text in ["tea tea tea", "tea and biscuits", "coffee", "tea"]:
        bm25.add(text)
    assert bm25.search("biscuits tea", 2)[0][0] == 1


def test_bm25_small_and_large_paths_agree(monkeypatch):
    import random

    import tinytroupe.memory.lexical as lexical

    words = "tea coffee boat sail friday meeting report garden rain sister porto lisbon".split()
    rng = random.Random(3)
    bm25 = BM25Index()
    for _ in range(300):
        bm25.add(" ".join(rng.choice(words) for _ in range(8)))
    query = "boat meeting in porto on friday"
    small = bm25.search(query, 10)
    monkeypatch.setattr(lexical, "SMALL", 0)
    large = bm25.search(query, 10)
    assert [d for d, _ in small] == [d for d, _ in large]
    assert [round(s, 9) for _, s in small] == [round(s, 9) for _, s in large]
    every = bm25.scores(query)
    expected = sorted(((d, s) for d, s in every.items() if d in {5, 7}), key=lambda p: (-p[1], p[0]))
    assert bm25.search(query, 3, allowed={5, 7}) == expected


def test_top_positions_matches_a_full_sort_with_ties_and_allowed():
    from tinytroupe.memory.lexical import top_positions

    rng = np.random.default_rng(7)
    scores = rng.integers(0, 5, size=200).astype(float)  # many ties
    allowed = set(range(0, 200, 3))
    for k in (1, 4, 50, 200, 500):
        everyone = sorted(enumerate(scores.tolist()), key=lambda p: (-p[1], p[0]))[:k]
        assert top_positions(scores, k) == everyone
        kept = sorted(((i, s) for i, s in enumerate(scores.tolist()) if i in allowed),
                      key=lambda p: (-p[1], p[0]))[:k]
        got = [p for p in top_positions(scores, k, allowed | {-1, 999}, fill=-np.inf) if p[1] != -np.inf]
        assert got == kept
