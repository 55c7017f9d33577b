"""The lexical embedder: no model at all, words hashed into a fixed-size vector.

Used when no embedding model is available (the scripted model, a chat-only server, no key).
Each text becomes the counts of its word stems, saturated like BM25's term frequency
(``tf * (k1 + 1) / (tf + k1)``) and hashed with a sign into ``dimensions`` buckets; cosine of
two such vectors measures shared vocabulary. Memory and grounding indexes do better than
vectors with it: they keep a real BM25 inverted index over the same tokens
(:mod:`tinytroupe.memory.lexical`). :func:`tokenize` is the one tokenizer both use.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from functools import lru_cache

import numpy as np

from tinytroupe.llm.base import Usage
from tinytroupe.llm.embeddings import EmbeddingRequest, Embeddings

__all__ = ["LexicalEmbedder", "tokenize", "stem", "STOPWORDS", "DEFAULT_DIMENSIONS"]

DEFAULT_DIMENSIONS = 512
K1 = 1.2
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    "a an the and or but if of at by for with about against between into through during before after "
    "above below to from up down in out on off over under again further then once here there when where "
    "why how all any both each few more most other some such no nor not only own same so than too very "
    "can will just should now is are was were be been being have has had having do does did doing i me "
    "my myself we our ours you your yours he him his she her hers it its they them their theirs what "
    "which who whom this that these those am would could shall may might must also us".split()
)


_PLURAL = (("ies", "y"), ("sses", "ss"), ("s", ""))
_VERB = (("ing", ""), ("ed", ""))


def _strip(word: str, rules: tuple[tuple[str, str], ...]) -> str:
    for suffix, replacement in rules:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + replacement
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stem: plural and verb endings and a final e dropped (``meetings`` -> ``meet``)."""
    if not word.endswith(("ss", "us", "is")):
        word = _strip(word, _PLURAL)
    word = _strip(word, _VERB)
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def tokenize(text: str) -> list[str]:
    """The searchable tokens of ``text``: lower-case word stems, stop words and 1-letter words dropped."""
    return [stem(w) for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS]


@lru_cache(maxsize=65536)
def _bucket(token: str, dimensions: int) -> tuple[int, float]:
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dimensions, (1.0 if (value >> 63) & 1 else -1.0)


def lexical_vector(text: str, dimensions: int = DEFAULT_DIMENSIONS) -> np.ndarray:
    """The hashed, saturated, unit-length word-count vector of ``text``."""
    vector = np.zeros(dimensions, dtype=np.float32)
    for token, tf in Counter(tokenize(text)).items():
        index, sign = _bucket(token, dimensions)
        vector[index] += sign * tf * (K1 + 1) / (tf + K1)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


class LexicalEmbedder:
    """An :class:`~tinytroupe.llm.embeddings.EmbeddingModel` that needs no model: free and offline."""

    name = "lexical"
    kind = "lexical"
    endpoint = "lexical://bm25"

    def __init__(self, dimensions: int = DEFAULT_DIMENSIONS):
        if dimensions < 8:
            raise ValueError(f"LexicalEmbedder: dimensions must be at least 8, got {dimensions}")
        self.dimensions = int(dimensions)
        self.default_model = f"bm25-hash-{self.dimensions}"

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        if request.texts:
            vectors = np.stack([lexical_vector(t, self.dimensions) for t in request.texts])
        else:
            vectors = np.zeros((0, self.dimensions), dtype=np.float32)
        tokens = sum(len(tokenize(t)) for t in request.texts)
        return Embeddings(vectors, self.default_model, Usage(input_tokens=tokens), self.name, self.kind)

    async def aclose(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"LexicalEmbedder(dimensions={self.dimensions})"
