"""Dimensions: parsing weights, numeric bands, persona fields, validation messages."""

from __future__ import annotations

import pytest

from tinytroupe.errors import SpecificationError
from tinytroupe.factory.population import (
    Dimension,
    default_field,
    dimensions_from_mapping,
    parse_percent,
    parse_range,
    snake_key,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("12.3%", 12.3), (" 90 % ", 90.0), ("0%", 0.0), ("abc", None), ("12.3", None), ("-5%", None), (7, None),
])
def test_parse_percent(text, expected):
    assert parse_percent(text) == expected


@pytest.mark.parametrize(("label", "expected"), [
    ("18-29", (18, 29)), ("25 to 54", (25, 54)), ("0–14", (0, 14)), ("65+", (65, 90)),
    ("65 and over", (65, 90)), ("under 18", (0, 17)), ("3", (3, 3)), ("30-20", None),
    ("Male", None), ("$25,000-$49,999", None),
])
def test_parse_range(label, expected):
    assert parse_range(label) == expected


def test_snake_key_drops_trailing_distribution():
    assert snake_key("Age Distribution") == "age"
    assert snake_key("Racial and Ethnic Composition") == "racial_and_ethnic_composition"
    assert snake_key("Marital Status") == "marital_status"


def test_dimension_normalizes_weights_and_detects_bands():
    dim = Dimension("age", ("18-29", "30-49", "50+"), (20, 50, 30))
    assert dim.weights == pytest.approx((0.2, 0.5, 0.3))
    assert dim.is_numeric and dim.ranges == ((18, 29), (30, 49), (50, 75))
    assert dim.band_of(40) == "30-49" and dim.band_of(10) is None
    assert dim.field == "age"
    assert "30-49 50.0%" in dim.describe()


def test_dimension_round_trips_through_dict():
    dim = Dimension("religion", ("Christian: Catholic", "Unaffiliated"), (3, 1), label="Religion", note="n")
    again = Dimension.from_dict(dim.to_dict())
    assert again == dim and again.probabilities() == pytest.approx({"Christian: Catholic": 0.75, "Unaffiliated": 0.25})


@pytest.mark.parametrize(("values", "weights", "message"), [
    ((), (), "has no values"),
    (("a", "b"), (1,), "2 values but 1 weights"),
    (("a", "a"), (1, 1), "lists a value twice"),
    (("a", "b"), (1, -1), "'b' must be a number >= 0"),
    (("a", "b"), (0, 0), "add up to 0"),
])
def test_dimension_rejects_bad_input_naming_the_dimension(values, weights, message):
    with pytest.raises(SpecificationError, match="dimension 'x'") as info:
        Dimension("x", values, weights)
    assert message in str(info.value)


def test_fields_for_persona_keys():
    assert default_field("age") == "age"
    assert default_field("occupation") == "occupation.title"
    assert default_field("marital_status") == "marital_status"
    with pytest.raises(SpecificationError, match="personality_type"):
        default_field("personality")


def test_dimensions_from_mapping_accepts_weights_percents_and_lists():
    dims = dimensions_from_mapping({
        "Age Distribution": {"18-29": "20%", "30+": "80%"},
        "gender": ["female", "male"],
        "smoker": {"yes": 0.1, "no": 0.9},
    })
    assert [d.key for d in dims] == ["age", "gender", "smoker"]
    assert dims[0].label == "Age Distribution" and dims[0].weights == pytest.approx((0.2, 0.8))
    assert dims[1].weights == pytest.approx((0.5, 0.5))


@pytest.mark.parametrize(("spec", "message"), [
    ({"age": {"18-29": "lots"}}, r"dimensions\['age'\]\['18-29'\]: 'lots' is not a weight"),
    ({"age": 5}, r"dimensions\['age'\] must map values to weights"),
    ({"Age": ["a"], "age": ["b"]}, "'age' is given twice"),
    ({"gender": {"f": True}}, "not a weight"),
])
def test_dimensions_from_mapping_errors_name_the_entry(spec, message):
    with pytest.raises(SpecificationError, match=message):
        dimensions_from_mapping(spec)
