"""The schema a hint becomes constrains what a model's grammar can: small integer ranges as an
enum (llama.cpp grammars ignore minimum/maximum), text with a maxLength."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tinytroupe.extraction.fields import MAX_TEXT_LENGTH, describe_fields, field_specs, result_model


def _schema(hints):
    specs = field_specs(list(hints), hints)
    props = result_model(specs).model_json_schema(by_alias=True)["properties"]
    return {name: next(s for s in p["anyOf"] if s.get("type") != "null") for name, p in props.items()}, specs


def test_a_small_integer_range_is_an_enum_of_its_values():
    schema, specs = _schema({"appeal": "an integer from 1 to 5", "age": {"type": "integer", "minimum": 0,
                                                                         "maximum": 120}})
    assert schema["appeal"]["enum"] == [1, 2, 3, 4, 5] and schema["appeal"]["maximum"] == 5
    assert "enum" not in schema["age"] and schema["age"]["maximum"] == 120  # too wide to list
    assert "- age: integer (from 0 to 120)" in describe_fields(specs)
    assert "- appeal: an integer from 1 to 5\n" in describe_fields(specs) + "\n"  # the range said once


def test_values_are_still_checked_and_text_is_bounded():
    schema, specs = _schema({"appeal": "an integer from 1 to 5", "reason": "why, in a sentence"})
    assert schema["reason"]["maxLength"] == MAX_TEXT_LENGTH
    model = result_model(specs)
    assert model.model_validate({"appeal": "4", "reason": "cheap"}).model_dump(by_alias=True)["appeal"] == 4
    with pytest.raises(ValidationError, match="less than or equal to 5"):
        model.model_validate({"appeal": 7, "reason": "x"})
