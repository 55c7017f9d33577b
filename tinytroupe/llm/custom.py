"""Clients registered for an API type: bring your own endpoint, as in the original TinyTroupe.

``register_client("myapi", client)`` then ``API_TYPE = myapi`` makes ``client`` the provider.
The client is either a model of this library (anything with ``async complete(request)``) or
an object in the original's style, with ``send_message(current_messages, **options)`` that
returns ``{"role": "assistant", "content": ...}`` (or a string). A ``send_message`` client is
called in a worker thread, with the options its signature accepts (``model``,
``temperature``, ``max_completion_tokens``, ``frequency_penalty``, ``presence_penalty``,
``response_format``); it gets the usual wrappers (retry, limits, the call cache, usage), and
structured requests reach it as JSON mode with the schema in the prompt, which any chat
model can follow. A ``None`` reply counts as a transient failure and is retried.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from typing import Any

from tinytroupe import extensions
from tinytroupe.errors import ConfigError, TransientError
from tinytroupe.llm.base import ChatRequest, Completion, Usage

__all__ = ["register_client", "unregister_client", "registered_client", "registered_api_types",
           "SendMessageModel", "model_for_client", "calling_client"]

_KIND = "client"  # registered clients live in the extension registry under this kind
_calling: contextvars.ContextVar[Any] = contextvars.ContextVar("tinytroupe_calling_client", default=None)

OPTIONS = ("model", "temperature", "max_completion_tokens", "frequency_penalty", "presence_penalty",
           "response_format")


def register_client(api_type: str, client: Any) -> None:
    """Use ``client`` for ``API_TYPE = api_type`` (a new name, or one of the built-in ones)."""
    name = str(api_type or "").strip().lower()
    if not name or name == "auto":
        raise ConfigError(f"register_client: {api_type!r} cannot name a client; choose a name such as 'myapi'.")
    if not (callable(getattr(client, "send_message", None)) or callable(getattr(client, "complete", None))):
        raise ConfigError(
            f"register_client({api_type!r}, ...): {type(client).__name__} has neither send_message(current_messages, "
            "...) nor async complete(request); give it one of them")
    from tinytroupe.config import add_choice, config_manager

    extensions.register(_KIND, name, client)
    add_choice("api_type", name)
    from tinytroupe.llm import reset_default_model

    if str(config_manager.get("api_type")).lower() == name:
        reset_default_model()  # the next call uses the new client


def unregister_client(api_type: str) -> None:
    """Forget the client registered for ``api_type`` (built-in types fall back to their provider)."""
    from tinytroupe.config import remove_choice

    extensions.unregister(_KIND, str(api_type).lower())
    remove_choice("api_type", str(api_type))


def registered_client(api_type: str) -> Any | None:
    """The client registered for ``api_type``, or None."""
    return extensions.lookup(_KIND, str(api_type).lower())


def registered_api_types() -> tuple[str, ...]:
    return tuple(sorted(extensions.table(_KIND)))


def calling_client() -> Any | None:
    """The client whose ``send_message`` this thread is running for the LLM layer, if any."""
    return _calling.get()


def _accepted(method: Any) -> tuple[set[str], bool]:
    try:
        params = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return set(), True
    names = {p.name for p in params}
    return names, any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


class SendMessageModel:
    """An :class:`~tinytroupe.llm.base.LLMModel` over a client with ``send_message``."""

    def __init__(self, client: Any, api_type: str, default_model: str):
        self.client = client
        self.name = api_type
        self.endpoint = f"client://{api_type}/{type(client).__name__}"
        self.default_model = default_model
        self._names, self._any = _accepted(client.send_message)

    def _options(self, request: ChatRequest) -> dict[str, Any]:
        rf = request.response_format
        options = {
            "model": request.model or self.default_model,
            "temperature": request.temperature,
            "max_completion_tokens": request.max_tokens,
            "frequency_penalty": request.frequency_penalty,
            "presence_penalty": request.presence_penalty,
            "response_format": {"type": "json_object"} if rf.mode in ("json_object", "json_schema") else None,
        }
        return {k: v for k, v in options.items() if v is not None and (self._any or k in self._names)}

    def _call(self, request: ChatRequest) -> Any:
        token = _calling.set(self.client)
        try:
            messages = [{"role": m.role, "content": m.content} for m in request.messages]
            return self.client.send_message(messages, **self._options(request))
        finally:
            _calling.reset(token)

    async def complete(self, request: ChatRequest) -> Completion:
        from tinytroupe.llm.structured import MODES, _remember

        _remember(self.endpoint, MODES.index("json_object"))  # the schema goes in the prompt
        reply = await asyncio.to_thread(self._call, request)
        text = _reply_text(reply)
        if text is None:
            raise TransientError(f"the client registered for API_TYPE={self.name} ({type(self.client).__name__}) "
                                 "returned no reply")
        prompt = sum(len(m.content) for m in request.messages) // 4
        return Completion(text=text, model=request.model or self.default_model, provider=self.name,
                          usage=Usage(input_tokens=prompt, output_tokens=len(text) // 4), finish_reason="stop")

    async def aclose(self) -> None:
        close = getattr(self.client, "close", None)
        if callable(close) and not inspect.iscoroutinefunction(close):
            close()


def _reply_text(reply: Any) -> str | None:
    if reply is None:
        return None
    if isinstance(reply, str):
        return reply
    if isinstance(reply, dict):
        content = reply.get("content")
        return content if isinstance(content, str) else None
    content = getattr(reply, "content", None)
    if isinstance(content, str):
        return content
    dump = getattr(reply, "model_dump_json", None)
    return dump() if callable(dump) else str(reply)


def model_for_client(api_type: str, client: Any, default_model: str) -> Any:
    """The model that serves ``client``: a :class:`SendMessageModel` when it has ``send_message``,
    else the client itself (a model)."""
    if callable(getattr(client, "send_message", None)):
        return SendMessageModel(client, api_type, default_model)
    return client
