"""LLMChat with the scripted model: typed outputs, justification fields, multi-turn, errors."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from tinytroupe.errors import SpecificationError, StructuredOutputError
from tinytroupe.llm import ScriptedModel
from tinytroupe.utils import LLMChat


class Verdict(BaseModel):
    winner: str
    margin: int


def chat(output_type, *replies, **kwargs):
    model = ScriptedModel(list(replies))
    return LLMChat(system_prompt="You judge.", user_prompt="Judge this.", output_type=output_type,
                   model=model, **kwargs), model


def justified(value, confidence=0.9):
    return {"justification": "because", "value": value, "confidence": confidence}


@pytest.mark.parametrize("output_type, sent, expected", [
    (bool, True, True),
    (bool, "Yes, certainly", True),
    (int, 4, 4),
    (int, "4 out of 5", 4),
    (float, "0.75", 0.75),
    (str, "plain words", "plain words"),
    (["apple", "banana"], "Banana", "banana"),
    (["apple", "banana"], "I would pick apple", "apple"),
    (dict, {"a": 1}, {"a": 1}),
    ("json", '{"a": [1, 2]}', {"a": [1, 2]}),
    (list, ["x", 2], ["x", 2]),
    (list[str], ["x", "y"], ["x", "y"]),
])
def test_each_output_type_comes_back_typed_with_its_justification(output_type, sent, expected):
    c, model = chat(output_type, justified(sent))
    assert c.call() == expected
    assert c.response_value == expected
    assert c.response_justification == "because" and c.response_confidence == 0.9
    rf = model.requests[0].response_format
    assert rf.mode == "json_schema"
    assert list(rf.json_schema["properties"]) == ["justification", "value", "confidence"]
    assert rf.json_schema["properties"]["confidence"]["maximum"] == 1.0


def test_options_become_an_enum_in_the_schema_and_the_prompt():
    c, model = chat(["yes", "no", "maybe"], justified("maybe"))
    assert c.call() == "maybe"
    schema = model.requests[0].response_format.json_schema
    assert schema["properties"]["value"]["enum"] == ["yes", "no", "maybe"]
    assert '"yes", "no", "maybe"' in model.requests[0].messages[0].content


def test_a_value_outside_the_options_is_repaired_not_returned():
    c, model = chat(["yes", "no"], justified("perhaps"), justified("no"))
    assert c.call() == "no" and model.calls == 2


def test_a_pydantic_model_is_the_reply_itself():
    c, model = chat(Verdict, {"winner": "B", "margin": 3})
    value = c.call()
    assert value == Verdict(winner="B", margin=3)
    assert c.response_json == {"winner": "B", "margin": 3} and c.response_justification is None
    assert model.requests[0].response_format.name == "Verdict"


def test_reasoning_comes_first_and_percentages_become_confidences():
    c, model = chat(int, {"reasoning": "step by step", "justification": "j", "value": 3, "confidence": 85},
                    enable_reasoning_step=True)
    assert c.call() == 3 and c.response_reasoning == "step by step" and c.response_confidence == 0.85
    assert list(model.requests[0].response_format.json_schema["properties"])[0] == "reasoning"


def test_without_justification_only_the_value_is_asked_for():
    c, model = chat(int, {"value": 2}, enable_justification_step=False)
    assert c.call() == 2 and c.response_confidence is None
    assert list(model.requests[0].response_format.json_schema["properties"]) == ["value"]


def test_without_json_the_reply_is_free_text_read_as_the_type():
    c, model = chat(int, "I'd say 7, honestly.", enable_json_output_format=False)
    assert c.call() == 7
    assert model.requests[0].response_format.mode == "text"


def test_free_text_that_holds_no_such_value_is_a_typed_error():
    c, _ = chat(int, "no idea", enable_json_output_format=False)
    with pytest.raises(StructuredOutputError, match="int"):
        c.call()


def test_output_type_none_is_free_text_and_undoes_an_earlier_format():
    c, model = chat(int, justified(1), "free words")
    assert c.call() == 1
    assert c.continue_conversation("Now tell me why, in words.", output_type=None) == "free words"
    second = model.requests[1]
    assert second.response_format.mode == "text"
    assert "plain text" in second.messages[0].content
    roles = [m.role for m in second.messages]
    assert roles == ["system", "user", "assistant", "user"]
    assert json.loads(second.messages[2].content)["value"] == 1


def test_multi_turn_keeps_the_history():
    c, model = chat(str, justified("first"), justified("second"))
    c.call()
    assert c.continue_conversation("Again?") == "second"
    assert [m["role"] for m in c.get_conversation_history()] == ["system", "user", "assistant", "user", "assistant"]
    assert len(c.conversation_history) == 2
    c.reset_conversation()
    assert c.messages == [] and c.response_value is None


def test_a_failure_raises_by_default_and_returns_none_when_asked():
    c, model = chat(int)
    model.default = "not json"
    with pytest.raises(StructuredOutputError):
        c.call()
    c, model = chat(int, raise_on_error=False)
    model.default = "not json"
    assert c.call() is None and isinstance(c.last_error, StructuredOutputError)


def test_templates_are_rendered_with_the_call_values(tmp_path):
    (tmp_path / "sys.md").write_text("You judge {{topic}}.")
    (tmp_path / "user.md").write_text("Judge {{item}}.")
    model = ScriptedModel([justified(True)])
    c = LLMChat(system_template_name="sys.md", user_template_name="user.md", base_module_folder=str(tmp_path),
                output_type=bool, model=model)
    assert c.call(topic="bread", item="rye") is True
    assert model.requests[0].messages[0].content.startswith("You judge bread.")
    assert model.requests[0].messages[1].content == "Judge rye."


def test_bad_arguments_name_the_fix():
    with pytest.raises(SpecificationError, match="not both"):
        LLMChat(system_prompt="a", system_template_name="b.md", user_prompt="u")
    for unsupported in ([], set):
        with pytest.raises(SpecificationError, match="Unsupported output type"):
            LLMChat(system_prompt="a", user_prompt="u", output_type=unsupported, model=ScriptedModel()).call()
    with pytest.raises(SpecificationError, match="Either the template or the prompt must be specified"):
        LLMChat()
    with pytest.raises(SpecificationError, match="Either message or template_name"):
        LLMChat(user_prompt="u").add_user_message("hi", template_name="t.md")
    with pytest.raises(SpecificationError, match="not found"):
        LLMChat(system_template_name="missing.md", user_prompt="u", model=ScriptedModel()).call()


def test_model_params_reach_the_request_and_tags_account_for_cost():
    model = ScriptedModel([justified("ok")])
    c = LLMChat(system_prompt="s", user_prompt="u", output_type=str, model=model, temperature=0.3,
                max_completion_tokens=50, seed=7, presence_penalty=0.5, tags={"purpose": "report"})
    c.call()
    request = model.requests[0]
    assert (request.temperature, request.max_tokens, request.seed, request.presence_penalty) == (0.3, 50, 7, 0.5)
    assert request.tags["purpose"] == "report"


def test_the_default_model_is_used_when_none_is_given(scripted):
    scripted.queue(justified(5))
    assert LLMChat(system_prompt="s", user_prompt="u", output_type=int).call() == 5
    assert scripted.calls == 1
