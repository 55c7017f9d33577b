"""LocalModel without running llama.cpp: file lookup, request mapping, error mapping."""

from __future__ import annotations

import asyncio

import pytest

from tinytroupe.config import config_manager
from tinytroupe.errors import BadRequestError, ConfigError, NoModelConfiguredError, ProviderError
from tinytroupe.llm import ChatRequest
from tinytroupe.llm.providers import local
from tinytroupe.llm.providers.local import DEFAULT_MAX_TOKENS, DEFAULT_REPEAT_PENALTY, LocalModel


@pytest.fixture
def gguf(tmp_path, monkeypatch):
    """A stand-in model file, with llama-cpp-python reported as installed."""
    monkeypatch.setattr(local, "_llama_installed", lambda: True)
    path = tmp_path / "tiny-test-model.gguf"
    path.write_bytes(b"GGUF")
    return path


def _request(**kw) -> ChatRequest:
    return ChatRequest(messages=[{"role": "system", "content": "be brief"},
                                 {"role": "user", "content": "hi"}], **kw)


def test_identity_comes_from_the_file(gguf):
    model = LocalModel(gguf, n_ctx=1024, n_threads=1, seed=3)
    assert model.name == "local"
    assert model.endpoint == str(gguf.resolve())
    assert model.default_model == "tiny-test-model"
    assert not model.loaded


def test_configured_path_is_used_and_relative_paths_resolve_against_cwd(gguf, tmp_path):
    config_manager.update("local_model_path", gguf.name)
    assert LocalModel().endpoint == str(gguf.resolve())


def test_missing_configured_file_names_the_setting_and_path(gguf, tmp_path):
    config_manager.update("local_model_path", str(tmp_path / "nope.gguf"))
    with pytest.raises(ConfigError) as info:
        LocalModel()
    assert "LOCAL_MODEL_PATH" in str(info.value) and "nope.gguf" in str(info.value)


def test_missing_argument_file_names_the_argument(gguf, tmp_path):
    with pytest.raises(ConfigError, match="model_path .*missing.gguf"):
        LocalModel(tmp_path / "missing.gguf")


def test_without_llama_cpp_the_error_says_how_to_install(monkeypatch, gguf):
    monkeypatch.setattr(local, "_llama_installed", lambda: False)
    with pytest.raises(NoModelConfiguredError, match=r"pip install -e \"\.\[local\]\""):
        LocalModel(gguf)
    assert local.local_model_available() is False


def test_without_the_wheel_the_default_model_is_missing(monkeypatch, gguf):
    monkeypatch.setattr(local, "default_gguf_path", lambda: None)
    with pytest.raises(NoModelConfiguredError, match="LOCAL_MODEL_PATH"):
        LocalModel()
    assert local.local_model_available() is False
    config_manager.update("local_model_path", str(gguf))
    assert local.local_model_available() is True


def test_structured_modes_become_a_grammar_and_text_stays_plain(gguf):
    model = LocalModel(gguf, seed=11)
    schema = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 5}}}
    for mode in ("json_schema", "json_object"):
        params = model.request_params(_request(response_format={"mode": mode, "json_schema": schema}))
        assert params["response_format"] == {"type": "json_object", "schema": schema}
    plain = model.request_params(_request(response_format={"mode": "json_object"}))
    assert plain["response_format"] == {"type": "json_object"}
    for mode in ("text", "prompt"):
        params = model.request_params(_request(response_format={"mode": mode, "json_schema": schema}))
        assert "response_format" not in params
    assert plain["max_tokens"] == DEFAULT_MAX_TOKENS and plain["seed"] == 11
    assert plain["repeat_penalty"] == DEFAULT_REPEAT_PENALTY
    assert "temperature" not in plain
    assert plain["messages"][0] == {"role": "system", "content": "be brief"}


def test_request_values_win_over_defaults(gguf):
    params = LocalModel(gguf, seed=11, repeat_penalty=1.0).request_params(
        _request(max_tokens=64, seed=5, temperature=0.3, frequency_penalty=0.1, presence_penalty=0.2))
    assert (params["max_tokens"], params["seed"], params["temperature"]) == (64, 5, 0.3)
    assert (params["frequency_penalty"], params["presence_penalty"]) == (0.1, 0.2)
    assert params["repeat_penalty"] == 1.0


def _fake_chat(model: LocalModel, monkeypatch, behaviour):
    monkeypatch.setattr(model._engine, "chat", behaviour)


def test_completion_is_built_from_the_llama_response(gguf, monkeypatch):
    model = LocalModel(gguf, n_ctx=512)
    seen = []

    def chat(params):
        seen.append(params)
        return {"choices": [{"message": {"role": "assistant", "content": '{"a": "x"}'},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 12, "completion_tokens": 4}}

    _fake_chat(model, monkeypatch, chat)
    completion = asyncio.run(model.complete(_request()))
    assert completion.text == '{"a": "x"}' and completion.finish_reason == "stop"
    assert (completion.usage.input_tokens, completion.usage.output_tokens) == (12, 4)
    assert completion.provider == "local" and completion.model == "tiny-test-model"
    assert len(seen) == 1


@pytest.mark.parametrize("error, expected, fragment", [
    (ValueError("Requested tokens (9000) exceed context window of 512"), BadRequestError,
     "LOCAL_CONTEXT_SIZE"),
    (ValueError("bad grammar"), BadRequestError, "rejected the request"),
    (RuntimeError("decode failed"), ProviderError, "decode failed"),
    (ConfigError("LOCAL_MODEL_PATH broken"), ConfigError, "LOCAL_MODEL_PATH"),
])
def test_llama_errors_become_tinytroupe_errors(gguf, monkeypatch, error, expected, fragment):
    model = LocalModel(gguf, n_ctx=512)

    def chat(params):
        raise error

    _fake_chat(model, monkeypatch, chat)
    with pytest.raises(expected, match=fragment) as info:
        asyncio.run(model.complete(_request()))
    assert type(info.value) is expected


def test_models_of_one_file_share_one_engine(gguf):
    a, b = LocalModel(gguf, n_ctx=256), LocalModel(gguf, n_ctx=256)
    c = LocalModel(gguf, n_ctx=128)
    assert a._engine is b._engine and a._engine is not c._engine
