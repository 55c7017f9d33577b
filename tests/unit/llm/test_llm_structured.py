"""Structured output over the scripted model: validation, repair, mode fallback and memory."""

import asyncio

import pytest
from pydantic import BaseModel

from tinytroupe import events
from tinytroupe.config import config_manager
from tinytroupe.errors import BadRequestError, StructuredOutputError, TransientError
from tinytroupe.llm import ScriptedModel
from tinytroupe.llm.setup import wrap_model
from tinytroupe.llm.structured import agenerate, endpoint_modes, forget_endpoint_modes, generate
from tinytroupe.llm.wrappers import UsageStats, UsageTracker

MESSAGES = [{"role": "system", "content": "You are Lisa."}, {"role": "user", "content": "Who are you?"}]


class Answer(BaseModel):
    name: str
    age: int


def _scripted(*replies, endpoint):
    return ScriptedModel(list(replies), endpoint=endpoint)


def test_llm_scripted_reply_gives_validated_object():
    model = _scripted({"name": "Lisa", "age": 28}, endpoint="scripted://plain")
    result = generate(model, MESSAGES, Answer)
    assert result.value == Answer(name="Lisa", age=28)
    assert result.attempts == 1 and result.mode == "json_schema"
    rf = model.requests[0].response_format
    assert rf.mode == "json_schema" and rf.json_schema["properties"]["age"]["type"] == "integer"


def test_llm_invalid_reply_is_repaired_quoting_the_error():
    model = _scripted('{"name": "Lisa", "age": "old"}', '{"name": "Lisa", "age": 28}', endpoint="scripted://repair")
    with events.collect(["llm.repair"]) as seen:
        result = generate(model, MESSAGES, Answer)
    assert result.value.age == 28 and result.attempts == 2
    repair_prompt = model.requests[1].messages[-1].content
    assert "age" in repair_prompt and "integer" in repair_prompt
    assert model.requests[1].messages[-2].role == "assistant"
    assert len(seen.events) == 1


def test_llm_gives_up_with_typed_error_after_max_attempts():
    model = ScriptedModel(default="I would rather not say.", endpoint="scripted://stubborn")
    with pytest.raises(StructuredOutputError) as info:
        generate(model, MESSAGES, Answer, max_attempts=3)
    assert model.calls == 3
    assert len(info.value.errors) == 3 and info.value.last_text == "I would rather not say."
    assert "MAX_ATTEMPTS" in str(info.value)


def test_llm_max_attempts_comes_from_config():
    config_manager.update("max_attempts", 2)
    model = ScriptedModel(default="nope", endpoint="scripted://config-attempts")
    with pytest.raises(StructuredOutputError):
        generate(model, MESSAGES, Answer)
    assert model.calls == 2


def test_llm_format_rejection_falls_back_and_is_remembered():
    forget_endpoint_modes()
    model = _scripted(
        BadRequestError("response_format json_schema is not supported", status=400),
        {"name": "Lisa", "age": 28},
        {"name": "Rob", "age": 40},
        endpoint="scripted://no-json-schema",
    )
    first = generate(model, MESSAGES, Answer)
    assert first.mode == "json_object" and first.attempts == 1
    assert endpoint_modes()["scripted://no-json-schema"] == "json_object"
    second = generate(model, MESSAGES, Answer)
    assert second.value.name == "Rob"
    assert [r.response_format.mode for r in model.requests] == ["json_schema", "json_object", "json_object"]
    # json_object also describes the schema, inside the leading system message
    assert model.requests[1].messages[0].role == "system"
    assert "JSON schema" in model.requests[1].messages[0].content
    assert sum(m.role == "system" for m in model.requests[1].messages) == 1


def test_llm_falls_back_to_prompt_mode_when_json_mode_is_rejected_too():
    model = _scripted(
        BadRequestError("json_schema unsupported"),
        BadRequestError("grammar not supported"),
        'Here you go: {"name": "Lisa", "age": 28}',
        endpoint="scripted://prompt-only",
    )
    result = generate(model, MESSAGES, Answer)
    assert result.mode == "prompt" and result.value.age == 28
    assert endpoint_modes()["scripted://prompt-only"] == "prompt"


def test_llm_unrelated_bad_request_is_not_a_fallback():
    model = _scripted(BadRequestError("model 'nope' does not exist", status=404), endpoint="scripted://bad-model")
    with pytest.raises(BadRequestError):
        generate(model, MESSAGES, Answer)
    assert model.calls == 1
    assert "scripted://bad-model" not in endpoint_modes()


def test_llm_forced_mode_does_not_fall_back():
    config_manager.update("structured_output_mode", "json_schema")
    model = _scripted(BadRequestError("json_schema unsupported"), endpoint="scripted://forced")
    with pytest.raises(BadRequestError):
        generate(model, MESSAGES, Answer)


def test_llm_forced_prompt_mode_sends_no_format_and_describes_schema():
    config_manager.update("structured_output_mode", "prompt")
    model = _scripted('```json\n{"name": "Lisa", "age": 28}\n```', endpoint="scripted://forced-prompt")
    result = generate(model, [{"role": "user", "content": "Hi"}], Answer)
    assert result.mode == "prompt"
    first = model.requests[0].messages[0]
    assert first.role == "system" and '"age"' in first.content


@pytest.mark.parametrize("reply", [[{"name": "Lisa", "age": 28}], {"Answer": {"name": "Lisa", "age": 28}}])
def test_llm_common_wrappings_of_a_right_answer_are_accepted(reply):
    model = _scripted(reply, endpoint="scripted://wrapped")
    assert generate(model, MESSAGES, Answer).value == Answer(name="Lisa", age=28)


def test_llm_custom_schema_is_sent_but_pydantic_validates():
    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 5},
                                               "age": {"type": "integer"}}, "required": ["name", "age"]}
    model = _scripted({"name": "Lisa", "age": 28}, endpoint="scripted://schema")
    generate(model, MESSAGES, Answer, schema=schema)
    assert model.requests[0].response_format.json_schema["properties"]["name"]["maxLength"] == 5


def test_llm_transient_error_after_retries_propagates_typed():
    model = ScriptedModel(default=TransientError("down", status=503), endpoint="scripted://down")
    with pytest.raises(TransientError):
        generate(model, MESSAGES, Answer)


def test_llm_repairs_and_retries_are_both_counted_in_usage():
    config_manager.update("max_attempts", 3)
    inner = _scripted(TransientError("flaky", status=503), '{"name": 1}', {"name": "Lisa", "age": 28},
                      endpoint="scripted://counted")
    model = wrap_model(inner)
    tracker = model.find(UsageTracker)
    tracker.stats = UsageStats()
    result = generate(model, MESSAGES, Answer, tags={"agent": "Lisa"})
    assert result.attempts == 2
    snap = tracker.stats.snapshot()
    assert snap["total"]["retries"] == 1 and snap["total"]["repairs"] == 1
    assert snap["by_tag"]["agent"]["Lisa"]["calls"] == 2


def test_llm_agenerate_runs_in_callers_loop():
    model = _scripted({"name": "Lisa", "age": 28}, endpoint="scripted://async")
    result = asyncio.run(agenerate(model, MESSAGES, Answer))
    assert result.value.name == "Lisa"
