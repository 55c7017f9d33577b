"""The module-level helpers users of the original TinyTroupe know, on top of :mod:`tinytroupe.llm`.

Supported:

- ``force_api_cache(cache_api_calls, cache_file_name=None)``: switch the call cache on or off
  for this process (the file is SQLite, not a pickle; see :mod:`tinytroupe.llm.cache`).
- ``force_api_type(api_type)``: choose the provider (``openai``, ``azure``, ``ollama``, ``local``,
  or a registered client's name).
- ``force_default_value(key, value)``: set any setting for this process.
- ``client()``: the client of the configured API type, with ``send_message(current_messages, ...)``
  (its other attributes are those of :func:`tinytroupe.llm.default_model`).
- ``register_client(api_type, client)``, ``OpenAIClient``, ``AzureClient``, ``OllamaClient``:
  custom clients as the original documents them (see :mod:`tinytroupe.clients`).
- ``send_message(messages, ...)``: one chat completion as ``{"role": "assistant", "content": ...}``.
- ``InvalidRequestError`` and ``NonTerminalError``: the original's exception names, as aliases of
  :class:`~tinytroupe.errors.BadRequestError` and :class:`~tinytroupe.errors.TransientError`.

Not supported: the original's pickle cache files (point ``CACHE_FILE_NAME`` at a new
``.sqlite`` file).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinytroupe import llm
from tinytroupe.clients.builtin import AzureClient, OllamaClient, OpenAIClient
from tinytroupe.clients.cost import get_global_cost_stats, pretty_print_global_cost_stats
from tinytroupe.clients.switches import force_api_cache, force_api_type, force_default_value
from tinytroupe.errors import BadRequestError, TransientError
from tinytroupe.llm.base import ChatRequest, Message, ResponseFormat

__all__ = [
    "client",
    "get_global_cost_stats",
    "pretty_print_global_cost_stats",
    "register_client",
    "OpenAIClient",
    "AzureClient",
    "OllamaClient",
    "force_api_cache",
    "force_api_type",
    "force_default_value",
    "send_message",
    "InvalidRequestError",
    "NonTerminalError",
]

InvalidRequestError = BadRequestError
NonTerminalError = TransientError


def client() -> Any:
    """The client of the configured API type (see :func:`tinytroupe.clients.client`)."""
    from tinytroupe.clients import client as _client

    return _client()


def register_client(api_type: str, client: Any) -> None:
    """Use ``client`` for ``API_TYPE = api_type`` (see :mod:`tinytroupe.clients`)."""
    from tinytroupe.llm.custom import register_client as _register

    _register(api_type, client)


async def asend_message(
    messages: Sequence[Message | dict[str, str]],
    *,
    model: str | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    seed: int | None = None,
    json_mode: bool = False,
) -> dict[str, str]:
    """Async twin of :func:`send_message`."""
    request = ChatRequest(
        messages=[m if isinstance(m, Message) else Message(**m) for m in messages],
        model=model,
        temperature=temperature,
        max_tokens=max_tokens,
        seed=seed,
        response_format=ResponseFormat(mode="json_object" if json_mode else "text"),
    )
    completion = await llm.default_model().complete(request)
    return {"role": "assistant", "content": completion.text}


def send_message(
    messages: Sequence[Message | dict[str, str]],
    *,
    model: str | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    seed: int | None = None,
    json_mode: bool = False,
) -> dict[str, str]:
    """Send chat ``messages`` to the process-wide model; the reply as an assistant message dict."""
    from tinytroupe._sync import run_sync

    return run_sync(asend_message(messages, model=model, temperature=temperature,
                                  max_tokens=max_tokens, seed=seed, json_mode=json_mode))
