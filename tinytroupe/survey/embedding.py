"""Text similarity for surveys and validators, through the embedding seam.

:func:`resolve_embedder` gives an async function ``texts -> vectors``: the one passed in (a
plain or async callable, or an embedding model of :mod:`tinytroupe.llm.embeddings`), else the
process-wide embedder of that seam (a neural model where one is configured, the lexical
fallback offline). Calls are tagged ``purpose=survey``.

Rating an answer on a scale by similarity needs an embedder that tells "I would buy it" from
"I would not buy it". Averaged static word vectors (the offline ``static`` embedder) do not:
the two sentences come out nearly identical. So the default embedder is refused here when it
reports ``sees_negation = False``, with the fix in the message (a real embedding model,
``embed=``, or direct answers), rather than falling back to BM25, which drops "not" as a stop
word and is no better. An embedder passed explicitly is used, with a warning.
"""

from __future__ import annotations

import importlib
import inspect
import math
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from tinytroupe.errors import SpecificationError

__all__ = ["resolve_embedder", "cosine", "Embedder", "blind_to_negation"]

Embedder = Callable[[list[str]], Awaitable[list[list[float]]]]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity (0 when either vector is all zeros)."""
    dot = sum(float(x) * float(y) for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(float(x) ** 2 for x in a))
    nb = math.sqrt(sum(float(y) ** 2 for y in b))
    return dot / (na * nb) if na and nb else 0.0


def _seam() -> Any:
    try:
        return importlib.import_module("tinytroupe.llm.embeddings")
    except ImportError:
        return None


def blind_to_negation(embedder: Any) -> bool:
    """Whether the embedder answering now (through its wrappers) says it cannot see negation."""
    link = embedder
    while link is not None:
        if getattr(link, "sees_negation", True) is False:
            return True
        active = getattr(link, "active", None)
        link = active() if callable(active) and active() is not link else getattr(link, "inner", None)
    return False


NEGATION_FIX = ("use an embedding model that reads sentences (an OpenAI-compatible or Azure provider with "
                "EMBEDDING_MODEL, or EMBEDDING_MODEL=local with LOCAL_EMBEDDING_MODEL_PATH set to an embedding "
                "GGUF), pass embed=function(texts) -> vectors, or ask with mode='direct'")


def _rows(vectors: Any) -> list[list[float]]:
    vectors = getattr(vectors, "vectors", vectors)
    return [[float(x) for x in row] for row in vectors]


def resolve_embedder(embed: Any = None, tags: dict[str, str] | None = None) -> Embedder:
    """An async ``texts -> vectors`` function (see the module docstring)."""
    tags = {"purpose": "survey", **(tags or {})}
    seam = _seam()
    if embed is not None and callable(getattr(embed, "embed", None)) and seam is not None:
        model = embed
        if blind_to_negation(model):
            warnings.warn(f"semantic-similarity rating with {type(model).__name__}: static word vectors barely "
                          "tell 'would buy' from 'would not buy'; ratings may be wrong", RuntimeWarning, stacklevel=2)

        async def with_model(texts: list[str]) -> list[list[float]]:
            return _rows(await seam.aembed(texts, model=model, tags=tags))

        return with_model
    if embed is not None:
        if not callable(embed):
            raise SpecificationError(f"embed={embed!r} is neither a function nor an embedding model")

        async def with_function(texts: list[str]) -> list[list[float]]:
            result = embed(texts)
            if inspect.isawaitable(result):
                result = await result
            return _rows(result)

        return with_function
    if seam is None:
        raise SpecificationError(
            "semantic-similarity rating needs an embedding model: pass embed=function(texts) -> vectors "
            "(or an embedding model); this installation has no embedding seam (tinytroupe.llm.embeddings)")
    if blind_to_negation(seam.default_embedder()):
        raise SpecificationError("semantic-similarity rating cannot use the offline static embeddings "
                                 f"({seam.describe_embedder(seam.default_embedder())}): they barely tell 'would "
                                 f"buy' from 'would not buy'. Fix: {NEGATION_FIX}")

    async def with_default(texts: list[str]) -> list[list[float]]:
        return _rows(await seam.aembed(texts, tags=tags))

    return with_default
