"""Choosing the model a command runs on: ``--model``, scenario files, and the offline scripted mode.

``--model NAME`` sets the MODEL setting (``gpt-4.1-mini``, ``llama3.1`` on Ollama...), except
two names that pick a provider: ``local`` (the embedded model) and ``scripted`` (a
deterministic offline model that needs nothing: agents answer with short generated lines and
the factory with sample personas; handy to try a scenario file's mechanics, useless for
results). ``API_TYPE = scripted`` in config.ini or ``TINYTROUPE_API_TYPE=scripted`` does the
same as ``--model scripted``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.llm.base import ChatRequest, LLMModel, innermost
from tinytroupe.llm.providers.scripted_replies import offline_responder

__all__ = ["apply_model_choice", "scripted_responder", "install_scripted_model", "provider_in_use",
           "describe_model", "describe_embeddings", "PROVIDER_NAMES"]

PROVIDER_NAMES = ("local", "scripted")


def scripted_responder(seed: int = 0) -> Callable[[ChatRequest], Any]:
    """The offline responder (see :func:`tinytroupe.llm.providers.scripted_replies.offline_responder`)."""
    return offline_responder(seed)


def install_scripted_model(seed: int = 0) -> LLMModel:
    """Make a scripted model with :func:`scripted_responder` the process-wide default; returns it."""
    return llm.set_default_model(llm.ScriptedModel(responder=scripted_responder(seed)))


def apply_model_choice(model: str | None = None, provider: str | None = None) -> None:
    """Apply ``--model`` / a scenario's model (``provider`` wins); install the scripted model when chosen."""
    if model in PROVIDER_NAMES and provider is None:
        provider, model = model, None
    if model:
        config_manager.update("model", model)
    if provider:
        config_manager.update("api_type", provider)
    if config_manager.get("api_type") == "scripted" or config_manager.get("model") == "scripted":
        config_manager.update("api_type", "scripted")
        install_scripted_model(int(config_manager.get("seed") or 0))
    elif model or provider:
        llm.reset_default_model()  # rebuilt from the new settings on first use


def _provider_model() -> LLMModel:
    """The innermost model (the provider) of the process-wide default model, building it if needed."""
    return innermost(llm.default_model())


def provider_in_use() -> str:
    """The provider the default model uses (``local``, ``openai``...); may raise NoModelConfiguredError."""
    return str(getattr(_provider_model(), "name", "custom"))


def describe_model() -> str:
    """A short description of the model in use, for headers and summaries (URLs without credentials)."""
    from tinytroupe.redaction import redact_url

    provider = _provider_model()
    name = str(getattr(provider, "name", "custom"))
    model = str(getattr(provider, "default_model", "") or config_manager.get("model"))
    if name == "local":
        return ("local: SmolLM2-135M-Instruct (embedded demo model)" if "SmolLM2-135M" in model
                else f"local: {model}")
    if name == "scripted":
        return "scripted (offline, canned replies)"
    endpoint = redact_url(config_manager.get("base_url")) if name == "openai" else ""
    return f"{name}: {model}" + (f" at {endpoint}" if endpoint else "")


def describe_embeddings() -> str:
    """Which embedder semantic memory and grounding use (a model, or the lexical fallback)."""
    from tinytroupe.llm.embedding_setup import describe_active_embedder

    return describe_active_embedder()
