"""The LLM layer: one async seam, providers, wrappers and structured output.

Most code needs only :func:`default_model` (the configured, wrapped model of this process)
and :func:`agenerate` / :func:`generate` (a validated pydantic object back).
"""

from __future__ import annotations

import threading

from tinytroupe.llm.base import (
    ChatRequest,
    Completion,
    LLMModel,
    Message,
    ModelCapabilities,
    ModelWrapper,
    ResponseFormat,
    Usage,
    capabilities_of,
)
from tinytroupe.llm.embeddings import (
    EmbeddingModel,
    Embeddings,
    aembed,
    default_embedder,
    embed,
    set_default_embedder,
)
from tinytroupe.llm.providers.scripted import ScriptedModel, ScriptExhaustedError
from tinytroupe.llm.structured import StructuredResult, agenerate, generate

__all__ = [
    "ChatRequest",
    "Completion",
    "LLMModel",
    "Message",
    "ModelWrapper",
    "ModelCapabilities",
    "capabilities_of",
    "ResponseFormat",
    "Usage",
    "ScriptedModel",
    "ScriptExhaustedError",
    "StructuredResult",
    "agenerate",
    "generate",
    "default_model",
    "set_default_model",
    "reset_default_model",
    "complete_text",
    "acomplete_text",
    "usage_stats",
    "EmbeddingModel",
    "Embeddings",
    "embed",
    "aembed",
    "default_embedder",
    "set_default_embedder",
]

_lock = threading.Lock()
_default: LLMModel | None = None


def default_model() -> LLMModel:
    """The process-wide model, built from the configuration on first use."""
    global _default
    with _lock:
        if _default is None:
            from tinytroupe.llm.setup import build_model_from_config

            _default = build_model_from_config()
        return _default


def set_default_model(model: LLMModel, *, wrap: bool = True) -> LLMModel:
    """Use ``model`` (e.g. a :class:`ScriptedModel`) as the process-wide model.

    With ``wrap=True`` it gets the same wrappers as a configured provider (retry, limits,
    usage accounting, and the call cache when switched on). Returns the model now in use.
    """
    global _default
    if wrap:
        from tinytroupe.llm.setup import wrap_model

        model = wrap_model(model)
    with _lock:
        _default = model
    from tinytroupe.llm.embeddings import reset_default_embedder

    reset_default_embedder()  # the embedder follows the chat provider
    return model


def complete_text(messages, **kwargs):
    """Free text from the default model (see :func:`tinytroupe.llm.setup.complete_text`)."""
    from tinytroupe.llm.setup import complete_text as _complete_text

    return _complete_text(messages, **kwargs)


async def acomplete_text(messages, **kwargs):
    """Async twin of :func:`complete_text`."""
    from tinytroupe.llm.setup import acomplete_text as _acomplete_text

    return await _acomplete_text(messages, **kwargs)


def usage_stats():
    """The process-wide usage tally: calls, cached calls, retries, tokens, cost, per model and tag."""
    from tinytroupe.llm.setup import usage_stats as _usage_stats

    return _usage_stats()


def reset_default_model() -> None:
    """Forget the process-wide model; the next :func:`default_model` rebuilds it from config."""
    global _default
    with _lock:
        _default = None
    from tinytroupe.llm.embeddings import reset_default_embedder

    reset_default_embedder()  # the embedder follows the chat provider
