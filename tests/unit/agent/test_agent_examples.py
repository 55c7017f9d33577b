"""Example personas and fragments shipped with the package; prompt templates."""

from __future__ import annotations

import pytest

from tinytroupe import examples
from tinytroupe.agent import TinyPerson
from tinytroupe.errors import SpecificationError
from tinytroupe.prompts import render, render_text


def test_examples_are_listed_and_load():
    assert examples.list_example_agents() == ["friedrich_wolf", "lila", "lisa", "marcos", "oscar", "sophie_lefevre"]
    assert {"night_owl", "leftwing", "picky_customer"} <= set(examples.list_example_fragments())
    assert examples.list_example_populations() == ["brazil", "spain", "usa"]
    for name in examples.list_example_agents():
        agent = examples.load_example_agent(name)
        assert agent.get("occupation.title") and agent.get("personality.traits")


def test_builders_and_renaming():
    lisa = examples.create_lisa_the_data_scientist()
    assert lisa.name == "Lisa" and lisa.get("occupation.title") == "Data Scientist"
    assert examples.create_oscar_the_architect().get("occupation.title") == "Architect"
    assert "Physician" in examples.create_marcos_the_physician().get("occupation.title")
    again = examples.create_lisa_the_data_scientist(auto_rename=True)
    assert again.name == "Lisa 2"
    assert examples.load_example_agent("Oscar", new_agent_name="Oscar B").name == "Oscar B"
    with pytest.raises(SpecificationError, match="available: friedrich_wolf, lila, lisa"):
        examples.load_example_agent("nobody")


def test_the_originals_loader_names_return_dicts_by_loose_name():
    spec = examples.load_example_agent_specification("Lisa")
    assert spec["type"] == "TinyPerson" and spec["persona"]["name"] == "Lisa"
    assert examples.load_example_agent_specification("Friedrich_Wolf")["persona"]["name"] == "Friedrich Wolf"
    fragment = examples.load_example_fragment_specification("leftwing.agent")  # the original's file stem
    assert fragment["type"] == "Fragment" and fragment["persona"]["beliefs"]
    assert TinyPerson.load_specification(spec).get("occupation.title") == "Data Scientist"
    with pytest.raises(SpecificationError, match="no example fragment"):
        examples.load_example_fragment_specification("nothing")


def test_programmatic_builders_make_the_same_roles():
    built = [examples.create_lisa_the_data_scientist_2(), examples.create_oscar_the_architect_2(),
             examples.create_marcos_the_physician_2(), examples.create_lila_the_linguist_2()]
    assert [a.name for a in built] == ["Lisa", "Oscar", "Marcos", "Lila"]
    assert [a.get("occupation.title").split()[0] for a in built] == ["Data", "Architect", "Physician", "Linguist"]
    TinyPerson.clear_agents()
    assert examples.create_lila_the_linguist().get("occupation.title") == "Linguist"


def test_example_populations_give_factory_dimensions():
    from tinytroupe.factory import read_demography

    for name in examples.list_example_populations():
        demography = read_demography(examples.example_population_path(name))
        keys = {d.key for d in demography.dimensions}
        assert {"age", "gender", "educational_attainment", "religion"} <= keys, name
        assert "sources" not in demography.context_text()


def test_every_fragment_imports_into_every_example():
    for name in examples.list_example_agents():
        agent = examples.load_example_agent(name)
        for fragment in examples.list_example_fragments():
            agent.import_fragment(examples.example_fragment_path(fragment))
        assert "Early meetings." in agent.get("preferences.dislikes")
        TinyPerson.clear_agents()


def test_render_checks_placeholders_both_ways():
    assert render_text("Hi {{ who }}!", {"who": "Ana"}) == "Hi Ana!"
    with pytest.raises(SpecificationError, match="who"):
        render_text("Hi {{who}}", {})
    with pytest.raises(SpecificationError, match="extra"):
        render_text("Hi", {"extra": 1})
    with pytest.raises(SpecificationError, match="not found"):
        render("no_such_template.md")
    assert "{{" not in render("agent_turn.md", episodes="e", situation="s", name="Ana")
