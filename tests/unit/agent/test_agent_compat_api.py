"""TinyPerson in the original's shapes: prompt, communications, registry, costs, signatures, states."""

from __future__ import annotations

import inspect
import json

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.errors import SimulationError, SpecificationError
from tinytroupe.testing.agent_replies import act_reply


def test_current_messages_follow_the_persona(scripted):
    ana = TinyPerson("Ana")
    before = ana.current_messages
    assert before[0]["role"] == "system" and before[0]["content"] == ana.generate_agent_system_prompt()
    ana.define("age", 25)
    after = ana.current_messages[0]["content"]
    assert after != before[0]["content"] and "25" in after
    ana.reset_prompt()
    assert ana._init_system_message == after
    ana.listen("Hello there")
    assert "Hello there" in ana.current_messages[-1]["content"]
    assert scripted.calls == 0  # building the messages asks no model


def test_communications_buffer_pops_what_happened_since_last_time(scripted, capsys):
    ana = TinyPerson("Ana")
    ana.listen("Good morning", source="Bob")
    scripted.queue(act_reply(("TALK", "Morning, Bob!", "Bob")))
    ana.act()
    popped = ana.pop_and_display_latest_communications()
    assert [c["kind"] for c in popped] == ["stimuli", "action"]
    assert popped[0]["content"]["stimuli"][0] == {"type": "CONVERSATION", "content": "Good morning", "source": "Bob"}
    assert popped[1]["source"] == "Ana" and popped[1]["target"] == "Bob"
    assert "Morning, Bob!" in capsys.readouterr().out
    assert ana.pop_and_display_latest_communications() == []
    ana.think("quiet now")
    ana.clear_communications_buffer()
    assert ana._displayed_communications_buffer == []
    ana._push_and_display_latest_communication({"kind": "note", "rendering": "[Ana] hand-made"})
    assert len(ana._displayed_communications_buffer) == 1 and "hand-made" in capsys.readouterr().out


def test_add_agent_refuses_a_taken_name_and_free_agents_join_a_simulation():
    ana = TinyPerson("Ana")
    with pytest.raises(SimulationError, match="already in use"):
        TinyPerson.add_agent(ana)
    TinyPerson.clear_agents()
    TinyPerson.add_agent(ana)
    assert TinyPerson.get_agent_by_name("Ana") is ana and TinyPerson.has_agent(agent_name="Ana")

    class Recorder:
        def __init__(self):
            self.added = []

        def add_agent(self, agent):
            self.added.append(agent)
            agent.simulation_id = "sim"

    bob, sim = TinyPerson("Bob"), Recorder()
    bob.simulation_id = "other"
    TinyPerson.set_simulation_for_free_agents(sim)
    assert sim.added == [ana]


def test_global_cost_stats_count_the_process_calls(scripted, capsys):
    from tinytroupe.llm.wrappers.usage import usage_stats

    usage_stats().reset()
    ana, _ = TinyPerson("Ana"), TinyPerson("Bo")
    scripted.queue(act_reply(("THINK", "hm")))
    ana.listen_and_act("hi")
    stats = TinyPerson.get_global_cost_stats()
    base = stats["base_stats"]
    assert stats["total_agents"] == 2 and base["model_calls"] == 1
    assert base["total_tokens"] == base["input_tokens"] + base["output_tokens"] > 0
    assert stats["per_agent"]["model_calls"] == 0.5
    TinyPerson.pretty_print_global_cost_stats()
    out = capsys.readouterr().out
    assert "GLOBAL COST STATISTICS (ALL AGENTS)" in out and "Average per agent" in out


def test_stimulus_methods_take_the_original_arguments(scripted):
    ana = TinyPerson("Ana")
    ana.listen("a", "Bob", 100, False).see("b", "Bob", 100).socialize("c", None, 100).think("d", 100)
    ana.internalize_goal("e", 100)
    assert [e.content for e in ana.episodic_memory] == list("abcde")
    assert list(inspect.signature(TinyPerson.see).parameters)[1] == "visual_description"
    scripted.queue(act_reply(("THINK", "x")), act_reply(("THINK", "y")), act_reply(("THINK", "z")))
    assert ana.listen_and_act("f", True, 50)[0]["action"]["content"] == "x"
    assert ana.see_and_act("g", True, 50)[0]["action"]["content"] == "y"
    assert ana.think_and_act("h", True, 50)[0]["action"]["content"] == "z"


def test_pretty_current_interactions_has_the_original_parameters():
    ana = TinyPerson("Ana")
    for word in ("one", "two", "three", "four"):
        ana.listen(word, source="Bob")
    ana.store_in_memory({"type": "feedback", "content": "a note to self"})
    text = ana.pretty_current_interactions(True, True, None, 1, 2, True)  # the last is the skipped note
    assert "one" in text and "four" in text and "omitted" in text and "two" not in text
    assert "omitted" not in ana.pretty_current_interactions(first_n=1, last_n=1, include_omission_info=False)
    assert "a note to self" not in ana.pretty_current_interactions()
    assert "a note to self" in ana.pretty_current_interactions(skip_system=False)
    assert "'stimuli'" in ana.pretty_current_interactions(simplified=False)


def test_specification_positional_order_is_the_original(tmp_path):
    ana = TinyPerson("Ana").define("age", 30)
    ana.listen("remember me")
    path = tmp_path / "ana.agent.json"
    ana.save_specification(path, False, True)  # include_mental_faculties, include_memory
    doc = json.loads(path.read_text())
    assert "mental_faculties" not in doc and doc["episodic_memory"]
    TinyPerson.clear_agents()
    again = TinyPerson.load_specification(path, False, True)  # suppress_memory
    assert again.get("age") == 30 and len(again.episodic_memory) == 0
    other = TinyPerson.load_specification(path, False, False, False, False, "Ana B")
    assert other.name == "Ana B" and len(other.episodic_memory) == 1
    with pytest.raises(SpecificationError, match="new_agent_name="):
        TinyPerson.load_specification(path, "Ana C")


def test_renamed_keywords_are_the_original_names():
    from tinytroupe.agent import RecallFaculty

    ana = TinyPerson("Ana")
    ana.include_persona_definitions(additional_definitions={"hobbies": ["chess"]})
    ana.add_mental_faculties(mental_faculties=[RecallFaculty()])
    ana.decode_complete_state(state=ana.encode_complete_state())
    assert ana.get("hobbies") == ["chess"] and ana._mental_faculties[0].name == ana.mental_faculties[0].name


def test_define_without_overwriting_scalars_keeps_the_value_and_merges_lists():
    ana = TinyPerson("Ana").define("age", 30)
    assert ana.define("age", 31, overwrite_scalars=False) is ana  # kept silently, as in the original
    assert ana.get("age") == 30
    ana.define("nickname", "Annie", overwrite_scalars=False)  # a new key is fine
    ana.define("skills", ["Python"])
    ana.define("skills", ["R"], merge=True, overwrite_scalars=False)
    assert ana._persona["skills"] == ["Python", "R"] and "nickname" in ana._persona


def test_private_views_of_the_original():
    ana, bob = TinyPerson("Ana"), TinyPerson("Bob")
    ana.move_to("Lisbon", context=["a rainy day"])
    ana.make_agent_accessible(bob, "brother")
    state = ana._mental_state
    assert state["location"] == "Lisbon" and "a rainy day" in state["context"]
    assert state["accessible_agents"] == [{"name": "Bob", "relation_description": "brother"}]
    assert ana._accessible_agents == [bob] and ana._persona["name"] == "Ana"
    assert ana._persona.get("relationships", []) == []
    ana.optimize_memory()  # the original's no-op: nothing changes
    assert len(ana.episodic_memory) == 0
