"""Pure parts of a turn: shaping, the repetition test, tidying small-model text, the schema."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tinytroupe.agent.actions import Action, turn_model, turn_schema
from tinytroupe.agent.turn import is_repetition, shape_turn, tidy_text
from tinytroupe.errors import SpecificationError


def test_shape_stops_at_done_and_appends_it():
    actions = [Action("THINK", "a"), Action("DONE"), Action("TALK", "after done", "Bob")]
    shaped, notes = shape_turn(actions, cap=10)
    assert shaped == [Action("THINK", "a"), Action("DONE")] and notes == []
    shaped, _ = shape_turn([], cap=10)
    assert shaped == [Action("DONE")]


def test_shape_cap_and_repetition_notes():
    many = [Action("THINK", f"idea {c}") for c in "abcdefghij"]
    shaped, notes = shape_turn(many, cap=3, guard=False)
    assert len(shaped) == 4 and notes[0][0] == "cap"
    shaped, notes = shape_turn([Action("TALK", "Hello Bob", "Bob")], cap=5, previous=Action("TALK", "hello bob!", "Bob"))
    assert shaped == [Action("DONE")] and notes[0][0] == "repetition"
    loop = [Action("TALK", "Tell me more.", "Bob"), Action("THINK", "He is shy."),
            Action("TALK", "Tell me more!", "Bob"), Action("THINK", "He is shy.")]
    shaped, notes = shape_turn(loop, cap=10)
    assert shaped == [*loop[:2], Action("DONE")] and notes[0][0] == "repetition"  # A-B-A-B loops too


@pytest.mark.parametrize(("a", "b", "expected"), [
    (Action("TALK", "We ship today.", "Bob"), Action("TALK", "We ship today!", "Bob"), True),
    (Action("TALK", "We ship today.", "Bob"), Action("TALK", "We ship today.", "Ana"), False),
    (Action("TALK", "We ship today.", "Bob"), Action("THINK", "We ship today."), False),
    (Action("TALK", "We ship today.", "Bob"), Action("TALK", "Let us wait until next week.", "Bob"), False),
    (Action("DONE"), Action("DONE"), False),
])
def test_is_repetition(a, b, expected):
    assert is_repetition(a, b) is expected


def test_tidy_text_removes_loops_and_cut_sentences():
    looped = "I work on data. It is fun. It is fun. It is fun. It is f"
    assert tidy_text(looped, limit=len(looped)) == "I work on data. It is fun."
    assert tidy_text("A. B. A. B. C.") == "A. B. C."
    assert tidy_text("It costs 3.5 euros. It costs 3.5 euros.") == "It costs 3.5 euros."
    assert tidy_text("Line one.\nLine two.") == "Line one.\nLine two."
    assert tidy_text("no end", limit=6) == "no end"


def test_action_value_object():
    assert Action(" talk ", None, None) == Action("TALK", "", "")
    with pytest.raises(SpecificationError, match="action type"):
        Action("")
    assert Action.from_dict(Action("THINK", "x").to_dict()) == Action("THINK", "x")


def test_turn_model_checks_types_and_tolerates_the_rest():
    model = turn_model(("TALK", "THINK", "DONE"))
    value = model.model_validate({"actions": [{"type": "talk", "content": None}]})
    assert value.actions[0].type == "TALK" and value.actions[0].target == ""
    assert value.cognitive_state.goals == ""
    assert model.model_validate({"actions": [{"type": "dance"}]}).actions[0].type == "DANCE"  # kept, as the original
    for not_a_type in ("", "I will dance now!", 3):
        with pytest.raises(ValidationError):
            model.model_validate({"actions": [{"type": not_a_type}]})
    assert model.model_validate({"actions": []}).actions == []  # an empty turn: the agent waits


def test_turn_schema_is_tight():
    schema = turn_schema(("THINK", "TALK", "DONE"), ("Bob", "Ana"), 4)
    actions = schema["properties"]["actions"]
    assert actions["maxItems"] == 4 and actions["minItems"] == 0
    item = actions["items"]["properties"]
    assert item["type"]["enum"] == ["THINK", "TALK"] and item["target"]["enum"] == ["Bob", "Ana", ""]
    assert all("maxLength" in v for v in schema["properties"]["cognitive_state"]["properties"].values())
    assert schema["additionalProperties"] is False
