"""openai_utils: the original's helper names, switching the call cache on and off."""

from __future__ import annotations

import asyncio

import pytest

from tinytroupe import llm, openai_utils
from tinytroupe.config import config_manager
from tinytroupe.errors import BadRequestError, TransientError
from tinytroupe.llm import ChatRequest
from tinytroupe.llm.cache import CachedModel


def _ask(text: str = "hi") -> str:
    request = ChatRequest(messages=[{"role": "user", "content": text}])
    return asyncio.run(llm.default_model().complete(request)).text


def test_force_api_cache_on_then_off_keeps_the_installed_model(scripted, tmp_path):
    scripted.responder = lambda r: f"reply {scripted.calls}"
    openai_utils.force_api_cache(True, "my_cache.sqlite")
    assert config_manager.get("cache_api_calls") is True
    assert llm.default_model().find(CachedModel) is not None
    assert _ask() == _ask() == "reply 1"
    assert scripted.calls == 1
    assert (tmp_path / "my_cache.sqlite").is_file()

    openai_utils.force_api_cache(False)
    assert llm.default_model().find(CachedModel) is None
    assert _ask() == "reply 2" and scripted.calls == 2
    assert config_manager.get("cache_file_name") == "my_cache.sqlite"


def test_force_api_cache_before_any_model_is_built(tmp_path):
    openai_utils.force_api_cache(True, str(tmp_path / "c.sqlite"))
    config_manager.update("api_type", "scripted")
    model = openai_utils.client().model
    assert model is llm.default_model()
    assert model.find(CachedModel).cache.path == (tmp_path / "c.sqlite").resolve()


def test_force_api_type_rebuilds_the_provider():
    openai_utils.force_api_type("scripted")
    assert config_manager.get("api_type") == "scripted"
    assert openai_utils.client().name == "scripted"


def test_force_default_value_sets_a_setting_by_either_case(scripted):
    openai_utils.force_default_value("TEMPERATURE", 0.25)
    assert config_manager.get("temperature") == 0.25
    scripted.queue("ok")
    assert _ask() == "ok"  # the installed scripted model is still the one answering


def test_send_message_returns_an_assistant_dict(scripted):
    scripted.queue("Hello there")
    reply = openai_utils.send_message([{"role": "user", "content": "Hi"}], temperature=0.5, json_mode=True)
    assert reply == {"role": "assistant", "content": "Hello there"}
    sent = scripted.requests[-1]
    assert sent.temperature == 0.5 and sent.response_format.mode == "json_object"


def test_original_exception_names_are_aliases():
    assert openai_utils.InvalidRequestError is BadRequestError
    assert openai_utils.NonTerminalError is TransientError
    with pytest.raises(openai_utils.NonTerminalError):
        raise TransientError("busy", status=503)
