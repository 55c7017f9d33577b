"""Demography files: the sample populations parse, malformed ones name the file and field."""

from __future__ import annotations

import json

import pytest
from factory_support import population_file

from tinytroupe.errors import SpecificationError
from tinytroupe.factory.demography import read_demography


def test_usa_file_gives_age_gender_and_nested_dimensions():
    demo = read_demography(population_file("usa.json"))
    assert demo.origin == "usa.json" and demo.title == "USA Population Information"
    age = demo.dimension("age")
    assert age.values == ("0-14", "15-24", "25-54", "55-64", "65+") and age.is_numeric
    assert age.probabilities()["25-54"] == pytest.approx(0.394)
    assert demo.dimension("Gender Distribution").probabilities() == pytest.approx({"Male": 0.492, "Female": 0.508})
    income = demo.dimension("household_income")  # from "Household Income" > "Distribution"
    assert income.values[0] == "Under $25,000" and not income.is_numeric
    regions = demo.dimension("regions")
    assert set(regions.values) == {"Northeast", "Midwest", "South", "West"}
    religion = demo.dimension("religion")  # Christian has a Total; leaves are scaled to it
    probs = religion.probabilities()
    christian = sum(p for v, p in probs.items() if v.startswith("Christian: "))
    assert christian == pytest.approx(63 / 97)
    assert probs["Unaffiliated"] == pytest.approx(28 / 97)
    for dim in demo.dimensions:
        assert sum(dim.weights) == pytest.approx(1.0)


def test_usa_facts_that_are_not_distributions_become_context():
    demo = read_demography(population_file("usa.json"))
    text = demo.context_text()
    assert "Median Age: 38.5 years" in text
    assert "Political Affiliation: Independent: 43%" in text  # adds up to 124%: not a distribution
    assert "Sports and Recreation: Walking, Running" in text
    assert "political_affiliation" not in [d.key for d in demo.dimensions]


@pytest.mark.parametrize("name", ["brazil.json", "spain.json"])
def test_other_sample_files_parse(name):
    demo = read_demography(population_file(name))
    keys = [d.key for d in demo.dimensions]
    assert keys[:2] == ["age", "gender"]
    assert "religion" in keys and "political_affiliation" in keys


def test_select_keeps_chosen_dimensions_and_moves_the_rest_to_text():
    demo = read_demography(population_file("usa.json")).select(["gender", "age"])
    assert [d.key for d in demo.dimensions] == ["gender", "age"]
    assert "Population shares (not fixed per person) - Demographics > Marital Status" in demo.context_text()
    with pytest.raises(SpecificationError, match="usa.json: no distribution called 'shoe_size'; the file has: "):
        demo.select(["shoe_size"])


def test_dict_input_and_fraction_numbers():
    demo = read_demography({"Age Distribution": {"18-29": 0.25, "30-49": 0.75}, "Country": "Portugal"})
    assert demo.origin == "demography dict"
    assert demo.dimension("age").weights == pytest.approx((0.25, 0.75))
    assert "Country: Portugal" in demo.context_text()


def _write(tmp_path, doc) -> str:
    path = tmp_path / "usa.json"
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return str(path)


def test_bad_percent_names_file_and_field(tmp_path):
    doc = {"content": {"Demographics": {"Age Distribution": {"0-14": "many", "15+": "80%"}}}}
    with pytest.raises(SpecificationError) as info:
        read_demography(_write(tmp_path, doc))
    message = str(info.value)
    assert message.startswith("usa.json: field 'content.Demographics.Age Distribution.0-14'")
    assert "percentages" in message and "'many'" in message


def test_distribution_not_adding_to_100_names_file_and_field(tmp_path):
    doc = {"content": {"Demographics": {"Gender Distribution": {"Male": "49%", "Female": "91%"}}}}
    with pytest.raises(SpecificationError, match=r"usa.json: field 'content.Demographics.Gender Distribution' "
                                                 r"is a distribution, so its percentages must add up to about "
                                                 r"100%, but they add up to 140%"):
        read_demography(_write(tmp_path, doc))


def test_percentage_over_100_is_rejected(tmp_path):
    doc = {"Age Distribution": {"0-14": "150%", "15+": "10%"}}
    with pytest.raises(SpecificationError, match=r"usa.json: field 'Age Distribution.0-14' is 150%, but "
                                                 r"percentages must be between 0% and 100%"):
        read_demography(_write(tmp_path, doc))


def test_invalid_json_names_line_and_column(tmp_path):
    path = _write(tmp_path, '{\n  "title": "x",\n  "content": {"a": 1,}\n}')
    with pytest.raises(SpecificationError, match=r"usa.json: invalid JSON at line 3, column \d+"):
        read_demography(path)


def test_top_level_must_be_an_object(tmp_path):
    with pytest.raises(SpecificationError, match="usa.json: the top level must be a JSON object"):
        read_demography(_write(tmp_path, [1, 2]))


def test_missing_file(tmp_path):
    with pytest.raises(SpecificationError, match="demography file not found"):
        read_demography(tmp_path / "nowhere.json")
