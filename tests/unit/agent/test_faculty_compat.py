"""Faculties written against TinyTroupe's interface plug in unchanged; CustomMentalFaculty works and saves."""

from __future__ import annotations

import logging

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.agent.actions import Action
from tinytroupe.agent.mental_faculty import (
    CustomMentalFaculty,
    FacultyAction,
    MentalFaculty,
    TinyMentalFaculty,
    parse_action_definitions,
    parse_constraints,
)
from tinytroupe.errors import StateError
from tinytroupe.testing.agent_replies import act_reply


class WeatherFaculty(TinyMentalFaculty):
    """Written the way TinyTroupe's documentation shows: text prompts, dict actions."""

    def __init__(self):
        super().__init__("weather", requires_faculties=["eyes"])
        self.checked = []

    def process_action(self, agent, action: dict) -> bool:
        if action["type"] == "CHECK_WEATHER" and action["content"] is not None:
            self.checked.append(action["content"])
            agent.think(f"The forecast for {action['content']} is sunny.")
            return True
        return False

    def actions_definitions_prompt(self) -> str:
        return """
          - CHECK_WEATHER: look up the weather forecast of a place.
              The content is the name of the place.
          - PACK_UMBRELLA: put an umbrella in your bag.
        """

    def actions_constraints_prompt(self) -> str:
        return """
          - Check the weather before you go out.
          - Never PACK_UMBRELLA twice.
        """


def _schema_types(request):
    return request.response_format.json_schema["properties"]["actions"]["items"]["properties"]["type"]["enum"]


def test_an_original_style_faculty_is_offered_in_schema_and_prompt_and_processed(scripted):
    faculty = WeatherFaculty()
    agent = TinyPerson("Ana")
    agent.add_mental_faculty(faculty)
    scripted.queue(act_reply(("CHECK_WEATHER", "Lisbon")))
    agent.act()
    request = scripted.requests[0]
    assert {"CHECK_WEATHER", "PACK_UMBRELLA"} <= set(_schema_types(request))
    system = request.messages[0].content
    assert "- CHECK_WEATHER: look up the weather forecast of a place." in system
    assert "The content is the name of the place." in system
    assert "- Never PACK_UMBRELLA twice." in system
    assert faculty.checked == ["Lisbon"]
    assert any("sunny" in e.content for e in agent.episodic_memory.retrieve_all(type="THOUGHT"))
    assert faculty.requires_faculties == ["eyes"] and str(faculty) == "Mental Faculty: weather"


def test_text_hooks_and_structured_hooks_derive_each_other():
    faculty = WeatherFaculty()
    assert [d.type for d in faculty.action_definitions()] == ["CHECK_WEATHER", "PACK_UMBRELLA"]
    assert faculty.action_constraints() == ("Check the weather before you go out.", "Never PACK_UMBRELLA twice.")
    custom = CustomMentalFaculty("c", actions_configs={"wave": {"description": "wave a hand."}},
                                 constraints=["Wave rarely."])
    assert custom.actions_definitions_prompt() == "- WAVE: wave a hand."
    assert custom.actions_constraints_prompt() == "- Wave rarely."
    assert parse_action_definitions(custom.actions_definitions_prompt()) == custom.action_definitions()
    assert parse_constraints("One rule\nthat wraps.\n\nAnother rule.") == ("One rule that wraps.", "Another rule.")
    assert MentalFaculty is TinyMentalFaculty and TinyMentalFaculty("x").action_definitions() == ()


def test_faculties_are_equal_by_name_and_duplicates_are_refused():
    assert WeatherFaculty() == WeatherFaculty()
    assert CustomMentalFaculty("a") != CustomMentalFaculty("b")
    agent = TinyPerson("Ana")
    agent.add_mental_faculties([WeatherFaculty(), CustomMentalFaculty("other")])
    with pytest.raises(Exception, match="already has"):
        agent.add_mental_faculty(WeatherFaculty())
    assert len(agent.mental_faculties) == 2


def test_faculties_receive_an_action_that_is_both_a_dict_and_an_object():
    seen = []

    class Probe(TinyMentalFaculty):
        def process_action(self, agent, action):
            seen.append((action["type"], action.content, action.get("target"), isinstance(action, dict)))
            return True

    Probe("p").process_action(None, Action("talk", "hi", "Bob"))
    Probe("p").process_action(None, {"type": "think", "content": None})
    assert seen == [("TALK", "hi", "Bob", True), ("THINK", "", "", True)]
    assert FacultyAction.of(Action("X", "y")).to_action() == Action("X", "y")


def test_a_custom_faculty_callback_runs_from_a_turn(scripted):
    calls = []

    def greet(agent, action):
        calls.append((agent.name, action["content"], action.target))
        agent.think(f"I greeted {action.target}.")

    faculty = CustomMentalFaculty("manners")
    faculty.add_action("GREET", "greet someone warmly (content: the greeting).", greet)
    faculty.add_action_constraints(["GREET people when you first meet them."])
    agent = TinyPerson("Ana")
    bob = TinyPerson("Bob")
    agent.make_agent_accessible(bob)
    agent.add_mental_faculty(faculty)
    scripted.queue(act_reply(("GREET", "Good morning!", "Bob")))
    agent.act()
    assert "GREET" in _schema_types(scripted.requests[0])
    assert "- GREET people when you first meet them." in scripted.requests[0].messages[0].content
    assert calls == [("Ana", "Good morning!", "Bob")]
    assert agent.episodic_memory.retrieve_all(type="GREET")[0].content == "Good morning!"


def test_custom_faculty_state_keeps_actions_and_asks_for_the_functions_back(scripted, caplog):
    faculty = CustomMentalFaculty("manners", actions_configs={
        "GREET": {"description": "greet someone.", "function": lambda agent, action: None}},
        constraints=["Be polite."])
    agent = TinyPerson("Ana", mental_faculties=[faculty])
    state = agent.encode_complete_state()
    TinyPerson.clear_agents()
    restored = TinyPerson.from_state(state)
    loaded = restored.mental_faculties[0]
    assert isinstance(loaded, CustomMentalFaculty) and loaded.name == "manners"
    assert loaded.actions_definitions_prompt() == "- GREET: greet someone."
    assert loaded.constraints == ["Be polite."]
    scripted.queue(act_reply(("GREET", "hello")))
    with caplog.at_level(logging.WARNING, logger="tinytroupe"):
        restored.act()  # without its function the action is only remembered, with advice
    assert "faculty.add_action('GREET'" in caplog.text
    assert restored.episodic_memory.retrieve_all(type="GREET")[-1].content == "hello"
    hits = []
    loaded.add_action("GREET", "greet someone.", lambda agent, action: hits.append(action.content))
    scripted.queue(act_reply(("GREET", "hello again")))
    restored.act()
    assert hits == ["hello again"]


def test_an_original_style_faculty_is_restored_from_state():
    agent = TinyPerson("Ana", mental_faculties=[WeatherFaculty()])
    state = agent.encode_complete_state()
    TinyPerson.clear_agents()
    restored = TinyPerson.from_state(state)
    assert isinstance(restored.mental_faculties[0], WeatherFaculty)
    assert restored.mental_faculties[0].name == "weather"


def test_a_faculty_that_cannot_be_rebuilt_says_how_to_fix_it():
    from tinytroupe.agent.mental_faculty import faculty_from_state

    class NeedsArgs(TinyMentalFaculty):
        def __init__(self, source, name=None):
            super().__init__(name)

    with pytest.raises(StateError, match="override its restore"):
        faculty_from_state({"kind": "NeedsArgs", "name": "n", "state": {}})
    with pytest.raises(StateError, match="unknown kind"):
        faculty_from_state({"kind": "Nope", "name": "n"})


def test_an_action_no_faculty_declares_is_stored_and_shown_not_a_failed_turn(scripted):
    agent = TinyPerson("Ana", mental_faculties=[WeatherFaculty()])
    scripted.queue(act_reply(("DANCE", "a little jig"), ("CHECK_WEATHER", "Porto")))
    agent.act()
    assert agent.fallback_count == 0
    assert agent.episodic_memory.retrieve_all(type="DANCE")[0].content == "a little jig"
    assert agent.mental_faculties[0].checked == ["Porto"]  # the turn went on past it
    scripted.queue(act_reply(("THINK", "ok")))
    agent.act()
    assert "[DANCE]: a little jig" in scripted.last_prompt()
