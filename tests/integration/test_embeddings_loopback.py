"""The embedding seam against a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.llm.embedding_setup import choose_embedder
from tinytroupe.memory import SemanticIndex
from tinytroupe.testing.loopback_server import LoopbackServer


@pytest.fixture
def openai_embeddings(monkeypatch):
    """A fresh usage tally and EMBEDDING_MODEL set to a real model name (conftest says lexical)."""
    config_manager.update("embedding_model", "text-embedding-3-small")
    llm.usage_stats().reset()
    yield
    llm.usage_stats().reset()


def _texts(n):
    return [f"memory number {i} about topic {i % 7}" for i in range(n)]


def test_requests_are_batched_cached_and_counted(openai_embeddings):
    config_manager.update("embedding_batch_size", 50)
    config_manager.update("cache_api_calls", True)
    with LoopbackServer(embedding_dim=24) as server:
        config_manager.update("base_url", server.base_url)
        assert choose_embedder() == "openai"
        first = llm.embed(_texts(120), tags={"agent": "Ana"})
        assert first.vectors.shape == (120, 24) and first.vectors.dtype == np.float32
        bodies = [b for b in server.bodies if "input" in b]
        assert sorted(len(b["input"]) for b in bodies) == [20, 50, 50]  # sent concurrently
        assert {b["model"] for b in bodies} == {"text-embedding-3-small"}
        snap = llm.usage_stats().snapshot()
        assert snap["total"]["calls"] == 1 and snap["total"]["input_tokens"] > 0
        assert snap["by_tag"]["purpose"]["embedding"]["calls"] == 1
        assert snap["by_tag"]["agent"]["Ana"]["input_tokens"] == snap["total"]["input_tokens"]
        assert snap["total"]["cost"] > 0  # text-embedding-3-small has a list price
        assert "openai text-embedding-3-small" in snap["info"]["embeddings"]

        llm.reset_default_model()  # a new process-wide embedder: only the cache is shared
        server.reset_stats()
        again = llm.embed(_texts(120))
        assert server.request_count == 0
        assert np.array_equal(again.vectors, first.vectors) and again.cached == 120
        assert llm.usage_stats().snapshot()["total"]["cached_calls"] == 1

        mixed = llm.embed(_texts(125))  # five new texts: one request with only those
        assert server.request_count == 1 and len(server.bodies[0]["input"]) == 5
        assert np.array_equal(mixed.vectors[:120], first.vectors)


def test_index_embeds_pending_texts_with_the_query_in_one_request(openai_embeddings):
    with LoopbackServer(embedding_dim=8) as server:
        config_manager.update("base_url", server.base_url)
        index = SemanticIndex()
        index.add_all(["alpha", "beta", "gamma"])
        assert index.pending == 3 and server.request_count == 0
        hits = index.search("beta", top_k=1)
        assert hits[0][0] == 1 and hits[0][1] == pytest.approx(1.0, abs=1e-5)
        assert server.request_count == 1 and server.bodies[0]["input"] == ["alpha", "beta", "gamma", "beta"]
        assert index.pending == 0


def test_a_server_without_embeddings_falls_back_with_one_warning(openai_embeddings):
    with LoopbackServer(serve_embeddings=False) as server:
        config_manager.update("base_url", server.base_url)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results = [llm.embed(["the meeting moved to friday", "sailing"]) for _ in range(3)]
        relevant = [w for w in caught if "lexical fallback" in str(w.message)]
        assert len(relevant) == 1 and "EMBEDDING_MODEL" in str(relevant[0].message)
        assert all(r.provider == "lexical" and r.kind == "lexical" for r in results)
        assert "lexical" in llm.usage_stats().snapshot()["info"]["embeddings"]
        assert "embeddings: lexical" in llm.usage_stats().summary()
        # memory keeps working: the index rebuilt itself as BM25
        index = SemanticIndex()
        index.add_all(["The meeting moved to Friday.", "Bob likes sailing."])
        assert index.search("when is the meeting", 2)[0][0] == 0
        assert server.request_count == 0  # the 404s were never counted as served requests


def test_agent_state_with_dense_memory_restores_without_embedding(openai_embeddings):
    from tinytroupe.agent import TinyPerson

    with LoopbackServer(embedding_dim=32) as server:
        config_manager.update("base_url", server.base_url)
        ana = TinyPerson("Ana", model=llm.ScriptedModel())
        ana.semantic_memory.store_all(["Bob's sailboat is called Aurora.", "The bakery opens at seven.",
                                       "My sister lives in Porto."])
        before = ana.retrieve_relevant_memories("Bob's sailboat is called Aurora.", 1)
        assert before == ["Bob's sailboat is called Aurora."]
        assert server.request_count == 1 and server.bodies[0]["input"][-1] == "Bob's sailboat is called Aurora."
        state = json.loads(json.dumps(ana.encode_complete_state()))
        assert state["semantic_memory"]["index"]["made_by"].startswith("dense:openai:")

        TinyPerson.clear_agents()
        llm.reset_default_model()
        server.reset_stats()
        restored = TinyPerson.from_state(state)
        assert restored.encode_complete_state() == state and server.request_count == 0
        assert restored.retrieve_relevant_memories("Bob's sailboat is called Aurora.", 1) == before
        assert server.request_count == 1 and server.bodies[0]["input"] == ["Bob's sailboat is called Aurora."]
        assert llm.usage_stats().snapshot()["by_tag"]["purpose"]["embedding"]["calls"] == 2
