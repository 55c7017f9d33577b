"""The @llm decorator and the semantic helpers, with the scripted model."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel

from tinytroupe.llm import ScriptedModel
from tinytroupe.utils import llm, semantics


def test_docstring_arguments_and_return_type_build_the_call():
    model = ScriptedModel([{"justification": "fits", "value": 4, "confidence": 0.7}])

    @llm(model=model)
    def slogan_rating(slogan: str, audience: str = "everyone") -> int:
        """Rate how well the slogan speaks to the audience, from 1 to 5."""

    assert slogan_rating("Fresh every day", audience="commuters") == 4
    request = model.requests[0]
    system, user = request.messages[0].content, request.messages[1].content
    assert "Rate how well the slogan speaks to the audience" in system
    assert '"slogan": "Fresh every day"' in user and '"audience": "commuters"' in user
    assert request.response_format.json_schema["properties"]["value"]["type"] == "integer"
    assert request.tags["function"].endswith("slogan_rating")
    assert slogan_rating.last_chat.response_justification == "fits"


def test_a_returned_string_is_the_instruction_and_a_returned_function_post_processes():
    model = ScriptedModel([{"justification": "j", "value": "a\nb\na", "confidence": 1}, {"value": "x"}])

    @llm(model=model)
    def unique_lines() -> str:
        """Invent lines of text."""
        return lambda text: sorted(set(text.split("\n")))

    @llm(model=model, enable_justification_step=False)
    def shout(word: str) -> str:
        """Shout."""
        return f"Shout the word {word}."

    assert unique_lines() == ["a", "b"]
    assert shout("hi") == "x"
    assert "Shout the word hi." in model.requests[1].messages[1].content


class Pair(BaseModel):
    left: str
    right: str


def test_without_annotation_the_output_is_a_string_and_models_work():
    model = ScriptedModel([{"justification": "j", "value": "text", "confidence": 0.5}, {"left": "l", "right": "r"}])

    @llm(model=model)
    def anything(x):
        """Say something."""

    @llm(model=model)
    def pair(x: str) -> Pair:
        """Split x in two."""

    assert anything(1) == "text"
    assert pair("lr") == Pair(left="l", right="r")


def test_async_functions_become_coroutines():
    model = ScriptedModel([{"justification": "j", "value": True, "confidence": 1}])

    @llm(model=model)
    async def is_polite(text: str) -> bool:
        """Whether the text is polite."""

    assert asyncio.run(is_polite("Thank you")) is True


def test_semantic_helpers_send_their_template_and_return_typed_values(scripted):
    scripted.responder = lambda request: {"justification": "j", "value": "combined text", "confidence": 0.9}
    assert semantics.combine_texts("one", "two") == "combined text"
    prompt = scripted.last_prompt()
    assert "Text 1:\none" in prompt and "Text 2:\ntwo" in prompt
    assert scripted.requests[-1].tags["purpose"] == "enrichment"  # rewriting a text

    assert semantics.extract_information_from_text("price?", "It costs 3 euros.") == "combined text"
    assert "It costs 3 euros." in scripted.last_prompt()
    assert semantics.accumulate_based_on_query("q", "new", "old") == "combined text"
    assert semantics.correct_according_to_rule("I am sad", ["Always happy"]) == "combined text"
    assert "- Always happy" in scripted.last_prompt()

    scripted.responder = lambda request: {"justification": "j", "value": 0.8, "confidence": 0.9}
    assert semantics.compute_semantic_proximity("cat", "feline") == 0.8
    value_schema = scripted.requests[-1].response_format.json_schema["properties"]["value"]
    assert value_schema["minimum"] == 0.0 and value_schema["maximum"] == 1.0
