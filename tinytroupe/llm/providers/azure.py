"""The ``azure`` provider: Azure OpenAI deployments, with a key or an Entra ID token.

Authentication, in order: ``AZURE_OPENAI_KEY`` (``AZURE_API_KEY`` in config.ini); else an
Entra ID token from ``azure-identity``'s ``DefaultAzureCredential`` when that package is
installed (``pip install azure-identity``); else a :class:`NoModelConfiguredError` saying so.
Everything else (parameters, error mapping, one client per event loop) is the ``openai``
provider's.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import openai

from tinytroupe.errors import NoModelConfiguredError
from tinytroupe.llm.providers.openai_compat import OpenAIModel

__all__ = ["AzureOpenAIModel", "entra_token_provider", "AZURE_SCOPE"]

AZURE_SCOPE = "https://cognitiveservices.azure.com/.default"


def entra_token_provider() -> Callable[[], str] | None:
    """A bearer-token function from azure-identity, or None when it is not installed."""
    try:
        identity = importlib.import_module("azure.identity")
    except ImportError:
        return None
    return identity.get_bearer_token_provider(identity.DefaultAzureCredential(), AZURE_SCOPE)


class AzureOpenAIModel(OpenAIModel):
    """An Azure OpenAI deployment; ``model`` is the deployment name."""

    name = "azure"
    key_hint = "AZURE_OPENAI_KEY (or AZURE_API_KEY in the [OpenAI] section of config.ini)"
    not_found_hint = "check MODEL={model!r} is a deployment of this resource and AZURE_API_VERSION"

    def __init__(
        self,
        *,
        endpoint: str,
        model: str,
        api_version: str,
        timeout: float,
        api_key: str | None = None,
        token_provider: Callable[[], Any] | None = None,
        extra_headers: dict[str, str] | None = None,
    ):
        if not endpoint:
            raise NoModelConfiguredError(
                "the azure provider needs an endpoint: set AZURE_OPENAI_ENDPOINT, or AZURE_ENDPOINT "
                "in the [OpenAI] section of config.ini (e.g. https://my-resource.openai.azure.com/)"
            )
        if not api_key and token_provider is None:
            token_provider = entra_token_provider()
            if token_provider is None:
                raise NoModelConfiguredError(
                    f"the azure provider at {endpoint} has no credentials: set AZURE_OPENAI_KEY (or "
                    "AZURE_API_KEY in config.ini), or `pip install azure-identity` and sign in "
                    "(az login) to use an Entra ID token"
                )
        super().__init__(api_key=api_key or "", base_url=endpoint, model=model, timeout=timeout,
                         extra_headers=extra_headers)
        self.azure_endpoint = endpoint
        self.api_version = api_version
        self.token_provider = None if api_key else token_provider
        self.auth = "key" if api_key else "entra-id"

    def _make_client(self) -> Any:
        kwargs: dict[str, Any] = {
            "azure_endpoint": self.azure_endpoint,
            "api_version": self.api_version,
            "timeout": self.timeout,
            "max_retries": 0,
            "default_headers": self.extra_headers or None,
        }
        if self.token_provider is not None:
            kwargs["azure_ad_token_provider"] = self.token_provider
        else:
            kwargs["api_key"] = self.api_key
        return openai.AsyncAzureOpenAI(**kwargs)

    @property
    def is_openai_com(self) -> bool:
        """Azure takes OpenAI's parameter names (max_completion_tokens)."""
        return True
