"""The openai provider against a real OpenAI-compatible HTTP server on 127.0.0.1."""

import asyncio
import threading

import openai
import pytest
from pydantic import BaseModel, Field

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.errors import AuthenticationError, BadRequestError, TransientError
from tinytroupe.llm import ChatRequest, generate
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.setup import complete_text
from tinytroupe.llm.structured import endpoint_modes
from tinytroupe.llm.wrappers import LimitedModel, RetryingModel, UsageStats, UsageTracker
from tinytroupe.testing import LoopbackServer

MESSAGES = [{"role": "system", "content": "You are Lisa, 28."}, {"role": "user", "content": "Describe yourself."}]


class Pet(BaseModel):
    name: str = Field(max_length=20)
    legs: int


class Person(BaseModel):
    name: str = Field(max_length=20)
    age: int = Field(ge=0, le=120)
    pets: list[Pet]


def stacked(server, *, max_attempts=3, timeout=5.0, key="k"):
    """The same stack as wrap_model, with fast retries and a private usage tally."""
    provider = OpenAIModel(api_key=key, base_url=server.base_url, model="loop", timeout=timeout)
    retry = RetryingModel(provider, max_attempts=max_attempts, initial_delay=0.01)
    tracker = UsageTracker(LimitedModel(retry, max_concurrent=256), stats=UsageStats())
    retry.on_retry = lambda request, _e, _d: tracker.note_retry(request)
    return tracker


def formats(server):
    return [(b.get("response_format") or {}).get("type") for b in server.bodies]


def test_llm_native_json_schema_gives_validated_object():
    with LoopbackServer() as server:
        model = stacked(server)
        result = generate(model, MESSAGES, Person)
        assert isinstance(result.value, Person) and result.mode == "json_schema"
        body = server.bodies[0]
        assert body["response_format"]["json_schema"]["name"] == "Person"
        assert body["messages"][1]["content"] == "Describe yourself."
        total = model.stats.snapshot()["total"]
        assert total["calls"] == 1 and total["input_tokens"] == server.prompt_tokens > 0
        assert total["output_tokens"] == server.completion_tokens > 0


@pytest.mark.parametrize("status", [400, 500])
def test_llm_server_rejecting_json_schema_falls_back_and_remembers(status):
    with LoopbackServer(mode="reject_json_schema", reject_status=status) as server:
        model = stacked(server)
        first = generate(model, MESSAGES, Person)
        assert first.mode == "json_object" and isinstance(first.value, Person)
        assert endpoint_modes()[server.base_url] == "json_object"
        generate(model, MESSAGES, Person)
        assert formats(server) == ["json_schema", "json_object", "json_object"]
        assert server.bodies[1]["response_format"]["schema"]["properties"]["pets"]["type"] == "array"
        assert model.find(RetryingModel).retries == 0  # a rejected format is not retried as transient


def test_llm_prose_and_code_fence_replies_are_extracted():
    with LoopbackServer(mode="prose_only") as server:
        model = stacked(server)
        values = [generate(model, MESSAGES, Person) for _ in range(2)]
        assert all(isinstance(v.value, Person) and v.attempts == 1 for v in values)
        assert server.request_count == 2


def test_llm_configured_base_url_works_end_to_end():
    with LoopbackServer(responder=lambda body: "Hi, I am the loopback.") as server:
        config_manager.update_multiple({"base_url": server.base_url, "model": "loop-model"})
        assert complete_text("Hello?") == "Hi, I am the loopback."
        assert server.bodies[0]["model"] == "loop-model"
        assert server.bodies[0]["messages"] == [{"role": "user", "content": "Hello?"}]
        assert llm.default_model().name == "openai"


def test_llm_wrong_key_fails_at_once_with_a_helpful_message():
    with LoopbackServer(api_key="right-key") as server:
        model = stacked(server, max_attempts=5, key="wrong-key")
        with pytest.raises(AuthenticationError) as info:
            generate(model, MESSAGES, Person)
        assert server.request_count == 1 and model.find(RetryingModel).retries == 0
        assert "OPENAI_API_KEY" in str(info.value) and "401" in str(info.value)
        assert info.value.status == 401
        assert generate(stacked(server, key="right-key"), MESSAGES, Person).value.age >= 0


def test_llm_wrong_path_is_a_bad_request_naming_the_fix():
    with LoopbackServer() as server:
        provider = OpenAIModel(api_key="k", base_url=server.base_url.removesuffix("/v1") + "/nope",
                               model="loop", timeout=5)
        with pytest.raises(BadRequestError, match="/v1"):
            asyncio.run(provider.complete(ChatRequest(messages=[{"role": "user", "content": "hi"}])))


def test_llm_unreachable_server_is_transient_and_names_base_url():
    server = LoopbackServer().start()
    url = server.base_url
    server.stop()
    provider = OpenAIModel(api_key="k", base_url=url, model="loop", timeout=2)
    with pytest.raises(TransientError, match="BASE_URL"):
        asyncio.run(provider.complete(ChatRequest(messages=[{"role": "user", "content": "hi"}])))


def test_llm_many_concurrent_calls_overlap():
    n = 80
    all_in = threading.Event()
    lock = threading.Lock()
    seen = {"n": 0}

    def hold_until_all_arrive(body):
        with lock:
            seen["n"] += 1
            if seen["n"] == n:
                all_in.set()
        all_in.wait(timeout=20)  # every call is in flight at once, however slow the machine
        return "ok"

    with LoopbackServer(responder=hold_until_all_arrive) as server:
        model = stacked(server)

        async def burst():
            request = ChatRequest(messages=[{"role": "user", "content": "hi"}])
            try:
                return await asyncio.gather(*[model.complete(request) for _ in range(n)])
            finally:
                await model.aclose()

        replies = asyncio.run(burst())
        assert all_in.is_set() and [r.text for r in replies] == ["ok"] * n
        assert server.max_in_flight == n and model.find(LimitedModel).max_in_flight == n
        assert server.request_count == n and len(server.prompt_tokens_per_request) == n


def test_llm_embeddings_endpoint_answers_the_openai_client():
    with LoopbackServer(embedding_dim=8) as server:

        async def embed():
            client = openai.AsyncOpenAI(api_key="k", base_url=server.base_url, max_retries=0)
            try:
                return await client.embeddings.create(model="emb", input=["a", "b", "a"])
            finally:
                await client.close()

        result = asyncio.run(embed())
        vectors = [d.embedding for d in result.data]
        assert len(vectors) == 3 and len(vectors[0]) == 8
        assert vectors[0] == vectors[2] != vectors[1]
