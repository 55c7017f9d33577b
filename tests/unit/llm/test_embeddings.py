"""The embedding seam: lexical provider, wrappers, choice of provider."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.errors import TransientError
from tinytroupe.llm import embedding_wrappers, embeddings
from tinytroupe.llm.base import Usage
from tinytroupe.llm.cache import CachedModel, CallCache
from tinytroupe.llm.embedding_setup import choose_embedder, offline_embedder, wrap_embedder
from tinytroupe.llm.embedding_wrappers import BatchingEmbedder, FallbackEmbedder
from tinytroupe.llm.embeddings import (
    EmbeddingRequest,
    Embeddings,
    EmbeddingsUnsupportedError,
    decode_vector,
    encode_vector,
)
from tinytroupe.llm.embeddings_lexical import LexicalEmbedder, tokenize
from tinytroupe.llm.wrappers import RetryingModel, UsageStats, UsageTracker


class FakeEmbedder:
    """Counts calls; vectors are [len(text), first letter code, 1]; can fail first."""

    name, kind, endpoint, default_model = "fake", "dense", "fake://", "fake-embed"

    def __init__(self, failures=()):
        self.calls: list[tuple[str, ...]] = []
        self.failures = list(failures)

    async def embed(self, request):
        self.calls.append(request.texts)
        if self.failures:
            raise self.failures.pop(0)
        rows = [[len(t), ord(t[0]) if t else 0, 1.0] for t in request.texts]
        return Embeddings(np.asarray(rows, dtype=np.float32), "fake-embed", Usage(input_tokens=len(request.texts)),
                          "fake")

    async def aclose(self):
        return None


def run(coro):
    return asyncio.run(coro)


def test_lexical_vectors_measure_shared_words():
    result = run(LexicalEmbedder().embed(EmbeddingRequest(("I like green tea", "Green teas are liked", "Stocks fell"))))
    assert result.vectors.shape == (3, 512) and result.kind == "lexical"
    assert embeddings.cosine(result.vectors[0], result.vectors[1]) > 0.9
    assert embeddings.cosine(result.vectors[0], result.vectors[2]) == 0.0
    assert tokenize("The meetings were moved") == ["meet", "mov"]


def test_vectors_round_trip_as_base64_float32():
    vector = np.asarray([0.1, -2.5, 3e-8], dtype=np.float32)
    assert np.array_equal(decode_vector(encode_vector(vector)), vector)


def test_batching_splits_and_keeps_order():
    inner = FakeEmbedder()
    result = run(BatchingEmbedder(inner, 2).embed(EmbeddingRequest(("a", "bb", "ccc", "dddd", "e"))))
    assert [len(c) for c in inner.calls] == [2, 2, 1]
    assert result.vectors[:, 0].tolist() == [1, 2, 3, 4, 1] and result.usage.input_tokens == 5


def test_retry_on_transient_errors_only():
    inner = FakeEmbedder([TransientError("busy", status=503)])
    result = run(RetryingModel(inner, 3, initial_delay=0.0).embed(EmbeddingRequest(("a",))))
    assert len(result) == 1 and len(inner.calls) == 2
    with pytest.raises(TransientError):
        run(RetryingModel(FakeEmbedder([TransientError("x")] * 2), 2, initial_delay=0.0)
            .embed(EmbeddingRequest(("a",))))


def test_cache_is_keyed_by_model_and_text(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")
    inner = FakeEmbedder()
    cached = CachedModel(inner, cache)
    run(cached.embed(EmbeddingRequest(("alpha", "beta"))))
    again = run(cached.embed(EmbeddingRequest(("beta", "gamma", "alpha"), tags={"agent": "x"})))
    assert inner.calls == [("alpha", "beta"), ("gamma",)]
    assert again.cached == 2 and again.vectors[:, 0].tolist() == [4, 5, 5]
    run(cached.embed(EmbeddingRequest(("alpha",), model="other-model")))
    assert inner.calls[-1] == ("alpha",)  # another model is another key


def test_usage_tracker_counts_tokens_and_cached_calls(tmp_path):
    stats = UsageStats()
    tracker = UsageTracker(CachedModel(FakeEmbedder(), CallCache(tmp_path / "c.sqlite")), stats=stats)
    run(tracker.embed(EmbeddingRequest(("a", "b"), tags={"purpose": "recall"})))
    run(tracker.embed(EmbeddingRequest(("a", "b"))))
    snap = stats.snapshot()
    assert snap["total"]["calls"] == 2 and snap["total"]["cached_calls"] == 1 and snap["total"]["input_tokens"] == 2
    assert snap["by_tag"]["purpose"] == {"recall": snap["by_tag"]["purpose"]["recall"],
                                         "embedding": snap["by_tag"]["purpose"]["embedding"]}


def test_fallback_switches_once():
    inner = FakeEmbedder([EmbeddingsUnsupportedError("no embeddings here", status=404)])
    fallback = FallbackEmbedder(inner, LexicalEmbedder())
    with pytest.warns(RuntimeWarning, match="lexical fallback"):
        first = run(fallback.embed(EmbeddingRequest(("tea",))))
    second = run(fallback.embed(EmbeddingRequest(("tea",))))
    assert first.provider == second.provider == "lexical" and len(inner.calls) == 1
    assert fallback.kind == "lexical" and fallback.name == "lexical"


def test_choice_follows_the_chat_provider():
    assert choose_embedder() == "lexical"  # the suite sets EMBEDDING_MODEL=lexical
    config_manager.update("embedding_model", "text-embedding-3-small")
    llm.set_default_model(llm.ScriptedModel())
    assert choose_embedder() == offline_embedder()  # static vectors when wordllama is installed, else lexical
    llm.reset_default_model()
    config_manager.update("api_key", "sk-test")
    assert choose_embedder() == "openai"
    config_manager.update("azure_endpoint", "https://x.openai.azure.com/")
    assert choose_embedder() == "azure"
    config_manager.update("embedding_model", "bm25")
    assert choose_embedder() == "lexical"


def test_azure_embedder_uses_its_own_api_version():
    from tinytroupe.llm.embedding_setup import build_embedder

    config_manager.update_multiple({"embedding_model": "my-embed-deployment", "api_type": "azure",
                                    "azure_endpoint": "https://x.openai.azure.com/", "azure_api_key": "k",
                                    "azure_embedding_model_api_version": "2023-05-15"})
    embedder = build_embedder()
    assert embedder.name == "azure" and embedder.default_model == "my-embed-deployment"
    assert embedder.transport.api_version == "2023-05-15"


def test_default_embedder_is_wrapped_and_described():
    llm.usage_stats().reset()
    embedder = embeddings.default_embedder()
    assert embedder.find(UsageTracker) is not None and embedder.kind == "lexical"
    assert wrap_embedder(embedder) is embedder
    result = llm.embed(["hello world"])
    assert result.provider == "lexical"
    assert "lexical" in llm.usage_stats().snapshot()["info"]["embeddings"]


def test_the_embedding_names_of_the_stack_wrappers_still_import():
    assert embedding_wrappers.RetryingEmbedder is RetryingModel and embedding_wrappers.CachedEmbedder is CachedModel
    assert embedding_wrappers.EmbeddingUsageTracker is UsageTracker
    assert embedding_wrappers.encode_vector is encode_vector


def test_cache_refresh_sends_every_text_again_and_replaces_what_is_stored(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")
    run(CachedModel(FakeEmbedder(), cache).embed(EmbeddingRequest(("alpha",))))
    inner = FakeEmbedder()
    again = run(CachedModel(inner, cache, refresh=True).embed(EmbeddingRequest(("alpha",))))
    assert inner.calls == [("alpha",)] and again.cached == 0
