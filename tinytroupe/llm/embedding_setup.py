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
on), batching, the budget guard, retry, limits, provider: the chat seam's stack
(:func:`~tinytroupe.llm.setup.wrap_calls`), so retries, 429s and Retry-After, budgets and usage
work for embeddings as they do for chat. An in-memory embedder (lexical, static) needs no
retry, limits, batching, budget or cache.
"""

from __future__ import annotations

import logging
from typing import Any

from tinytroupe.errors import NoModelConfiguredError
from tinytroupe.llm.embedding_wrappers import BatchingEmbedder, FallbackEmbedder
from tinytroupe.llm.embeddings import EmbeddingModel, EmbeddingWrapper, describe_embedder
from tinytroupe.llm.embeddings_lexical import LexicalEmbedder
from tinytroupe.llm.setup import build_provider, choose_provider, usage_stats, wrap_calls
from tinytroupe.llm.wrappers.usage import UsageTracker

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
        try:
            provider = choose_provider()
        except NoModelConfiguredError:
            provider = None
    if asked in LOCAL_NAMES or (provider == "local" and _setting("local_embedding_model_path")):
        return "local"
    return provider if provider in ("openai", "azure") else offline_embedder()


def _openai() -> EmbeddingModel:
    from tinytroupe.llm.embeddings_openai import OpenAIEmbedder

    transport = build_provider("openai", registered=False)  # the chat provider's own, for its address and key
    return OpenAIEmbedder(transport, _setting("embedding_model"))  # type: ignore[arg-type]


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


def wrap_embedder(model: EmbeddingModel, *, runtime: Any = None) -> EmbeddingModel:
    """Wrap ``model`` in the stack of ``runtime`` (default: the current one): usage accounting, the
    lexical fallback, the call cache (when on), batching, the budget guard, retry and limits.

    An embedder that already has a :class:`~tinytroupe.llm.wrappers.usage.UsageTracker` is returned as it is.
    """
    if isinstance(model, EmbeddingWrapper) and model.find(UsageTracker) is not None:
        return model
    from tinytroupe.runtime import current_runtime

    runtime = runtime or current_runtime()

    def fallback(inner: EmbeddingModel) -> EmbeddingModel:
        return FallbackEmbedder(inner, LexicalEmbedder(), on_switch=lambda used: note_embedder(used, runtime))

    stats = usage_stats(runtime)
    if model.kind == "lexical":
        tracker: EmbeddingModel = UsageTracker(model, stats=stats)  # nothing to retry, limit or cache: arithmetic
    elif getattr(model, "in_memory", False):  # arithmetic too, but its weights may fail to load
        tracker = UsageTracker(fallback(model), stats=stats)
    else:
        size = runtime.settings["embedding_batch_size"]
        tracker = wrap_calls(model, runtime, above_budget=lambda inner: BatchingEmbedder(inner, size),
                             above_cache=fallback, gauge=None)
    note_embedder(tracker, runtime)
    return tracker


def build_embedder_from_config() -> EmbeddingModel:
    """Choose and build the embedder the configuration asks for, wrapped."""
    return wrap_embedder(build_embedder())


def note_embedder(embedder: Any, runtime: Any = None) -> None:
    """Tell the usage tally of ``runtime`` (default: the current one; and so ``usage_stats()`` and
    the CLI) which embedder is in use."""
    fallback = embedder.find(FallbackEmbedder) if isinstance(embedder, EmbeddingWrapper) else None
    description = describe_embedder(fallback or embedder)
    usage_stats(runtime).set_info("embeddings", description)
    logger.info("embeddings: %s", description)


def describe_active_embedder() -> str:
    """One line naming the embedder the process uses now (building it from config if needed)."""
    from tinytroupe.llm.embeddings import default_embedder

    embedder = default_embedder()
    fallback = embedder.find(FallbackEmbedder) if isinstance(embedder, EmbeddingWrapper) else None
    return describe_embedder(fallback or embedder)
