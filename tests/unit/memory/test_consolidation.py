"""Consolidators: one structured call per episode (per batch when long), failures yield nothing."""

from __future__ import annotations

import asyncio

import pytest

from tinytroupe.errors import TransientError
from tinytroupe.llm import ScriptedModel
from tinytroupe.llm.embeddings import EmbeddingRequest
from tinytroupe.memory.consolidation import EpisodicConsolidator, ReflectionConsolidator


def test_one_call_per_episode_and_one_per_batch_when_long():
    model = ScriptedModel(responder=lambda r: {"items": [{"kind": "fact", "content": "I met Bob."},
                                                         {"kind": "impression", "content": "Bob seemed tired."}]})
    consolidator = EpisodicConsolidator(model, max_words=50)
    engrams = asyncio.run(consolidator.aconsolidate(["Bob -> me: hello there"] * 5, name="Ana",
                                                    timestamp="2024-01-01T10:00:00", tags={"agent": "Ana"}))
    assert model.calls == 1 and [e["kind"] for e in engrams] == ["fact", "impression"]
    assert engrams[0] == {"type": "consolidated", "kind": "fact", "content": "I met Bob.",
                          "simulation_timestamp": "2024-01-01T10:00:00"}
    assert model.requests[0].tags == {"purpose": "consolidation", "agent": "Ana"}
    assert "Bob -> me: hello there" in model.requests[0].messages[0].content
    asyncio.run(consolidator.aconsolidate([" ".join(["word"] * 20)] * 4, name="Ana"))
    assert model.calls == 1 + 2  # 80 words in batches of at most 50: two lines per call


def test_a_failed_consolidation_gives_no_engrams():
    model = ScriptedModel([TransientError("down")] * 10)
    assert asyncio.run(EpisodicConsolidator(model).aconsolidate(["x"], name="Ana")) == []


def test_reflection_due_every_interval():
    model = ScriptedModel(responder=lambda r: {"reflections": ["I keep learning about boats."]})
    reflector = ReflectionConsolidator(model, interval=3)
    assert [n for n in range(1, 10) if reflector.due(n)] == [3, 6, 9]
    out = asyncio.run(reflector.areflect([{"type": "consolidated", "content": "Bob has a boat."}], name="Ana"))
    assert out == [{"type": "reflection", "content": "I keep learning about boats.", "simulation_timestamp": None}]
    assert asyncio.run(reflector.areflect([], name="Ana")) == [] and model.calls == 1


def test_embedding_request_refuses_one_string():
    with pytest.raises(TypeError, match="sequence"):
        EmbeddingRequest("one string")
    assert EmbeddingRequest(["a", 1]).texts == ("a", "1")
