"""The original's memory shapes: a subclassable TinyMemory, EpisodicMemory's committed/buffered
views and recent window, item filters, and memory processors with batching."""

from __future__ import annotations

import pytest

from tinytroupe.agent.memory import (
    OMISSION_NOTE,
    EpisodicConsolidator,
    EpisodicMemory,
    MemoryProcessor,
    ReflectionConsolidator,
    TinyMemory,
)


class Shelf(TinyMemory):
    def __init__(self):
        super().__init__("shelf")
        self.kept = []

    def _preprocess_value_for_storage(self, value):
        return {**value, "content": value["content"].upper()}

    def _store(self, value):
        self.kept.append(value)


def test_a_subclass_gets_store_all_and_filters():
    shelf = Shelf()
    shelf.store_all([{"type": "action", "content": "walk"}, {"type": "stimulus", "content": "rain"}])
    assert [v["content"] for v in shelf.kept] == ["WALK", "RAIN"]
    assert TinyMemory.filter_by_item_type(shelf.kept, "stimulus") == [{"type": "stimulus", "content": "RAIN"}]
    assert len(shelf.filter_by_item_types(shelf.kept, ["stimulus", "action"])) == 2
    assert TinyMemory()._preprocess_value_for_storage({"x": 1}) == {"x": 1}


def test_episodic_views_follow_commits():
    memory = EpisodicMemory()
    assert (memory.fixed_prefix_length, memory.lookback_length) == (20, 100)
    memory.store({"role": "user", "type": "stimulus", "content": "The bus is late."})
    memory.store({"role": "system", "type": "feedback", "content": "Keep it short."})
    assert memory.memory == [] and [i["content"] for i in memory.episodic_buffer] == ["The bus is late.",
                                                                                      "Keep it short."]
    memory.commit_episode()
    assert memory.episodic_buffer == [] and memory.memory[0] == {"role": "user", "type": "stimulus",
                                                                 "content": "The bus is late."}
    memory.store({"type": "action", "content": "I wait."})
    assert [i["type"] for i in memory.get_current_episode(item_types=["action"])] == ["action"]
    assert [e["content"] for e in memory.retrieve_all(item_type="feedback")] == ["Keep it short."]


def test_recent_window_and_omission_note():
    memory = EpisodicMemory(fixed_prefix_length=1, lookback_length=2)
    for i in range(6):
        memory.store({"type": "stimulus", "content": f"m{i}"})
    window = memory.retrieve_recent()
    assert [e["content"] for e in window] == ["m0", OMISSION_NOTE, "m4", "m5"]
    assert "omitted for brevity" in OMISSION_NOTE
    assert [e["content"] for e in memory.retrieve_recent(include_omission_info=False)] == ["m0", "m4", "m5"]
    assert [e["content"] for e in memory.retrieve_recent(2)] == ["m4", "m5"]
    assert memory.retrieve_first(2, include_omission_info=True)[-1]["content"] == OMISSION_NOTE
    with pytest.raises(NotImplementedError, match="search"):
        memory.retrieve_relevant("bus")


def test_word_count_and_processor_base():
    count = MemoryProcessor.count_memory_content_words
    assert count({"content": "one two three"}) == 3
    assert count([{"content": "a b"}, {"content": None}, {"other": "x y"}, {"content": 7}]) == 2
    with pytest.raises(NotImplementedError):
        MemoryProcessor().process([])
    assert isinstance(EpisodicConsolidator(), MemoryProcessor) and isinstance(ReflectionConsolidator(), MemoryProcessor)


def test_episodic_consolidator_batches_by_words():
    class Counting(EpisodicConsolidator):
        def __init__(self):
            super().__init__(max_words=5)
            self.batches = []

        def _consolidate(self, memories, timestamp, context, persona):
            self.batches.append([m["content"] for m in memories])
            return {"consolidation": [{"type": "consolidated", "content": f"batch {len(self.batches)}"}]}

    consolidator = Counting()
    items = [{"type": "action", "content": "one two three"}, {"type": "action", "content": "four five six"},
             {"type": "stimulus", "content": "seven"}]
    result = consolidator.process(items, timestamp="2024-01-01T10:00:00")
    assert consolidator.batches == [["one two three"], ["four five six", "seven"]]
    assert [c["content"] for c in result["consolidation"]] == ["batch 1", "batch 2"]
    assert consolidator.process([]) == {"consolidation": []}


def test_episodic_consolidator_calls_the_model(scripted):
    scripted.queue({"items": [{"kind": "fact", "content": "I missed the bus on Monday."}]})
    result = EpisodicConsolidator().process([{"type": "stimulus", "content": "The bus left early."}],
                                            timestamp="2024-01-01", persona={"name": "Ana"})
    assert result == {"consolidation": [{"type": "consolidated", "kind": "fact",
                                         "content": "I missed the bus on Monday.",
                                         "simulation_timestamp": "2024-01-01"}]}
    assert "The bus left early." in scripted.requests[0].messages[-1].content


class NotesConnector:
    """A caller's connector: keeps documents and answers searches with a fixed list."""

    def __init__(self):
        self.documents = []

    def add_document(self, document):
        self.documents.append(document)

    def retrieve_relevant(self, relevance_target, top_k):
        return [f"{relevance_target}:{top_k}"]


def test_semantic_memory_items_in_the_original_shape():
    from tinytroupe.agent.grounding import BaseSemanticGroundingConnector
    from tinytroupe.agent.memory import SemanticMemory

    given = [{"type": "information", "content": "Paris is in France."}]
    memory = SemanticMemory(memories=given)
    assert memory.memories == given
    memory.store({"type": "reflection", "content": "I like travelling.", "simulation_timestamp": "t1"})
    item = memory.memories[-1]
    assert item["role"] == "assistant" and item["type"] == "reflection" and item["simulation_timestamp"] == "t1"
    assert "Reflection" in item["content"] and "I like travelling." in item["content"]
    assert memory._preprocess_value_for_storage("plain")["content"] == "plain"
    assert memory.retrieve_all(item_type="reflection")[0]["content"] == "I like travelling."  # engrams unchanged
    connector = memory.semantic_grounding_connector
    assert isinstance(connector, BaseSemanticGroundingConnector) and len(connector.documents) == 2
    memory.store("The Seine crosses Paris.")
    assert len(connector.documents) == 3 and '"type": "information"' in connector.documents[-1].text


def test_a_callers_connector_answers_searches():
    from tinytroupe.agent.memory import SemanticMemory

    memory = SemanticMemory()
    memory.semantic_grounding_connector = NotesConnector()
    memory.store({"type": "action", "content": "I booked a train."})
    assert memory.retrieve_relevant("train", top_k=3) == ["train:3"]
    stored = memory.retrieve_all()
    assert len(stored) == 1 and stored[0]["type"] == "action" and "Action performed" in stored[0]["content"]
    memory.semantic_grounding_connector.documents.append(type("Doc", (), {"text": "not json"})())
    assert len(memory.retrieve_all()) == 1 and memory.retrieve_all(item_type="stimulus") == []
