"""CachedModel: repeated requests are answered from the cache without calling the provider."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel

from tinytroupe.config import config_manager
from tinytroupe.errors import TransientError
from tinytroupe.llm import ChatRequest, ScriptedModel, agenerate
from tinytroupe.llm.cache import CachedModel, CallCache


def _request(text: str = "hello", **kw) -> ChatRequest:
    return ChatRequest(messages=[{"role": "user", "content": text}], **kw)


@pytest.fixture
def cache(tmp_path):
    c = CallCache(tmp_path / "calls.sqlite")
    yield c
    c.close()


def test_second_identical_request_makes_no_inner_call(cache):
    inner = ScriptedModel(["first reply", "second reply"])
    model = CachedModel(inner, cache)
    one = asyncio.run(model.complete(_request(temperature=0.3)))
    two = asyncio.run(model.complete(_request(temperature=0.3)))
    assert inner.calls == 1
    assert (one.text, one.cached) == ("first reply", False)
    assert (two.text, two.cached) == ("first reply", True)
    assert two.usage == one.usage and two.model == one.model
    assert two.finish_reason == "stop" and two.provider == "scripted"
    assert cache.stats.hits == 1 and cache.stats.misses == 1 and cache.stats.writes == 1


def test_cache_is_shared_across_wrappers_and_instances(tmp_path):
    path = tmp_path / "calls.sqlite"
    first = CallCache(path)
    asyncio.run(CachedModel(ScriptedModel(["stored"]), first).complete(_request()))
    first.close()
    inner = ScriptedModel([])  # would raise if called
    again = asyncio.run(CachedModel(inner, CallCache(path)).complete(_request()))
    assert again.text == "stored" and again.cached and inner.calls == 0


@pytest.mark.parametrize("change", [
    {"temperature": 0.9}, {"seed": 7}, {"max_tokens": 10}, {"model": "other-model"},
    {"response_format": {"mode": "json_schema", "json_schema": {"type": "object"}}},
], ids=["temperature", "seed", "max_tokens", "model", "schema"])
def test_any_parameter_change_is_a_miss(cache, change):
    inner = ScriptedModel(default="reply")
    model = CachedModel(inner, cache)
    asyncio.run(model.complete(_request()))
    asyncio.run(model.complete(_request(**change)))
    assert inner.calls == 2


def test_tags_are_not_part_of_the_key(cache):
    inner = ScriptedModel(default="reply")
    model = CachedModel(inner, cache)
    asyncio.run(model.complete(_request(tags={"agent": "Lisa"})))
    hit = asyncio.run(model.complete(_request(tags={"agent": "Oscar"})))
    assert inner.calls == 1 and hit.cached


def test_key_uses_the_inner_default_model_and_provider(cache):
    a = CachedModel(ScriptedModel(default="a", model_name="m1"), cache)
    b = CachedModel(ScriptedModel(default="b", model_name="m2"), cache)
    assert a.key_for(_request()) != b.key_for(_request())
    assert a.key_for(_request()) == a.key_for(_request(model="m1"))


def test_errors_and_empty_replies_are_not_stored(cache):
    inner = ScriptedModel([TransientError("busy", status=503), "", "real"])
    model = CachedModel(inner, cache)
    with pytest.raises(TransientError):
        asyncio.run(model.complete(_request()))
    assert asyncio.run(model.complete(_request())).text == ""
    assert asyncio.run(model.complete(_request())).text == "real"
    assert asyncio.run(model.complete(_request())).cached
    assert inner.calls == 3 and len(cache) == 1


def test_wrapper_exposes_inner_identity(cache):
    inner = ScriptedModel(model_name="m", endpoint="scripted://x")
    model = CachedModel(inner, cache)
    assert (model.name, model.endpoint, model.default_model) == ("scripted", "scripted://x", "m")
    assert model.find(ScriptedModel) is inner and model.find(CachedModel) is model


class Verdict(BaseModel):
    label: str
    score: int


def test_structured_generation_is_replayed_from_cache(cache):
    inner = ScriptedModel([{"label": "good", "score": 7}])
    model = CachedModel(inner, cache)
    msgs = [{"role": "user", "content": "rate it"}]
    first = asyncio.run(agenerate(model, msgs, Verdict, seed=1))
    second = asyncio.run(agenerate(model, msgs, Verdict, seed=1))
    assert first.value == second.value == Verdict(label="good", score=7)
    assert second.completion.cached and inner.calls == 1


def test_file_holds_no_api_key(tmp_path):
    secret = "sk-secret-123"
    config_manager.update_multiple({"api_key": secret, "azure_api_key": secret})
    path = tmp_path / "calls.sqlite"
    cache = CallCache(path)
    model = CachedModel(ScriptedModel(responder=lambda r: "answer to " + r.messages[-1].content), cache)
    for i in range(20):
        asyncio.run(model.complete(_request(f"question {i}")))
    cache.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("calls.sqlite*"))
    assert b"answer to question 7" in stored  # the replies is there...
    assert secret.encode() not in stored  # ...the key is not
