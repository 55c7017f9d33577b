"""The original client's cost counters and cache switches, over a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import pytest

from tinytroupe import clients, llm, openai_utils
from tinytroupe.config import config_manager
from tinytroupe.testing import LoopbackServer


@pytest.fixture
def server(tmp_path):
    with LoopbackServer() as running:
        config_manager.update_multiple({"api_type": "openai", "base_url": running.base_url, "api_key": "k",
                                        "cache_api_calls": False,
                                        "cache_file_name": str(tmp_path / "calls.sqlite")})
        llm.reset_default_model()
        yield running
    llm.reset_default_model()


def _ask(text: str) -> dict:
    return openai_utils.client().send_message([{"role": "user", "content": text}])


def test_the_client_is_one_object_per_api_type(server):
    assert openai_utils.client() is openai_utils.client() is clients.client()


def test_cost_stats_count_calls_and_tokens_since_the_last_reset(server):
    client = openai_utils.client()
    client.reset_cost_stats()
    assert client.get_cost_stats() == {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0,
                                       "model_calls": 0, "cached_calls": 0}
    _ask("hello")
    _ask("hello again")
    stats = openai_utils.client().get_cost_stats()
    assert stats["model_calls"] == 2 == server.request_count and stats["cached_calls"] == 0
    assert stats["input_tokens"] > 0 and stats["output_tokens"] > 0
    assert stats["total_tokens"] == stats["input_tokens"] + stats["output_tokens"]
    client.reset_cost_stats()
    assert client.get_cost_stats()["model_calls"] == 0


def test_cached_calls_are_counted_apart(server, tmp_path):
    openai_utils.force_api_cache(True, str(tmp_path / "cached.sqlite"))
    client = openai_utils.client()
    assert client.cache_api_calls is True and client.cache_file_name.endswith("cached.sqlite")
    client.reset_cost_stats()
    first, second = _ask("same question"), _ask("same question")
    assert first == second and server.request_count == 1
    stats = client.get_cost_stats()
    assert stats["model_calls"] == 1 and stats["cached_calls"] == 1
    openai_utils.force_api_cache(False)
    assert openai_utils.client().cache_api_calls is False


def test_pretty_print_cost_stats_prints_the_framed_table(server, capsys):
    client = openai_utils.client()
    client.reset_cost_stats()
    _ask("hi")
    client.pretty_print_cost_stats()
    out = capsys.readouterr().out
    assert "LLM API COST STATISTICS" in out and "Model API calls:      1" in out and "Avg tokens per call" in out


def test_the_client_constructor_switches_the_cache(server, tmp_path, monkeypatch):
    from tinytroupe import log_setup
    from tinytroupe.clients.openai_client import OpenAIClient

    log_setup.forget_warnings()
    with pytest.warns(UserWarning, match="force_api_cache"):
        own = OpenAIClient(cache_api_calls=True, cache_file_name=str(tmp_path / "own.sqlite"))
    assert own.cache_api_calls and config_manager.get("cache_file_name").endswith("own.sqlite")
    own.send_message([{"role": "user", "content": "x"}])
    own.send_message([{"role": "user", "content": "x"}])
    assert server.request_count == 1
    OpenAIClient(cache_api_calls=False)
    assert not openai_utils.client().cache_api_calls


def test_client_needs_no_key_until_a_message_is_sent(monkeypatch):
    config_manager.update_multiple({"api_type": "auto", "api_key": None, "base_url": None})
    monkeypatch.setattr("tinytroupe.llm.setup._local_available", lambda: False)
    client = openai_utils.client()
    assert client.get_cost_stats()["model_calls"] >= 0


def test_global_cost_stats_count_every_call_and_ignore_client_resets(server, capsys):
    from tinytroupe.llm import usage_stats

    usage_stats().reset()
    _ask("one")
    openai_utils.client().reset_cost_stats()
    _ask("two")
    assert openai_utils.get_global_cost_stats()["model_calls"] == 2
    assert openai_utils.client().get_cost_stats()["model_calls"] == 1
    clients.pretty_print_global_cost_stats()
    assert "GLOBAL LLM API COST STATISTICS" in capsys.readouterr().out


def test_get_embedding_gives_one_vector(server):
    vector = openai_utils.client().get_embedding("a sunny day at the beach")
    assert isinstance(vector, list) and len(vector) > 8 and all(isinstance(x, float) for x in vector)
