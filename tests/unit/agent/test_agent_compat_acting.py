"""Acting the original's way: its limits, its per-action hook, its memory items and relationships."""

from __future__ import annotations

import logging

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.agent.compat_api import ActArgumentsError
from tinytroupe.errors import SimulationError, SpecificationError
from tinytroupe.testing.agent_replies import act_reply


def _producer(*actions: dict) -> tuple[list, object]:
    """A ``_produce_message`` replacement that hands out ``actions`` in order, and its call log."""
    calls: list[int] = []
    queue = list(actions)

    def produce() -> tuple[str, dict]:
        calls.append(1)
        action = queue.pop(0) if len(queue) > 1 else queue[0]
        return "assistant", {"cognitive_state": {"goals": ["g"], "attention": "a", "emotions": "e"},
                             "action": dict(action)}

    return calls, produce


def test_the_originals_limits_are_class_attributes():
    assert TinyPerson.MAX_ACTIONS_BEFORE_DONE >= 1 and TinyPerson.LOOP_DETECTION_THRESHOLD >= 2


def test_a_supplied_produce_message_decides_action_by_action_until_done():
    ana = TinyPerson("Ana")
    calls, ana._produce_message = _producer({"type": "THINK", "content": "Hmm."},
                                            {"type": "TALK", "content": "Hello there."},
                                            {"type": "DONE", "content": ""})
    entries = ana.act(return_actions=True)
    assert [e["action"]["type"] for e in entries] == ["THINK", "TALK", "DONE"]
    assert entries[1]["action"] == {"type": "TALK", "content": "Hello there."}  # as produced
    assert entries[0]["cognitive_state"]["attention"] == "a"
    assert len(calls) == 3
    assert ana.last_remembered_action()["content"] == "Hello there."


def test_repeating_the_same_action_stops_acting_with_a_warning(caplog):
    ben = TinyPerson("Ben")
    calls, ben._produce_message = _producer({"type": "TALK", "content": "Again and again."})
    with caplog.at_level(logging.WARNING, logger="tinytroupe"):
        entries = ben.act(until_done=True, return_actions=True)
    assert len(entries) == TinyPerson.LOOP_DETECTION_THRESHOLD == len(calls)
    assert "Agent Ben is acting in a loop" in caplog.text


def test_the_loop_threshold_and_action_cap_can_be_changed(monkeypatch, caplog):
    cy = TinyPerson("Cy")
    monkeypatch.setattr(TinyPerson, "LOOP_DETECTION_THRESHOLD", 5)
    monkeypatch.setattr(TinyPerson, "MAX_ACTIONS_BEFORE_DONE", 4)
    _, cy._produce_message = _producer({"type": "THINK", "content": "Same thought."})
    with caplog.at_level(logging.WARNING, logger="tinytroupe"):
        entries = cy.act(return_actions=True)
    assert len(entries) == 4 and "acting in a loop" not in caplog.text  # the cap came first


def test_different_actions_are_not_a_loop(caplog):
    di = TinyPerson("Di")
    _, di._produce_message = _producer({"type": "TALK", "content": "One."}, {"type": "THINK", "content": "Two."},
                                       {"type": "TALK", "content": "Three."}, {"type": "DONE"})
    with caplog.at_level(logging.WARNING, logger="tinytroupe"):
        assert len(di.act(return_actions=True)) == 4
    assert "acting in a loop" not in caplog.text


def test_a_subclass_can_supply_the_hook_too():
    class Parrot(TinyPerson):
        def _produce_message(self):
            return "assistant", {"action": {"type": "DONE", "content": ""}, "cognitive_state": {}}

    assert Parrot("Polly").act(return_actions=True) == [{"action": {"type": "DONE", "content": ""},
                                                         "cognitive_state": {}}]


def test_a_malformed_produced_message_names_the_shape():
    ed = TinyPerson("Ed")
    ed._produce_message = lambda: ("assistant", {"text": "no action"})
    with pytest.raises(SpecificationError, match="must return \\(role, \\{'action'"):
        ed.act()


def test_until_done_with_n_is_refused_as_the_original_did(scripted):
    fay = TinyPerson("Fay")
    with pytest.raises(AssertionError, match="give one limit"):
        fay.act(until_done=True, n=1)
    with pytest.raises(ActArgumentsError):
        fay.act(until_done=True, n=2)
    scripted.queue(act_reply(("THINK", "First.")), act_reply(("THINK", "Second.")))
    assert [e["action"]["type"] for e in fay.act(n=2, return_actions=True)][:1] == ["THINK"]


def test_recent_memories_are_the_originals_items():
    gus = TinyPerson("Gus")
    gus.internalize_goal("Design a sustainable building")
    gus.listen("Hello Gus", source="Hal")
    items = gus.retrieve_recent_memories()
    goal = items[0]["content"]["stimuli"][0]
    assert items[0]["role"] == "user" and goal["type"] == "INTERNAL_GOAL_FORMULATION"
    assert goal["content"] == "Design a sustainable building"
    assert items[1]["content"]["stimuli"][0]["source"] == "Hal"


def test_relationships_keep_the_keys_they_were_given():
    ivy = TinyPerson("Ivy")
    ivy.define_relationships([{"Name": "Jo", "Description": "A colleague."}])
    assert [r.get("Name") for r in ivy["relationships"]] == ["Jo"]
    assert "Jo" in ivy.persona_text()


def test_assigning_a_name_renames_the_agent_everywhere():
    kim = TinyPerson("Kim")
    kim.name = "Kim Lee"
    assert kim.get("name") == "Kim Lee" and TinyPerson.get_agent_by_name("Kim Lee") is kim
    assert TinyPerson.get_agent_by_name("Kim") is None
    TinyPerson("Lou")
    with pytest.raises(SimulationError, match="Lou"):
        kim.name = "Lou"
    assert kim.name == "Kim Lee"
