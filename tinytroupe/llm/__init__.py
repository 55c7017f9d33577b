"""The LLM layer: one async seam, providers, wrappers and structured output.

Most code needs only :func:`default_model` (the configured, wrapped model of the current runtime)
and :func:`agenerate` / :func:`generate` (a validated pydantic object back).
"""

from __future__ import annotations

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
    innermost,
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

MODEL_PART = "llm.model"  # the runtime part holding the wrapped default model
PROVIDER_PART = "llm.provider_set_in_code"  # the provider given to set_default_model (re-wrapped by children)
AS_IS_PART = "llm.model_set_as_is"  # a model given to set_default_model(wrap=False) (used as is by children)

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
    "model_set_in_code",
    "EmbeddingModel",
    "Embeddings",
    "embed",
    "aembed",
    "default_embedder",
    "set_default_embedder",
]

def default_model() -> LLMModel:
    """The current runtime's model, built from its settings on first use.

    A runtime derived from one whose model was set in code (:func:`set_default_model`) wraps
    that same provider with its own settings.
    """
    from tinytroupe.runtime import current_runtime

    runtime = current_runtime()
    with runtime._lock:
        model = runtime.part(MODEL_PART)
        if model is None:
            from tinytroupe.llm.setup import build_model_from_config, wrap_model

            as_is, provider = runtime.inherited(AS_IS_PART), runtime.inherited(PROVIDER_PART)
            if as_is is not None:
                model = as_is
            elif provider is not None:
                model = wrap_model(provider, runtime=runtime)
            else:
                model = build_model_from_config(runtime)
            runtime.set_part(MODEL_PART, model)
        return model


def set_default_model(model: LLMModel, *, wrap: bool = True) -> LLMModel:
    """Use ``model`` (e.g. a :class:`ScriptedModel`) as the current runtime's model.

    With ``wrap=True`` it gets the same wrappers as a configured provider (request defaults,
    retry, limits, usage accounting, and the call cache when switched on). Returns the model now in use.
    """
    from tinytroupe.llm.embeddings import reset_default_embedder
    from tinytroupe.runtime import current_runtime

    runtime = current_runtime()
    if wrap:
        from tinytroupe.llm.setup import wrap_model

        runtime.set_part(PROVIDER_PART, innermost(model))
        runtime.set_part(AS_IS_PART, None)
        model = wrap_model(model, runtime=runtime)
    else:
        runtime.set_part(PROVIDER_PART, None)
        runtime.set_part(AS_IS_PART, model)
    runtime.set_part(MODEL_PART, model)
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
    """The current runtime's usage tally: calls, cached calls, retries, tokens, cost, per model and tag."""
    from tinytroupe.llm.setup import usage_stats as _usage_stats

    return _usage_stats()


def reset_default_model() -> None:
    """Forget the current runtime's model; the next :func:`default_model` rebuilds it from its settings."""
    from tinytroupe.llm.embeddings import reset_default_embedder
    from tinytroupe.runtime import current_runtime

    runtime = current_runtime()
    for part in (MODEL_PART, PROVIDER_PART, AS_IS_PART):
        runtime.set_part(part, None)
    reset_default_embedder()  # the embedder follows the chat provider


def model_set_in_code() -> LLMModel | None:
    """The provider given to :func:`set_default_model` in the current runtime (or a parent), if any."""
    from tinytroupe.runtime import current_runtime

    runtime = current_runtime()
    return runtime.inherited(AS_IS_PART) or runtime.inherited(PROVIDER_PART)
