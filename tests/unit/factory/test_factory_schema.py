"""The persona output type and the tight schema sent to the model."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from tinytroupe.factory.persona_schema import GeneratedPersona, persona_schema
from tinytroupe.testing.schema_sample import sample_from_schema

AGENT_FIELDS = {"name", "age", "gender", "nationality", "residence", "education", "long_term_goals",
                "occupation", "style", "personality", "preferences", "skills", "beliefs", "behaviors",
                "health", "relationships", "other_facts"}


def _walk(schema):
    yield schema
    for sub in (schema.get("properties") or {}).values():
        yield from _walk(sub)
    if isinstance(schema.get("items"), dict):
        yield from _walk(schema["items"])


def test_schema_bounds_every_text_and_list():
    schema = persona_schema()
    assert set(schema["required"]) == AGENT_FIELDS
    for node in _walk(schema):
        if node.get("type") == "string" and "enum" not in node:
            assert 0 < node["maxLength"] <= 240
        if node.get("type") == "array":
            assert node["maxItems"] <= 3 and node["minItems"] >= 1
        if node.get("type") == "object":
            assert node["additionalProperties"] is False and set(node["required"]) == set(node["properties"])


def test_fixed_values_become_one_value_enums():
    schema = persona_schema({"age": 37, "gender": "Female", "occupation.title": "Nurse"})
    props = schema["properties"]
    assert props["age"] == {"type": "integer", "enum": [37]}
    assert props["gender"]["enum"] == ["Female"]
    assert props["occupation"]["properties"]["title"]["enum"] == ["Nurse"]
    assert "enum" not in props["residence"]


def test_schema_samples_validate_and_convert_to_agent_format():
    for seed in range(5):
        value = sample_from_schema(persona_schema({"age": 30}), random.Random(seed))
        persona = GeneratedPersona.model_validate(value).to_persona()
        assert set(persona) == AGENT_FIELDS and persona["age"] == 30
        assert set(persona["occupation"]) == {"title", "organization", "description"}
        assert set(persona["personality"]) == {"traits", "big_five"}
        assert set(persona["preferences"]) == {"interests", "likes", "dislikes"}
        assert isinstance(persona["behaviors"]["general"], list)


def test_validation_is_lenient_with_near_misses():
    p = GeneratedPersona.model_validate({
        "name": '  "Ana   Ribeiro". ', "age": "34 years", "skills": "cooking", "relationships": ["Rui"],
        "style": "x" * 500, "occupation": {"title": "Nurse", "extra": 1}, "unknown": True,
    })
    assert p.name == "Ana Ribeiro" and p.age == 34 and p.skills == ["cooking"]
    assert len(p.style) == 140 and p.occupation.title == "Nurse"
    assert p.to_persona()["relationships"] == [{"name": "Rui"}]
    assert "gender" not in p.to_persona() and "behaviors" not in p.to_persona()


@pytest.mark.parametrize("bad", [{"name": "...", "age": 30}, {"name": "Ana", "age": 300},
                                 {"name": "Ana", "age": "old"}, {"age": 30}])
def test_validation_rejects_what_cannot_be_a_person(bad):
    with pytest.raises(ValidationError):
        GeneratedPersona.model_validate(bad)


def test_compact_detail_keeps_few_short_fields():
    schema = persona_schema({"age": 41}, "compact")
    assert set(schema["required"]) == {"name", "age", "gender", "nationality", "residence", "education",
                                       "occupation", "style", "personality", "preferences", "skills"}
    assert schema["properties"]["personality"]["required"] == ["traits"]
    assert schema["properties"]["age"]["enum"] == [41]
    for node in _walk(schema):
        if node.get("type") == "array":
            assert node["maxItems"] == 1
        if node.get("type") == "string" and "enum" not in node:
            assert node["maxLength"] <= 120
    value = sample_from_schema(schema, random.Random(1))
    persona = GeneratedPersona.model_validate(value).to_persona()
    assert persona["age"] == 41 and persona["personality"]["traits"]
    assert "relationships" not in persona and "big_five" not in persona["personality"]  # empty: left out


def test_unknown_detail_is_an_error():
    from tinytroupe.errors import SpecificationError

    with pytest.raises(SpecificationError, match="persona detail must be one of full, compact"):
        persona_schema(None, "huge")
