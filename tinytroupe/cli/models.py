"""Choosing the model a command runs on: ``--model``, scenario files, and the offline scripted mode.

``--model NAME`` sets the MODEL setting (``gpt-4.1-mini``, ``llama3.1`` on Ollama...), except
two names that pick a provider: ``local`` (the embedded model) and ``scripted`` (a
deterministic offline model that needs nothing: agents answer with short generated lines and
the factory with sample personas; handy to try a scenario file's mechanics, useless for
results). ``API_TYPE = scripted`` in config.ini or ``TINYTROUPE_API_TYPE=scripted`` does the
same as ``--model scripted``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.llm.base import ChatRequest, LLMModel, ModelWrapper
from tinytroupe.testing.agent_replies import is_judge_request, is_turn_request, judge_reply, talk_responder
from tinytroupe.testing.schema_sample import sample_from_schema

__all__ = ["apply_model_choice", "scripted_responder", "install_scripted_model", "provider_in_use",
           "describe_model", "describe_embeddings", "PROVIDER_NAMES"]

PROVIDER_NAMES = ("local", "scripted")

_LINES = (
    "I like the idea, but the price has to be right.",
    "Honestly, I would need to try it before I decide.",
    "It sounds useful for people like me, with a busy week.",
    "My main worry is how long it lasts before it breaks.",
    "I would tell my friends about it if it works as promised.",
    "I am not convinced yet; what problem does it really solve?",
)


_FIRST = ("Ana", "Bruno", "Chloe", "Dev", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kemi", "Luca")
_LAST = ("Almeida", "Brandt", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen")


def _scripted_line(request: ChatRequest) -> str:
    agent = request.tags.get("agent", "someone")
    text = "\n".join(m.content for m in request.messages)
    return _LINES[sum(map(ord, agent + text[-200:])) % len(_LINES)]


def scripted_responder(seed: int = 0) -> Callable[[ChatRequest], Any]:
    """A responder for :class:`~tinytroupe.llm.ScriptedModel` that answers every request kind.

    Agent turns TALK (a canned line picked deterministically from the prompt) to the first
    agent they can reach; judges pass; other structured requests (factory personas,
    population plans) get a valid sample of their schema; free text gets a short sentence.
    """
    turns = talk_responder(_scripted_line)
    rng = random.Random(seed)

    def respond(request: ChatRequest) -> Any:
        if is_judge_request(request):
            return judge_reply(9, "fine")
        if is_turn_request(request):
            return turns(request)
        schema = request.response_format.json_schema
        if schema is not None and request.response_format.mode != "text":
            value = sample_from_schema(schema, random.Random(rng.random()))
            if request.response_format.name == "GeneratedPersona" and isinstance(value, dict):
                value["name"] = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"  # readable offline names
            return value
        return "A short scripted answer."

    return respond


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
    model = llm.default_model()
    while isinstance(model, ModelWrapper):
        model = model.inner
    return model


def provider_in_use() -> str:
    """The provider the default model uses (``local``, ``openai``...); may raise NoModelConfiguredError."""
    return str(getattr(_provider_model(), "name", "custom"))


def describe_model() -> str:
    """A short description of the model in use, for headers and summaries."""
    provider = _provider_model()
    name = str(getattr(provider, "name", "custom"))
    model = str(getattr(provider, "default_model", "") or config_manager.get("model"))
    if name == "local":
        return ("local: SmolLM2-135M-Instruct (embedded demo model)" if "SmolLM2-135M" in model
                else f"local: {model}")
    if name == "scripted":
        return "scripted (offline, canned replies)"
    endpoint = config_manager.get("base_url") if name == "openai" else ""
    return f"{name}: {model}" + (f" at {endpoint}" if endpoint else "")


def describe_embeddings() -> str:
    """Which embedder semantic memory and grounding use (a model, or the lexical fallback)."""
    from tinytroupe.llm.embedding_setup import describe_active_embedder

    return describe_active_embedder()
