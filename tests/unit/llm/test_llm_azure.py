"""The Azure provider's construction and authentication paths (no network)."""

import sys
import types

import openai
import pytest

from tinytroupe.errors import NoModelConfiguredError
from tinytroupe.llm.providers.azure import AZURE_SCOPE, AzureOpenAIModel


def _azure(**kw):
    args = {"endpoint": "https://res.openai.azure.com/", "model": "my-deployment",
            "api_version": "2024-08-01-preview", "timeout": 5.0}
    args.update(kw)
    return AzureOpenAIModel(**args)


@pytest.fixture
def no_identity(monkeypatch):
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # makes the import fail


def test_llm_azure_with_key_builds_an_azure_client():
    model = _azure(api_key="az-key")
    client = model._make_client()
    assert isinstance(client, openai.AsyncAzureOpenAI)
    assert client.max_retries == 0
    assert model.auth == "key" and model.name == "azure"
    assert model.request_params(_request(max_tokens=5))["max_completion_tokens"] == 5


def test_llm_azure_without_endpoint_says_which_setting(no_identity):
    with pytest.raises(NoModelConfiguredError, match="AZURE_OPENAI_ENDPOINT"):
        _azure(endpoint="", api_key="k")


def test_llm_azure_without_key_or_identity_says_both_fixes(no_identity):
    with pytest.raises(NoModelConfiguredError) as info:
        _azure()
    assert "AZURE_OPENAI_KEY" in str(info.value) and "azure-identity" in str(info.value)


def test_llm_azure_uses_entra_id_token_when_identity_is_installed(monkeypatch):
    calls = {}
    identity = types.ModuleType("azure.identity")

    class DefaultAzureCredential:
        pass

    def get_bearer_token_provider(credential, scope):
        calls["scope"] = scope
        return lambda: "token-123"

    identity.DefaultAzureCredential = DefaultAzureCredential
    identity.get_bearer_token_provider = get_bearer_token_provider
    monkeypatch.setitem(sys.modules, "azure", types.ModuleType("azure"))
    monkeypatch.setitem(sys.modules, "azure.identity", identity)
    model = _azure()
    assert model.auth == "entra-id" and calls["scope"] == AZURE_SCOPE
    assert model.token_provider() == "token-123"
    assert isinstance(model._make_client(), openai.AsyncAzureOpenAI)


def _request(**kw):
    from tinytroupe.llm import ChatRequest

    return ChatRequest(messages=[{"role": "user", "content": "hi"}], **kw)
