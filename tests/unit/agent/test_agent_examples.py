"""Example personas and fragments shipped with the package; prompt templates."""

from __future__ import annotations

import pytest

from tinytroupe import examples
from tinytroupe.agent import TinyPerson
from tinytroupe.errors import SpecificationError
from tinytroupe.prompts import render, render_text


def test_examples_are_listed_and_load():
    assert examples.list_example_agents() == ["lisa", "marcos", "oscar"]
    assert "night_owl" in examples.list_example_fragments()
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
    with pytest.raises(SpecificationError, match="available: lisa, marcos, oscar"):
        examples.load_example_agent("nobody")


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
