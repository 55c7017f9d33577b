"""Episodic memory, the bounded prompt window, semantic memory, and the recall faculty."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from tinytroupe.agent import EpisodicMemory, MemoryEvent, RecallFaculty, SemanticMemory, TinyPerson
from tinytroupe.agent.mental_faculty import MentalFaculty
from tinytroupe.agent.prompt import render_episodes
from tinytroupe.config import config_manager
from tinytroupe.errors import StateError
from tinytroupe.testing.agent_replies import act_reply


def _events(n):
    return [MemoryEvent("stimulus", "CONVERSATION", f"message {i}", source="Bob") for i in range(n)]


def test_retrieval_and_filters():
    memory = EpisodicMemory(_events(5))
    memory.store(MemoryEvent("action", "TALK", "reply", target="Bob"))
    assert len(memory) == 6
    assert [e.content for e in memory.retrieve_first(2)] == ["message 0", "message 1"]
    assert [e.content for e in memory.retrieve_last(2)] == ["message 4", "reply"]
    assert memory.retrieve_recent(1)[0].type == "TALK"
    assert [e.content for e in memory.retrieve_all(role="action")] == ["reply"]
    assert len(memory.retrieve_all(type="CONVERSATION")) == 5
    assert memory.retrieve_last(0) == [] and memory.retrieve_first(-1) == []


def test_window_is_prefix_plus_lookback_without_overlap():
    memory = EpisodicMemory(_events(10))
    head, omitted, tail = memory.window(3, 4)
    assert [e.content for e in head] == ["message 0", "message 1", "message 2"]
    assert omitted == 3
    assert [e.content for e in tail] == ["message 6", "message 7", "message 8", "message 9"]
    head, omitted, tail = memory.window(5, 5)
    assert len(head) == 10 and omitted == 0 and tail == []


def test_prompt_episodes_stay_bounded_with_an_omission_marker():
    config_manager.update_multiple({"episodic_memory_fixed_prefix_length": 2,
                                    "episodic_memory_lookback_length": 3})
    agent = TinyPerson("Ana")
    for i in range(40):
        agent.listen(f"message {i}", source="Bob")
    text = render_episodes(agent)
    assert "message 0" in text and "message 1" in text and "message 2" not in text
    assert "(35 events omitted)" in text
    assert text.rstrip().endswith("Bob -> you (CONVERSATION): message 39")
    assert len(text.splitlines()) == 2 + 1 + 3


def test_events_carry_the_simulated_time_and_prompt_groups_by_time():
    agent = TinyPerson("Ana")
    agent.listen("outside a world")
    agent.environment = SimpleNamespace(current_datetime=datetime(2024, 5, 1, 8, 0))
    agent.listen("first")
    agent.listen("second")
    stamps = [e.sim_time for e in agent.episodic_memory]
    assert stamps == [None, "2024-05-01T08:00:00", "2024-05-01T08:00:00"]
    assert render_episodes(agent).count("@ 2024-05-01 08:00") == 1


def test_memory_state_round_trip_and_bad_state():
    memory = EpisodicMemory(_events(3))
    again = EpisodicMemory.from_state(memory.to_state())
    assert list(again) == list(memory)
    with pytest.raises(StateError, match="role"):
        EpisodicMemory.from_state([{"content": "no role"}])


def test_semantic_memory_keyword_retrieval():
    memory = SemanticMemory()
    memory.store("Bob likes sailing in the archipelago.")
    memory.store("The meeting moved to Friday.")
    memory.store("The meeting moved to Friday.")
    assert len(memory) == 2
    assert memory.retrieve_relevant("when is the meeting?") == ["The meeting moved to Friday."]
    assert SemanticMemory.from_state(memory.to_state()).retrieve_all() == memory.retrieve_all()


def test_recall_faculty_adds_an_action_and_feeds_the_next_prompt(scripted):
    agent = TinyPerson("Ana", mental_faculties=[RecallFaculty()])
    agent.listen("The spare key is under the blue flowerpot.", source="Bob")
    for i in range(5):
        agent.listen(f"small talk {i}", source="Bob")
    scripted.queue(act_reply(("RECALL", "spare key flowerpot"), ("TALK", "decided too early")),
                   act_reply(("THINK", "ok")))
    agent.act()
    schema = scripted.requests[0].response_format.json_schema
    assert "RECALL" in schema["properties"]["actions"]["items"]["properties"]["type"]["enum"]
    assert "- RECALL:" in scripted.requests[0].messages[0].content
    # the recalled thought is perceived in the same act(): the agent decides again with it
    assert scripted.calls == 2
    thought = agent.episodic_memory.retrieve_all(type="THOUGHT")[-1].content
    assert thought.startswith("I remember, about spare key flowerpot:") and "blue flowerpot" in thought
    assert "blue flowerpot" in scripted.last_prompt().split("# Your situation now")[1]
    assert "Recalled memories:" in scripted.last_prompt()
    assert [e.content for e in agent.episodic_memory.retrieve_all(role="action")] == [
        "spare key flowerpot", "ok"]  # the TALK decided before the recall was dropped


def test_duplicate_faculty_is_refused():
    agent = TinyPerson("Ana")
    agent.add_mental_faculty(RecallFaculty())
    with pytest.raises(Exception, match="already has"):
        agent.add_mental_faculty(RecallFaculty())


def test_consolidation_seam_hands_episodes_to_faculties():
    config_manager.update("max_episode_length", 3)

    class Collector(MentalFaculty):
        def __init__(self, name=None):
            super().__init__(name)
            self.episodes = []

        def consolidate(self, agent, events):
            self.episodes.append([e.content for e in events])
            agent.semantic_memory.store(f"{len(events)} things happened")

    faculty = Collector()
    agent = TinyPerson("Ana", mental_faculties=[faculty])
    for i in range(7):
        agent.listen(f"m{i}")
    assert faculty.episodes == [["m0", "m1", "m2"], ["m3", "m4", "m5"]]
    assert agent.current_episode_event_count == 1
    assert agent.semantic_memory.facts() == ["3 things happened"]


def test_pretty_current_interactions(scripted):
    agent = TinyPerson("Ana")
    for i in range(6):
        agent.listen(f"m{i}", source="Bob")
    text = agent.pretty_current_interactions(first_n=1, last_n=2)
    assert text.splitlines() == ["Bob -> Ana (CONVERSATION): m0", "… (3 events omitted) …",
                                 "Bob -> Ana (CONVERSATION): m4", "Bob -> Ana (CONVERSATION): m5"]
    assert len(agent.pretty_current_interactions().splitlines()) == 6
