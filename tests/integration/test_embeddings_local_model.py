"""The embedded llama.cpp model in embedding mode: a memory found again by a paraphrase."""

from __future__ import annotations

import pytest

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.llm.embedding_setup import choose_embedder

pytestmark = pytest.mark.local_model


def test_a_memory_is_embedded_and_retrieved_by_a_paraphrase():
    pytest.importorskip("llama_cpp")
    config_manager.update_multiple({"api_type": "local", "embedding_model": "local", "local_threads": 1})
    assert choose_embedder() == "local"
    from tinytroupe.agent import SemanticMemory

    memory = SemanticMemory()
    memory.store_all(["The spare key to the house is hidden under the blue flowerpot by the door.",
                      "The stock market fell sharply on Tuesday after the interest rate decision.",
                      "My grandmother's soup recipe uses leeks, potatoes and a lot of pepper."])
    found = memory.retrieve_relevant("Where did I leave the key to get into my home?", top_k=1)
    assert found == ["The spare key to the house is hidden under the blue flowerpot by the door."]
    embedder = llm.default_embedder()
    assert embedder.kind == "dense" and embedder.name == "local"
    assert "local" in llm.usage_stats().snapshot()["info"]["embeddings"]
    assert memory.index.to_state()["made_by"].startswith("dense:local:")
