"""The built-in clients: ``send_message`` in the original's style, over this library's LLM layer.

``OpenAIClient().send_message(messages, ...)`` builds a request, hands it to
:meth:`OpenAIClient._raw_model_call` and reads the reply with
:meth:`OpenAIClient._raw_model_response_extractor`; subclasses override those two to reach
another endpoint (see :mod:`tinytroupe.clients`). The default ``_raw_model_call`` uses the
process-wide model (so the call gets retry, limits, the call cache and usage accounting);
when the LLM layer itself is calling this client (it is registered as a provider) it uses a
fresh provider of the client's own API type instead, so a subclass that only overrides the
extractor does not call itself.
"""

from __future__ import annotations

import textwrap
from typing import Any

from pydantic import BaseModel

from tinytroupe import llm
from tinytroupe.clients.cost import CostStatsMixin
from tinytroupe.config import config_manager
from tinytroupe.llm.base import ChatRequest, Completion, LLMModel, Message, ResponseFormat
from tinytroupe.not_provided import warn_once

__all__ = ["ModelClient", "OpenAIClient", "AzureClient", "OllamaClient"]


def _response_format(value: Any) -> ResponseFormat:
    """The original's response_format (None, {"type": ...}, or a pydantic class) as ours."""
    if value is None:
        return ResponseFormat()
    if isinstance(value, type) and issubclass(value, BaseModel):
        return ResponseFormat(mode="json_schema", json_schema=value.model_json_schema(), name=value.__name__)
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "json_schema":
            spec = value.get("json_schema") or {}
            return ResponseFormat(mode="json_schema", json_schema=spec.get("schema"), name=spec.get("name") or "response")
        if kind == "json_object":
            return ResponseFormat(mode="json_object")
    return ResponseFormat()


class ModelClient(CostStatsMixin):
    """A client over the process-wide model; the base of the built-in clients.

    Attributes a caller of the model itself would use (``name``, ``complete``, ``find``...)
    are those of :func:`tinytroupe.llm.default_model`. ``OpenAIClient(cache_api_calls=True,
    cache_file_name=...)`` switches the call cache as :meth:`set_api_cache` does: the cache is
    the process's, shared by every client. ``get_cost_stats()`` and friends come from
    :class:`~tinytroupe.clients.cost.CostStatsMixin`.
    """

    api_type = ""

    @property
    def native(self) -> bool:
        """True for the built-in classes themselves: registered for their own API type, they
        stand for the built-in provider; a subclass is a custom client."""
        return type(self).__module__ == __name__

    def __init__(self, cache_api_calls: bool | None = None, cache_file_name: str | None = None,
                 max_concurrent_model_calls: int | None = None) -> None:
        self._own: LLMModel | None = None
        if cache_api_calls is not None or cache_file_name is not None:
            warn_once("client.cache", f"{type(self).__name__}(cache_api_calls=..., cache_file_name=...) switches the "
                                      "process's call cache, shared by every client and agent; "
                                      "openai_utils.force_api_cache(...) says so by name.")
            self.set_api_cache(self.cache_api_calls if cache_api_calls is None else cache_api_calls, cache_file_name)
        if max_concurrent_model_calls is not None:
            from tinytroupe.clients.switches import force_default_value

            force_default_value("max_concurrent_model_calls", int(max_concurrent_model_calls))

    @property
    def cache_api_calls(self) -> bool:
        """Whether the call cache is on (the CACHE_API_CALLS setting)."""
        return bool(config_manager.get("cache_api_calls"))

    @property
    def cache_file_name(self) -> str:
        """The call cache file (the CACHE_FILE_NAME setting)."""
        return str(config_manager.get("cache_file_name"))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(llm.default_model(), name)

    @property
    def model(self) -> LLMModel:
        """The process-wide model this client sends through."""
        return llm.default_model()

    def _model_for_call(self) -> LLMModel:
        from tinytroupe.llm.custom import calling_client

        if calling_client() is not self or not self.api_type:
            return llm.default_model()
        if self._own is None:
            from tinytroupe.llm.setup import build_provider

            self._own = build_provider(self.api_type, registered=False)
        return self._own

    def send_message(self, current_messages: list[dict[str, str]], dedent_messages: bool = True,
                     model: str | None = None, temperature: float | None = None,
                     max_completion_tokens: int | None = None, top_p: float | None = None,
                     frequency_penalty: float | None = None, presence_penalty: float | None = None,
                     stop: Any = None, timeout: float | None = None, max_attempts: int | None = None,
                     waiting_time: float | None = None, exponential_backoff_factor: float | None = None,
                     n: int = 1, response_format: Any = None, enable_pydantic_model_return: bool = False,
                     echo: bool = False, max_tokens: int | None = None) -> Any:
        """One chat completion: ``{"role": "assistant", "content": ...}`` (or None when it failed).

        ``response_format`` may be ``{"type": "json_object"}``, an OpenAI ``json_schema``
        dict or a pydantic class; with ``enable_pydantic_model_return=True`` and a class, the
        reply comes back as an instance of it. ``top_p``, ``stop``, ``n``, ``echo`` and the
        retry arguments are accepted for compatibility; retrying follows MAX_ATTEMPTS.
        """
        messages = [dict(m) for m in current_messages]
        if dedent_messages:
            for message in messages:
                if isinstance(message.get("content"), str):
                    message["content"] = textwrap.dedent(message["content"]).strip()
        params = {"model": model, "messages": messages, "temperature": temperature,
                  "max_completion_tokens": max_completion_tokens or max_tokens,
                  "frequency_penalty": frequency_penalty, "presence_penalty": presence_penalty,
                  "response_format": response_format, "timeout": timeout}
        params = {k: v for k, v in params.items() if v is not None}
        response = self._raw_model_call(model, params)
        message = self._raw_model_response_extractor(response)
        if (enable_pydantic_model_return and isinstance(response_format, type)
                and issubclass(response_format, BaseModel) and isinstance(message, dict)):
            from tinytroupe.llm.json_extract import extract_json

            return response_format.model_validate(extract_json(str(message.get("content") or "")))
        return message

    def _raw_model_call(self, model: str | None, chat_api_params: dict[str, Any]) -> Any:
        """Send ``chat_api_params`` (OpenAI chat-completions arguments); the raw response."""
        from tinytroupe._sync import run_sync

        request = ChatRequest(
            messages=[Message(role=m["role"], content=str(m.get("content") or "")) for m in chat_api_params["messages"]],
            model=model, temperature=chat_api_params.get("temperature"),
            max_tokens=chat_api_params.get("max_completion_tokens"),
            frequency_penalty=chat_api_params.get("frequency_penalty"),
            presence_penalty=chat_api_params.get("presence_penalty"),
            response_format=_response_format(chat_api_params.get("response_format")),
            tags={"purpose": "other"})
        return run_sync(self._model_for_call().complete(request))

    def _raw_model_response_extractor(self, response: Any) -> dict[str, Any]:
        """The assistant message of a raw response (ours, an SDK object, or a plain dict)."""
        if isinstance(response, Completion):
            return {"role": "assistant", "content": response.text}
        if isinstance(response, dict):
            return dict(response["choices"][0]["message"])
        message = response.choices[0].message
        return {"role": getattr(message, "role", "assistant"), "content": message.content}

    def get_embedding(self, text: str, model: str | None = None) -> list[float]:
        """The embedding of ``text`` from the configured embedder (``model`` is the original's
        argument; the EMBEDDING_MODEL setting chooses the model here)."""
        from tinytroupe.llm.embeddings import embed

        return [float(x) for x in embed([text], tags={"purpose": "embedding"}).vectors[0]]

    def set_api_cache(self, cache_api_calls: bool, cache_file_name: str | None = None) -> None:
        """Switch the process-wide call cache on or off (the original's per-client method)."""
        from tinytroupe.clients.switches import force_api_cache

        force_api_cache(cache_api_calls, cache_file_name)


class OpenAIClient(ModelClient):
    """OpenAI, or any OpenAI-compatible server (``API_TYPE = openai``)."""

    api_type = "openai"


class AzureClient(ModelClient):
    """Azure OpenAI (``API_TYPE = azure``)."""

    api_type = "azure"


class OllamaClient(ModelClient):
    """Ollama's OpenAI-compatible endpoint (``API_TYPE = ollama``)."""

    api_type = "ollama"
