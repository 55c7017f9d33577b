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
from tinytroupe.config import config_manager
from tinytroupe.errors import BadRequestError, TransientError
from tinytroupe.llm.base import ChatRequest, Message, ResponseFormat, innermost

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


def _rewrap_current_default() -> None:
    """Rebuild the wrappers around the model in use now, or forget it if none is built yet.

    A model installed with ``set_default_model`` (a scripted model, an already loaded local
    model) is kept; only its wrappers (and so the cache) follow the new settings.
    """
    from tinytroupe.runtime import current_runtime

    current = current_runtime().part(llm.MODEL_PART)  # not building one just to rewrap it
    llm.reset_default_model()
    if current is not None:
        llm.set_default_model(innermost(current), wrap=True)


def force_api_cache(cache_api_calls: bool, cache_file_name: str | None = None) -> None:
    """Switch the process-wide LLM call cache on or off, optionally naming its file.

    Relative file names are under the working directory. Calls made after this use (or stop
    using) the cache; the model in use keeps its provider.
    """
    changes: dict[str, Any] = {"cache_api_calls": bool(cache_api_calls)}
    if cache_file_name is not None:
        changes["cache_file_name"] = str(cache_file_name)
    config_manager.update_multiple(changes)
    _rewrap_current_default()


def force_api_type(api_type: str) -> None:
    """Use the provider ``api_type`` (openai, azure, ollama, local, scripted, auto, or a registered
    client's name) from now on."""
    config_manager.update("api_type", api_type)
    llm.reset_default_model()


def force_default_value(key: str, value: Any) -> None:
    """Set the setting ``key`` (e.g. ``"temperature"`` or ``"TEMPERATURE"``) for this process.

    The model in use keeps its provider and gets fresh wrappers (retry, limits, cache); to
    change provider settings (API_TYPE, MODEL, BASE_URL...) use :func:`force_api_type` or
    :func:`tinytroupe.llm.reset_default_model` after this.
    """
    config_manager.update(key.lower(), value)
    _rewrap_current_default()


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
