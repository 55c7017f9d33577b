"""encode_complete_state / decode_complete_state: exact, plain-JSON round trips."""

from __future__ import annotations

import json
from datetime import datetime
from types import SimpleNamespace

import pytest

from tinytroupe.agent import RecallFaculty, TinyPerson
from tinytroupe.errors import StateError
from tinytroupe.testing.agent_replies import act_reply


def _busy_agent(scripted):
    ana, bob = TinyPerson("Ana"), TinyPerson("Bob")
    ana.define({"age": 40, "occupation": {"title": "Nurse"}})
    ana.add_mental_faculty(RecallFaculty())
    ana.make_agent_accessible(bob, "her brother")
    ana.environment = SimpleNamespace(current_datetime=datetime(2024, 1, 2, 3, 4))
    ana.move_to("hospital", ["night shift"])
    ana.listen("How was work?", source=bob)
    scripted.queue(act_reply(("RECALL", "work")),  # what is recalled comes back: a second decision
                   act_reply(("TALK", "Long night.", "Bob"), cognitive_state={"goals": "rest", "emotions": "tired"}),
                   "garbage")
    ana.act()
    ana.act()  # a fallback: counters move
    return ana, bob


def test_round_trip_is_exact_and_plain_json(scripted):
    ana, bob = _busy_agent(scripted)
    state = ana.encode_complete_state()
    text = json.dumps(state)
    TinyPerson.clear_agents()
    bob_again = TinyPerson("Bob")
    restored = TinyPerson.from_state(json.loads(text))
    assert restored.encode_complete_state() == state
    assert restored.accessible_agents == [bob_again]
    assert restored.mental_state.location == "hospital" and restored.mental_state.emotions == "tired"
    assert restored.fallback_count == ana.fallback_count == 1
    assert isinstance(restored.mental_faculties[0], RecallFaculty)
    assert restored.mental_faculties[0].recalled == ana.mental_faculties[0].recalled
    assert restored.last_action == ana.last_action


def test_decode_onto_an_existing_agent_replaces_everything(scripted):
    ana, _ = _busy_agent(scripted)
    state = ana.encode_complete_state()
    other = TinyPerson("Other")
    other.listen("unrelated")
    other.decode_complete_state(state | {"persona": {**state["persona"], "name": "Other"}})
    assert other.name == "Other" and other.get("occupation.title") == "Nurse"
    assert len(other.episodic_memory) == len(ana.episodic_memory)


def test_bad_states_raise_state_errors():
    agent = TinyPerson("Ana")
    with pytest.raises(StateError):
        agent.decode_complete_state({"type": "TinyWorld"})
    with pytest.raises(StateError, match="newer"):
        agent.decode_complete_state({"type": "TinyPerson", "persona": {"name": "Ana"}, "state_version": 99})
    with pytest.raises(StateError, match="unknown kind"):
        agent.decode_complete_state({"type": "TinyPerson", "persona": {"name": "Ana"},
                                     "mental_faculties": [{"kind": "Telepathy"}]})
