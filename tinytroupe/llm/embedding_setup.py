"""Build the process-wide embedder from the configuration: a provider inside its wrappers.

Choosing, like the chat provider, from ``EMBEDDING_MODEL``:

- ``lexical`` (or ``bm25``, ``none``) always takes the lexical fallback (BM25 over words);
- ``static`` (or ``wordllama``) takes the offline static word vectors of the ``wordllama``
  package (:mod:`tinytroupe.llm.embeddings_static`), an error naming the install when missing;
- ``local`` runs the embedded llama.cpp model in embedding mode (``LOCAL_EMBEDDING_MODEL_PATH``,
  or the chat demo model's own hidden states, mean-pooled: weak, so only when asked for);
- anything else is a model name for the chat provider: ``openai`` and ``azure`` call
  ``/v1/embeddings`` with it (Azure with ``AZURE_EMBEDDING_MODEL_API_VERSION``); with the
  ``local`` provider, a ``LOCAL_EMBEDDING_MODEL_PATH`` is used when set.

With no embedding provider (the local or scripted chat model, or no model at all) the
offline choice is made: the static vectors when ``wordllama`` is installed, else the lexical
fallback; never the chat model's hidden states. A process whose default chat model was set in
code (``llm.set_default_model``) embeds like that model's provider.

Stacking, outermost first: usage accounting, the fallback to lexical, the call cache (when
on), batching, limits, retry, provider. An in-memory embedder (lexical, static) needs no
retry, limits, batching or cache.
"""

from __future__ import annotations

import logging
import random
from typing import Any

from tinytroupe.errors import NoModelConfiguredError
from tinytroupe.llm.base import capabilities_of
from tinytroupe.llm.embedding_wrappers import (
    BatchingEmbedder,
    CachedEmbedder,
    EmbeddingUsageTracker,
    FallbackEmbedder,
    LimitedEmbedder,
    RetryingEmbedder,
)
from tinytroupe.llm.embeddings import EmbeddingModel, EmbeddingWrapper, describe_embedder
from tinytroupe.llm.embeddings_lexical import LexicalEmbedder

__all__ = ["choose_embedder", "build_embedder", "build_embedder_from_config", "wrap_embedder", "note_embedder",
           "describe_active_embedder", "offline_embedder", "LEXICAL_NAMES", "STATIC_NAMES"]

logger = logging.getLogger(__name__)

LEXICAL_NAMES = frozenset({"lexical", "bm25", "none"})
STATIC_NAMES = frozenset({"static", "wordllama"})
LOCAL_NAMES = frozenset({"local"})


def _setting(name: str) -> Any:
    """A setting of the current runtime (resolved once per configuration change)."""
    from tinytroupe.runtime import current_runtime

    return current_runtime().settings[name]


def _chat_provider_in_use() -> str | None:
    """The provider of the current runtime's chat model, if it has one yet (or one was set in code)."""
    from tinytroupe.llm import MODEL_PART
    from tinytroupe.runtime import current_runtime

    model = current_runtime().part(MODEL_PART)
    return getattr(model, "name", None) if model is not None else None


def offline_embedder() -> str:
    """``static`` when the wordllama vectors are installed, else ``lexical``."""
    from tinytroupe.llm.embeddings_static import static_embedder_available

    return "static" if static_embedder_available() else "lexical"


def choose_embedder() -> str:
    """``openai``, ``azure``, ``local``, ``static`` or ``lexical``, as the module docstring says."""
    asked = str(_setting("embedding_model") or "").strip().lower()
    if asked in LEXICAL_NAMES:
        return "lexical"
    if asked in STATIC_NAMES:
        return "static"
    provider = _chat_provider_in_use()
    if provider is None:
        from tinytroupe.llm.setup import choose_provider

        try:
            provider = choose_provider()
        except NoModelConfiguredError:
            provider = None
    if asked in LOCAL_NAMES or (provider == "local" and _setting("local_embedding_model_path")):
        return "local"
    return provider if provider in ("openai", "azure") else offline_embedder()


def _openai() -> EmbeddingModel:
    from tinytroupe.llm.embeddings_openai import OpenAIEmbedder
    from tinytroupe.llm.setup import _build_openai

    return OpenAIEmbedder(_build_openai(), _setting("embedding_model"))  # type: ignore[arg-type]


def _azure() -> EmbeddingModel:
    from tinytroupe.llm.embeddings_openai import OpenAIEmbedder
    from tinytroupe.llm.providers.azure import AzureOpenAIModel

    model = _setting("embedding_model")
    transport = AzureOpenAIModel(endpoint=_setting("azure_endpoint"), model=model,
                                 api_version=_setting("azure_embedding_model_api_version"),
                                 timeout=_setting("timeout"),
                                 api_key=_setting("azure_api_key") or None)
    return OpenAIEmbedder(transport, model)


def _local() -> EmbeddingModel:
    from tinytroupe.llm.embeddings_local import LocalEmbedder

    return LocalEmbedder(n_threads=_setting("local_threads"))


def _static() -> EmbeddingModel:
    from tinytroupe.llm.embeddings_static import StaticEmbedder

    return StaticEmbedder()


def build_embedder(kind: str | None = None) -> EmbeddingModel:
    """The bare embedder for ``kind`` (default: :func:`choose_embedder`), without wrappers."""
    kind = kind or choose_embedder()
    builders = {"openai": _openai, "azure": _azure, "local": _local, "static": _static, "lexical": LexicalEmbedder}
    return builders[kind]()


def wrap_embedder(model: EmbeddingModel) -> EmbeddingModel:
    """Wrap ``model`` with batching, retry, limits, the cache (when on), the fallback and usage accounting.

    An embedder that already has an :class:`EmbeddingUsageTracker` is returned as it is.
    """
    if isinstance(model, EmbeddingWrapper) and model.find(EmbeddingUsageTracker) is not None:
        return model
    if model.kind == "lexical":
        tracker = EmbeddingUsageTracker(model)  # nothing to retry, limit or cache: it is arithmetic
    elif getattr(model, "in_memory", False):  # arithmetic too, but its weights may fail to load
        tracker = EmbeddingUsageTracker(FallbackEmbedder(model, LexicalEmbedder()))
    else:
        wrapped: EmbeddingModel = RetryingEmbedder(
            model, max_attempts=_setting("max_attempts"),
            backoff_factor=_setting("exponential_backoff_factor"),
            initial_delay=0.0 if capabilities_of(model).in_process else 0.5, rng=random.Random(_setting("seed")))
        wrapped = LimitedEmbedder(wrapped, max_concurrent=_setting("max_concurrent_model_calls"),
                                  requests_per_minute=_setting("requests_per_minute"),
                                  tokens_per_minute=_setting("tokens_per_minute"))
        wrapped = BatchingEmbedder(wrapped, _setting("embedding_batch_size"))
        wrapped = _with_cache(wrapped)
        tracker = EmbeddingUsageTracker(FallbackEmbedder(wrapped, LexicalEmbedder()))
    note_embedder(tracker)
    return tracker


def _with_cache(model: EmbeddingModel) -> EmbeddingModel:
    from tinytroupe.llm.cache import cache_from_config

    cache = cache_from_config()
    return CachedEmbedder(model, cache) if cache is not None else model


def build_embedder_from_config() -> EmbeddingModel:
    """Choose and build the embedder the configuration asks for, wrapped."""
    return wrap_embedder(build_embedder())


def note_embedder(embedder: Any) -> None:
    """Tell the usage tally (and so ``usage_stats()`` and the CLI) which embedder is in use."""
    from tinytroupe.llm.wrappers.usage import usage_stats

    fallback = embedder.find(FallbackEmbedder) if isinstance(embedder, EmbeddingWrapper) else None
    description = describe_embedder(fallback or embedder)
    usage_stats().set_info("embeddings", description)
    logger.info("embeddings: %s", description)


def describe_active_embedder() -> str:
    """One line naming the embedder the process uses now (building it from config if needed)."""
    from tinytroupe.llm.embeddings import default_embedder

    embedder = default_embedder()
    fallback = embedder.find(FallbackEmbedder) if isinstance(embedder, EmbeddingWrapper) else None
    return describe_embedder(fallback or embedder)
