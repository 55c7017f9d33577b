"""The call cache in front of a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field

from tinytroupe import llm, openai_utils
from tinytroupe.config import config_manager
from tinytroupe.llm import ChatRequest, generate
from tinytroupe.llm.cache import CachedModel, CallCache
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.testing.loopback_server import LoopbackServer

SECRET = "sk-secret-123"


class Opinion(BaseModel):
    stance: str = Field(max_length=40)
    confidence: int


def test_second_identical_request_makes_no_http_request(tmp_path):
    with LoopbackServer(api_key=SECRET) as server:
        cache = CallCache(tmp_path / "calls.sqlite")
        model = CachedModel(OpenAIModel(api_key=SECRET, base_url=server.base_url,
                                        model="loop", timeout=10), cache)
        request = ChatRequest(messages=[{"role": "user", "content": "Say something"}], seed=3)

        async def twice():
            try:
                return await model.complete(request), await model.complete(request)
            finally:
                await model.aclose()

        first, second = asyncio.run(twice())
        assert server.request_count == 1
        assert not first.cached and second.cached
        assert second.text == first.text and second.usage == first.usage
        assert cache.stats.hits == 1 and cache.stats.writes == 1


def test_configured_cache_replays_structured_calls_and_stores_no_key(tmp_path):
    with LoopbackServer(api_key=SECRET) as server:
        config_manager.update_multiple({"api_key": SECRET, "base_url": server.base_url,
                                        "model": "loop", "timeout": 10})
        openai_utils.force_api_cache(True, "llm_calls.sqlite")
        messages = [{"role": "user", "content": "What do you think of trains?"}]
        first = generate(llm.default_model(), messages, Opinion, seed=5)
        second = generate(llm.default_model(), messages, Opinion, seed=5)
        assert server.request_count == 1
        assert second.value == first.value and second.completion.cached
        llm.default_model().find(CachedModel).cache.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("llm_calls.sqlite*"))
    assert first.value.stance.encode() in stored  # the reply is stored...
    assert SECRET.encode() not in stored  # ...the key the server demanded is not
