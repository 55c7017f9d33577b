"""The offline embedder: static word vectors shipped inside the ``wordllama`` wheel.

Each token of a text looks up a 256-dimensional vector (``l2_supercat``: a vocabulary of
32,000 tokens, 16 MB of float32 weights distilled from large models' token embeddings) and the
text's vector is their average. No network, no torch, no server: the weights and the tokenizer
are files of the installed package, loaded once per process on first use (about a second), and
10,000 short texts embed in about a second on one core. Install with
``pip install -e ".[embeddings]"``.

Averaged word vectors rank texts by topic and paraphrase well ("what is my pet called" finds
"My cat is named Pixel") but are blind to word order and weak on negation: "I like coffee" and
"I do not like coffee" come out nearly identical (cosine 0.92). So this embedder reports
``sees_negation = False``, and what scores answers on a scale by similarity (the survey's
semantic-similarity rating) refuses it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from tinytroupe.errors import MissingExtraError
from tinytroupe.llm.base import ModelCapabilities, Usage
from tinytroupe.llm.embeddings import EmbeddingRequest, Embeddings, EmbeddingsUnsupportedError

__all__ = ["StaticEmbedder", "static_embedder_available", "INSTALL_HINT", "WORDLLAMA_CONFIG", "DIMENSIONS"]

WORDLLAMA_CONFIG = "l2_supercat"
DIMENSIONS = 256
INSTALL_HINT = 'pip install -e ".[embeddings]" (or pip install wordllama)'
CHUNK_TEXTS = 256  # texts averaged together: their gathered token rows stay in the CPU cache
INLINE_TEXTS = 64  # at most this many texts embed on the event loop's thread (well under a millisecond)


def _package_dir() -> Path | None:
    """The installed ``wordllama`` package's folder, without importing it (None: not installed)."""
    try:
        spec = importlib.util.find_spec("wordllama")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent


def _files(package: Path) -> tuple[Path, Path]:
    """The weights and tokenizer files the wheel ships."""
    return (package / "weights" / f"{WORDLLAMA_CONFIG}_{DIMENSIONS}.safetensors",
            package / "tokenizers" / f"{WORDLLAMA_CONFIG}_tokenizer_config.json")


def static_embedder_available() -> bool:
    """True when ``wordllama`` is installed with its packaged weights and tokenizer."""
    package = _package_dir()
    return package is not None and all(f.is_file() for f in _files(package))


def _import_wordllama() -> Any:
    """Import ``wordllama`` and undo its import-time ``logging.basicConfig`` (importing us prints nothing)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import wordllama
    except ImportError as exc:  # found on disk but broken (a dependency missing): fall back to lexical
        raise EmbeddingsUnsupportedError(f"the wordllama package could not be imported ({exc}); "
                                         f"reinstall with {INSTALL_HINT}") from None
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)
    return wordllama


def _load(package: Path) -> tuple[np.ndarray, Any]:
    """The token-vector matrix and the tokenizer, from the package folder only (never downloaded)."""
    wordllama = _import_wordllama()
    try:
        model = wordllama.WordLlama.load(config=WORDLLAMA_CONFIG, dim=DIMENSIONS, cache_dir=package,
                                         disable_download=True)
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise EmbeddingsUnsupportedError(f"the wordllama weights in {package} could not be loaded ({exc}); "
                                         f"reinstall with {INSTALL_HINT}") from None
    tokenizer = model.tokenizer
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return np.ascontiguousarray(model.embedding, dtype=np.float32), tokenizer


class _Weights:
    """The matrix and tokenizer, loaded once per process and shared by every StaticEmbedder."""

    lock = threading.Lock()
    loaded: tuple[np.ndarray, Any] | None = None

    @classmethod
    def get(cls, package: Path) -> tuple[np.ndarray, Any]:
        with cls.lock:
            if cls.loaded is None:
                cls.loaded = _load(package)
            return cls.loaded


def _average(matrix: np.ndarray, tokenizer: Any, texts: list[str]) -> tuple[np.ndarray, int]:
    """Each text's mean token vector (zeros for a text without tokens) and the tokens counted."""
    id_lists = [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)]
    out = np.zeros((len(texts), matrix.shape[1]), dtype=np.float32)
    total = 0
    for first in range(0, len(id_lists), CHUNK_TEXTS):  # chunks keep the gathered rows in cache
        chunk = id_lists[first:first + CHUNK_TEXTS]
        lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
        count = int(lengths.sum())
        if count == 0:
            continue
        ids = np.fromiter(itertools.chain.from_iterable(chunk), dtype=np.int64, count=count)
        np.clip(ids, 0, len(matrix) - 1, out=ids)
        filled = lengths > 0
        starts = (np.cumsum(lengths) - lengths)[filled]
        out[first:first + len(chunk)][filled] = np.add.reduceat(matrix[ids], starts, axis=0) / lengths[filled, None]
        total += count
    return out, total


class StaticEmbedder:
    """An :class:`~tinytroupe.llm.embeddings.EmbeddingModel` of averaged static token vectors (``wordllama``)."""

    name = "static"
    kind = "dense"
    sees_negation = False  # averaged word vectors: "not" barely moves a text's vector
    in_memory = True  # microseconds per text in this process: nothing to retry, limit, batch or cache
    capabilities = ModelCapabilities(in_process=True)

    def __init__(self) -> None:
        package = _package_dir()
        if package is None:
            raise MissingExtraError(f"static embeddings need the wordllama package: run {INSTALL_HINT}")
        self.package = package
        self.endpoint = f"wordllama://{WORDLLAMA_CONFIG}"
        self.default_model = f"wordllama-{WORDLLAMA_CONFIG}-{DIMENSIONS}"

    def __repr__(self) -> str:
        return f"StaticEmbedder({self.default_model!r})"

    def _embed_now(self, texts: list[str]) -> tuple[np.ndarray, int]:
        matrix, tokenizer = _Weights.get(self.package)
        return _average(matrix, tokenizer, texts)

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        texts = list(request.texts)
        if not texts:
            return Embeddings(np.zeros((0, DIMENSIONS), dtype=np.float32), self.default_model, Usage(),
                              self.name, self.kind)
        if _Weights.loaded is not None and len(texts) <= INLINE_TEXTS:
            vectors, tokens = self._embed_now(texts)
        else:  # loading (about a second) or a large batch: off the event loop
            vectors, tokens = await asyncio.to_thread(self._embed_now, texts)
        return Embeddings(vectors, self.default_model, Usage(input_tokens=tokens), self.name, self.kind)

    async def aclose(self) -> None:
        return None
