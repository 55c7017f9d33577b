"""The cheaper request path: bodies serialised once per format, prices looked up once, light copies."""

from __future__ import annotations

import json

import pytest

from tinytroupe.config import config_manager
from tinytroupe.llm.base import ChatRequest, Message, ModelCapabilities, ModelWrapper, ResponseFormat
from tinytroupe.llm.providers import request_body
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.providers.request_body import encode_body
from tinytroupe.llm.wrappers import price_for, register_price
from tinytroupe.runtime import Runtime

SCHEMA = {"type": "object", "properties": {"answer": {"type": "string", "enum": ["yés", "no"]}},
          "required": ["answer"], "additionalProperties": False}


def _params(schema: dict, text: str = "Olá, ça va?") -> dict:
    model = OpenAIModel(api_key="k", base_url="http://127.0.0.1:9/v1", model="m", timeout=5)
    request = ChatRequest(messages=[Message(role="user", content=text)], max_tokens=20, temperature=0.3,
                          response_format=ResponseFormat(mode="json_schema", json_schema=schema, name="turn"))
    return model.request_params(request)


def test_llm_body_is_the_same_json_value_as_a_plain_dump():
    for schema in (SCHEMA, json.loads(json.dumps(SCHEMA))):
        params = _params(schema)
        assert json.loads(encode_body(params)) == json.loads(json.dumps(params))
    plain = {"model": "m", "messages": [{"role": "user", "content": "hi \u2603"}]}
    assert json.loads(encode_body(plain)) == plain
    assert "\u2603".encode() in encode_body(plain)  # UTF-8, not escaped


def test_llm_body_reuses_the_format_text_of_the_same_schema_objects(monkeypatch):
    request_body._encoded.cache_clear()
    calls = []
    real = request_body._ENCODER.encode
    monkeypatch.setattr(request_body, "_ENCODER", type("E", (), {"encode": lambda self, v: calls.append(v) or real(v)})())
    first = encode_body(_params(SCHEMA, "one"))
    second = encode_body(_params(SCHEMA, "two"))  # ChatRequest copies the top-level dict, not what it holds
    assert sum(1 for v in calls if "json_schema" in v) == 1  # the format was serialised once
    assert json.loads(second)["response_format"] == json.loads(first)["response_format"]
    assert json.loads(second)["messages"][0]["content"] == "two"
    other = json.loads(json.dumps(SCHEMA))  # equal, but other objects: serialised again, never confused
    other["properties"]["answer"]["enum"] = ["maybe"]
    third = json.loads(encode_body(_params(other)))
    assert third["response_format"]["json_schema"]["schema"]["properties"]["answer"]["enum"] == ["maybe"]
    assert request_body._encoded.cache_info().currsize == 2


def test_llm_body_remembers_a_bounded_number_of_formats():
    request_body._encoded.cache_clear()
    for i in range(request_body._MAX_FORMATS + 10):
        encode_body(_params({"type": "object", "properties": {f"f{i}": {"type": "string"}}}))
    assert request_body._encoded.cache_info().currsize == request_body._MAX_FORMATS


def test_llm_price_lookups_follow_registrations_and_configuration(tmp_path):
    with Runtime(name="prices"):  # this test's registrations stay its own
        assert price_for("house-model-x") is None
        register_price("house-model", 1.0, 2.0)
        assert price_for("house-model-x").input == 1.0  # a registration is seen at once
        (tmp_path / "config.ini").write_text("[Prices]\nhouse-model-x = 5, 6\n")
        assert price_for("house-model-x").input == 1.0  # the file is read once, at the edge...
        config_manager.reset()
        assert price_for("house-model-x").input == 5.0  # ...again once the configuration is (longest prefix wins)
        assert price_for("house-model-y").input == 1.0
        assert price_for("gpt-4o-mini").input == 0.15
    assert price_for("house-model-y") is None  # registered in the runtime above, not in this one


def test_llm_prices_registered_in_a_runtime_hold_in_the_runtimes_derived_from_it():
    parent = Runtime(name="parent")
    with parent:
        register_price("shop-model", 1.0, 2.0)
    with parent.derive({}, name="child"):
        assert price_for("shop-model-v2").input == 1.0
        register_price("shop-model-v2", 4.0, 8.0)  # the child's own registration wins there
        assert price_for("shop-model-v2").input == 4.0
    with parent:
        assert price_for("shop-model-v2").input == 1.0


def test_llm_pricing_keeps_no_module_level_container():
    from tinytroupe.llm.wrappers import pricing

    mutable = [name for name, value in vars(pricing).items()
               if not name.startswith("__") and isinstance(value, (dict, list, set))]
    assert mutable == []


def test_llm_with_changes_keeps_what_is_set_and_validates_the_rest():
    request = ChatRequest(messages=[Message(role="user", content="hi")], seed=3, tags={"agent": "Ana"})
    changed = request.with_changes(temperature=0.5, messages=[{"role": "system", "content": "s"}])
    assert changed.temperature == 0.5 and changed.seed == 3 and changed.tags == {"agent": "Ana"}
    assert changed.messages == (Message(role="system", content="s"),)
    assert request.temperature is None  # the original is untouched
    with pytest.raises(ValueError, match="temperature"):
        request.with_changes(temperature=7)
    with pytest.raises(ValueError, match="no field 'temprature'"):
        request.with_changes(temprature=0.5)


def test_llm_wrappers_pass_on_capabilities_set_later_on_the_provider(scripted):
    from tinytroupe import llm

    chain = llm.default_model()
    assert isinstance(chain, ModelWrapper)
    scripted.capabilities = ModelCapabilities(small=True)
    assert chain.capabilities.small

    class Says(ModelWrapper):
        capabilities = ModelCapabilities(reasoning=True)

    assert ModelWrapper(Says(chain)).capabilities.reasoning  # a wrapper with its own answer is asked
