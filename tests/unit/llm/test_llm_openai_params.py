"""How the openai provider shapes requests (no network; the wire is tested in integration)."""

import asyncio

from tinytroupe.llm import ChatRequest, ResponseFormat
from tinytroupe.llm.providers.openai_compat import OpenAIModel, parse_retry_after

SCHEMA = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}


def _model(base_url=None, model="gpt-4.1-mini"):
    return OpenAIModel(api_key="k", base_url=base_url, model=model, timeout=5)


def _request(**kw):
    return ChatRequest(messages=[{"role": "user", "content": "hi"}], **kw)


def test_llm_only_set_parameters_are_sent():
    params = _model("http://localhost:8080/v1").request_params(_request())
    assert params == {"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "hi"}]}


def test_llm_parameters_and_token_limit_name_by_server():
    request = _request(temperature=0.3, max_tokens=50, seed=7, frequency_penalty=0.1, presence_penalty=0.2,
                       model="other")
    local = _model("http://localhost:8080/v1").request_params(request)
    assert local["max_tokens"] == 50 and "max_completion_tokens" not in local
    assert (local["temperature"], local["seed"], local["model"]) == (0.3, 7, "other")
    assert (local["frequency_penalty"], local["presence_penalty"]) == (0.1, 0.2)
    cloud = _model().request_params(request)
    assert cloud["max_completion_tokens"] == 50 and "max_tokens" not in cloud


def test_llm_reasoning_models_on_openai_get_no_temperature():
    params = _model(model="o4-mini").request_params(_request(temperature=0.5))
    assert "temperature" not in params


def test_llm_response_format_mapping():
    js = _request(response_format=ResponseFormat(mode="json_schema", json_schema=SCHEMA, name="My Answer!"))
    sent = _model("http://x/v1").request_params(js)["response_format"]
    assert sent == {"type": "json_schema", "json_schema": {"name": "My_Answer_", "schema": SCHEMA, "strict": False}}
    jo = _request(response_format=ResponseFormat(mode="json_object", json_schema=SCHEMA))
    assert _model("http://x/v1").request_params(jo)["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert _model().request_params(jo)["response_format"] == {"type": "json_object"}
    for mode in ("prompt", "text"):
        r = _request(response_format=ResponseFormat(mode=mode, json_schema=SCHEMA))
        assert "response_format" not in _model("http://x/v1").request_params(r)


def test_llm_one_client_per_event_loop_reused_within_it():
    model = _model("http://127.0.0.1:9/v1")

    async def two():
        return model.client(), model.client()

    a1, a2 = asyncio.run(two())
    b1, _ = asyncio.run(two())
    assert a1 is a2 and a1 is not b1
    assert a1.max_retries == 0


def test_llm_aclose_closes_this_loops_client():
    model = _model("http://127.0.0.1:9/v1")

    async def use_and_close():
        client = model.client()
        await model.aclose()
        return client, model.client()

    first, second = asyncio.run(use_and_close())
    assert first is not second and first.is_closed()


def test_llm_parse_retry_after_forms():
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after": "0.25"}) == 0.25
    assert parse_retry_after({"retry-after-ms": "150"}) == 0.15
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert parse_retry_after({}) is None and parse_retry_after(None) is None
