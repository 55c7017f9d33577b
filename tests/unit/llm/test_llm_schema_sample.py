"""The schema sampler produces values that validate against pydantic models."""

import random
from typing import Literal

from pydantic import BaseModel, Field

from tinytroupe.testing.schema_sample import corrupt_types, sample_from_schema


class Address(BaseModel):
    city: str = Field(max_length=12)
    zip_code: str | None = None


class Person(BaseModel):
    name: str = Field(max_length=8)
    age: int = Field(ge=18, le=30)
    height: float = Field(gt=1.0, lt=2.5)
    mood: Literal["happy", "sad"]
    tags: list[str] = Field(min_length=1, max_length=3)
    home: Address
    past: list[Address]
    active: bool


def test_llm_sample_validates_for_nested_model_with_refs_and_bounds():
    schema = Person.model_json_schema()
    assert "$defs" in schema
    for seed in range(20):
        value = sample_from_schema(schema, random.Random(seed))
        person = Person.model_validate(value)
        assert len(person.name) <= 8 and 18 <= person.age <= 30
        assert person.mood in ("happy", "sad")


def test_llm_sample_is_deterministic_for_a_seed():
    schema = Person.model_json_schema()
    assert sample_from_schema(schema, random.Random(3)) == sample_from_schema(schema, random.Random(3))


def test_llm_corrupt_types_breaks_validation():
    value = sample_from_schema(Person.model_json_schema(), random.Random(1))
    broken = corrupt_types(value)
    assert broken["name"] != value["name"]
    try:
        Person.model_validate(broken)
    except ValueError:
        return
    raise AssertionError("a corrupted value must not validate")
