"""Complete states crossing between the original's format and ours; memory items in the original's shape."""

from __future__ import annotations

import json

import pytest

from tinytroupe.agent import TinyPerson


def _original_state() -> dict:
    """A complete state shaped as the original's encode_complete_state() writes it (our own content)."""
    stimulus = {"role": "user", "type": "stimulus", "simulation_timestamp": "2025-05-02T10:00:00",
                "content": {"stimuli": [{"type": "CONVERSATION", "content": "Can you fix the bike?", "source": "Bob"}]}}
    action = {"role": "assistant", "type": "action", "simulation_timestamp": "2025-05-02T10:01:00",
              "content": {"action": {"type": "TALK", "content": "Tomorrow, yes.", "target": "Bob"},
                          "cognitive_state": {"goals": ["help Bob"]}}}
    return {"name": "Rui", "_persona": {"name": "Rui", "age": 41, "occupation": "mechanic"},
            "_mental_state": {"datetime": None, "location": "the garage", "context": ["a slow Friday"],
                              "goals": ["help Bob", "close early"], "attention": "the bike",
                              "emotions": "relaxed", "memory_context": None,
                              "accessible_agents": [{"name": "Bob", "relation_description": "neighbour"}]},
            "_accessible_agents": ["Bob"], "_current_episode_event_count": 2, "actions_count": 1,
            "episodic_memory": {"json_serializable_class_name": "EpisodicMemory", "fixed_prefix_length": 10,
                                "lookback_length": 20, "memory": [stimulus], "episodic_buffer": [action]},
            "semantic_memory": {"json_serializable_class_name": "SemanticMemory", "memories": []},
            "_mental_faculties": [], "current_messages": [], "_actions_buffer": [], "simulation_id": None}


def test_encoded_state_answers_the_original_keys_and_still_loads_ours():
    ana, bob = TinyPerson("Ana").define("projects", ["bridge"]), TinyPerson("Bob")
    ana.move_to("the studio", context=["deadline week"])
    ana.make_agent_accessible(bob, "partner")
    state = ana.encode_complete_state()
    for key in ("name", "_persona", "_mental_state", "_accessible_agents", "_mental_faculties"):
        assert key in state
    assert state["name"] == "Ana" and state["_persona"]["projects"] == ["bridge"]
    assert state["_mental_state"]["location"] == "the studio" and state["_accessible_agents"] == ["Bob"]
    assert state.get("_current_episode_event_count") == 0 and state.get("nope", 3) == 3
    with pytest.raises(KeyError):
        state["nope"]
    plain = json.loads(json.dumps(state))  # the original's keys are views, never written twice
    assert "_persona" not in plain and plain["persona"]["name"] == "Ana"
    ana.define("projects", ["tunnel"])
    decoded = TinyPerson.decode_complete_state(ana, plain)
    assert decoded is ana and ana._persona["projects"] == ["bridge"]


def test_a_state_written_by_the_original_decodes_here():
    bob = TinyPerson("Bob")
    rui = TinyPerson("Rui").decode_complete_state(_original_state())
    assert rui.get("occupation") == "mechanic" and rui.mental_state.location == "the garage"
    assert rui.mental_state.goals == "help Bob; close early" and rui.mental_state.context == ["a slow Friday"]
    assert [(e.role, e.type, e.content) for e in rui.episodic_memory] == [
        ("stimulus", "CONVERSATION", "Can you fix the bike?"), ("action", "TALK", "Tomorrow, yes.")]
    assert rui.accessible_agents == [bob] and rui.accessible_agent_relations() == {"Bob": "neighbour"}
    assert rui.current_episode_event_count == 2 and rui.actions_count == 1
    TinyPerson.clear_agents()
    again = TinyPerson.from_state(_original_state())
    assert again.name == "Rui" and len(again.episodic_memory) == 2


def test_an_original_state_without_a_persona_name_is_refused():
    from tinytroupe.errors import StateError

    with pytest.raises(StateError, match="_persona"):
        TinyPerson("Ana").decode_complete_state({"_persona": {"age": 3}})


def test_memory_items_read_in_the_original_shape():
    ana = TinyPerson("Ana")
    ana.listen("Hello, how are you?", source="Bob")
    last = ana.episodic_memory.retrieve_all()[-1]
    assert last["role"] == "user" and last["content"]["stimuli"][0]["type"] == "CONVERSATION"
    assert last["content"]["stimuli"][0]["content"] == "Hello, how are you?" and "role" in last
    ana.store_in_memory({"type": "experience", "content": "Fixed a bike", "timestamp": "2025-01-02T10:00:00"})
    stored = ana.episodic_memory.retrieve_all()[-1]
    assert stored.get("content") == "Fixed a bike" and stored["type"] == "experience" and "role" not in stored
    assert stored.sim_time == "2025-01-02T10:00:00" and ana.retrieve_recent_memories()
    ana.store_in_memory({"type": "action", "content": {"action": {"type": "THINK", "content": "tea?"}}})
    assert ana.last_remembered_action() == {"type": "THINK", "content": "tea?", "target": ""}
    with pytest.raises(TypeError, match="got None"):
        ana.store_in_memory(None)
