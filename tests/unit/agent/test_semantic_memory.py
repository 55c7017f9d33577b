"""SemanticMemory's original API, typed engrams, full scan, state; the original's saved memory format."""

from __future__ import annotations

import json
from pathlib import Path

from tinytroupe import llm
from tinytroupe.agent import EpisodicMemory, MemoryEvent, SemanticMemory, TinyPerson
from tinytroupe.agent.memory import OMISSION_NOTE
from tinytroupe.llm.embeddings_lexical import LexicalEmbedder

SAVED = Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "saved-agents"


def _memory():
    memory = SemanticMemory(embedder=LexicalEmbedder())
    memory.store({"type": "consolidated", "content": "I learned that the quarterly report is due on March 3rd.",
                  "simulation_timestamp": "2024-02-01T09:00:00"})
    memory.store({"type": "reflection", "content": "I tend to leave reports to the last minute."})
    memory.store("Bob's favourite food is sushi.")
    return memory


def test_store_types_and_retrieve():
    memory = _memory()
    assert [e["type"] for e in memory.retrieve_all()] == ["consolidated", "reflection", "information"]
    assert memory.retrieve_all(item_type="reflection")[0]["content"].startswith("I tend")
    assert memory.retrieve_relevant("when is the report due?", top_k=1) == [
        "I learned that the quarterly report is due on March 3rd."]
    assert memory.retrieve_relevant("what does Bob like to eat? food", top_k=5) == ["Bob's favourite food is sushi."]
    assert not memory.store("Bob's favourite food is sushi.")  # no duplicates
    memory.store({"type": "nonsense", "content": "x y z"})
    assert memory.retrieve_all()[-1]["type"] == "information"


def test_state_round_trips_exactly():
    memory = _memory()
    memory.retrieve_relevant("report", 2)
    state = json.loads(json.dumps(memory.to_state()))
    again = SemanticMemory.from_state(state, embedder=LexicalEmbedder())
    assert again == memory and again.to_state() == state


def test_full_scan_maps_batches_concurrently_then_accumulates():
    model = llm.ScriptedModel(responder=lambda r: "Bob likes sushi." if "sushi" in r.messages[0].content
                              else "NOTHING RELEVANT")
    memory = SemanticMemory(embedder=LexicalEmbedder())
    memory.store_all([f"filler fact {i}" for i in range(9)] + ["Bob's favourite food is sushi."])
    summary = memory.summarize_relevant_via_full_scan("Bob's food", batch_size=4, model=model)
    assert summary == "Bob likes sushi." and model.calls == 3  # 3 batches, one found something: no accumulate
    assert all(r.tags["purpose"] == "recall" for r in model.requests)

    both = llm.ScriptedModel(responder=lambda r: "ACCUMULATED" if "What each part" in r.messages[0].content
                             else "something relevant")
    assert memory.summarize_relevant_via_full_scan("anything", batch_size=5, model=both) == "ACCUMULATED"
    assert both.calls == 3
    assert SemanticMemory().summarize_relevant_via_full_scan("x") == ""


def test_episode_api():
    memory = EpisodicMemory()
    for i in range(5):
        memory.store(MemoryEvent("stimulus" if i % 2 else "action", "TALK", f"e{i}"))
    memory.commit_episode()
    memory.store(MemoryEvent("stimulus", "CONVERSATION", "e5"))
    memory.store(MemoryEvent("action", "TALK", "e6"))
    assert [e.content for e in memory.get_current_episode()] == ["e5", "e6"]
    assert [e.content for e in memory.get_current_episode(item_types=["action"])] == ["e6"]
    assert memory.count() == 7
    got = memory.retrieve(first_n=2, last_n=2)
    assert [e.content for e in got] == ["e0", "e1", OMISSION_NOTE, "e5", "e6"]
    assert [e.content for e in memory.retrieve(2, 2, include_omission_info=False)] == ["e0", "e1", "e5", "e6"]
    assert len(memory.retrieve(None, None)) == 7
    memory.clear(max_prefix_to_clear=2, max_suffix_to_clear=1)
    assert [e.content for e in memory] == ["e2", "e3", "e4", "e5"] and memory.get_current_episode() == []
    memory.clear()
    assert memory.count() == 0


def _original_format_doc():
    """An agent saved by the original with include_memory=True (shape of its serializer)."""
    base = json.loads((SAVED / "harbour_towns__Aoife_Brennan.agent.json").read_text())
    stimulus = {"role": "user", "type": "stimulus", "simulation_timestamp": "2024-03-01T10:00:00",
                "content": {"stimuli": [{"type": "CONVERSATION", "content": "Do you like hiking?",
                                         "source": "Maria"}]}}
    action = {"role": "assistant", "type": "action", "simulation_timestamp": "2024-03-01T10:00:00",
              "content": {"action": {"type": "TALK", "content": "I love hiking in the Rockies.", "target": "Maria"},
                          "cognitive_state": {"goals": "chat", "attention": "Maria", "emotions": "happy"}}}
    omitted = {"role": "assistant", "content": "Info: there were other memories here, but they were omitted.",
               "simulation_timestamp": None}
    base["episodic_memory"] = {"json_serializable_class_name": "EpisodicMemory", "fixed_prefix_length": 10,
                               "lookback_length": 20, "memory": [stimulus, omitted], "episodic_buffer": [action]}
    base["semantic_memory"] = {"json_serializable_class_name": "SemanticMemory",
                               "memories": [{"role": "assistant", "type": "consolidated",
                                             "content": "Maria asked me about hiking; I told her about the Rockies.",
                                             "simulation_timestamp": "2024-03-01T10:05:00"}],
                               "semantic_grounding_connector": {"json_serializable_class_name":
                                                                "BaseSemanticGroundingConnector", "documents": []}}
    return base


def test_original_format_memory_loads():
    agent = TinyPerson.load_specification(_original_format_doc())
    events = list(agent.episodic_memory)
    assert [(e.role, e.type, e.content, e.source or e.target) for e in events] == [
        ("stimulus", "CONVERSATION", "Do you like hiking?", "Maria"),
        ("action", "TALK", "I love hiking in the Rockies.", "Maria")]
    assert events[0].sim_time == "2024-03-01T10:00:00"
    assert agent.semantic_memory.retrieve_all()[0]["type"] == "consolidated"
    assert agent.semantic_memory.retrieve_relevant("hiking", 1)[0].startswith("Maria asked me")


def test_a_document_that_is_not_json_is_skipped_with_one_warning_on_the_memory_module_logger():
    from unittest.mock import Mock, patch

    from tinytroupe.agent.memory import SemanticMemory as FromMemoryModule

    memory = FromMemoryModule()
    connector = Mock()
    connector.documents = [Mock(text="not json {")]
    memory.semantic_grounding_connector = connector
    with patch("tinytroupe.agent.memory.logger") as log:  # the original's module, as its users patch it
        assert memory.retrieve_all() == []
    log.warning.assert_called_once()
