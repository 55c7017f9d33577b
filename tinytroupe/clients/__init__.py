"""The client registry users of the original TinyTroupe know: ``client()``, ``register_client``...

``client()`` is the client of the configured API type: an object with
``send_message(current_messages, ...)`` returning ``{"role": "assistant", "content": ...}``.
The built-in ones (:class:`OpenAIClient`, :class:`AzureClient`, :class:`OllamaClient`) send
through this library's LLM layer (retry, adaptive limits, the SQLite call cache, usage).

A custom client, as the original documents them, is registered for an API type and chosen
with ``API_TYPE``::

    class MyClient(OpenAIClient):
        def _raw_model_call(self, model, chat_api_params):
            return my_service.chat(chat_api_params["messages"])
        def _raw_model_response_extractor(self, response):
            return {"role": "assistant", "content": response.text}

    register_client("myapi", MyClient())
    force_api_type("myapi")        # or API_TYPE = myapi in config.ini

Any object with ``send_message(current_messages, **options)`` works as well, and so does a
model of :mod:`tinytroupe.llm` (``async complete(request)``).
"""

from __future__ import annotations

from typing import Any

from tinytroupe.clients.builtin import AzureClient, ModelClient, OllamaClient, OpenAIClient
from tinytroupe.clients.cost import get_global_cost_stats, pretty_print_global_cost_stats
from tinytroupe.config import config_manager
from tinytroupe.errors import BadRequestError, NoModelConfiguredError, TransientError
from tinytroupe.llm import custom
from tinytroupe.runtime import current_runtime

__all__ = [
    "client",
    "get_global_cost_stats",
    "pretty_print_global_cost_stats",
    "register_client",
    "force_api_type",
    "force_api_cache",
    "OpenAIClient",
    "AzureClient",
    "OllamaClient",
    "ModelClient",
    "InvalidRequestError",
    "NonTerminalError",
]

InvalidRequestError = BadRequestError
NonTerminalError = TransientError

_BUILTIN = {"openai": OpenAIClient, "azure": AzureClient, "ollama": OllamaClient}


def register_client(api_type: str, client: Any) -> None:
    """Use ``client`` for ``API_TYPE = api_type``; see the module docstring."""
    custom.register_client(api_type, client)


def client() -> Any:
    """The client of the configured API type (a registered one, else the built-in one).

    The built-in client of an API type is one object (per runtime), as in the original, so that
    ``client().reset_cost_stats()`` then ``client().get_cost_stats()`` read the same counters.
    Asking for it needs no key yet: a missing model is reported when a message is sent.
    """
    from tinytroupe.llm.setup import choose_provider

    try:
        api_type = choose_provider()
    except NoModelConfiguredError:
        api_type = str(config_manager.get("api_type")).strip().lower()
    registered = custom.registered_client(api_type)
    if registered is not None:
        return registered
    instances = current_runtime().part("clients.instances", dict)  # one client per API type and runtime
    if api_type not in instances:
        instances[api_type] = _BUILTIN.get(api_type, ModelClient)()
    return instances[api_type]


def force_api_type(api_type: str) -> None:
    """Use the provider or registered client ``api_type`` from now on."""
    from tinytroupe.clients.switches import force_api_type as _force

    _force(api_type)


def force_api_cache(cache_api_calls: bool, cache_file_name: str | None = None) -> None:
    """Switch the LLM call cache on or off (a SQLite file), optionally naming its file."""
    from tinytroupe.clients.switches import force_api_cache as _force

    _force(cache_api_calls, cache_file_name)
