"""Offline semantic memory: the static word vectors of the wordllama wheel, else BM25; never the chat model."""

from __future__ import annotations

import logging
import socket
import sys

import pytest

from tinytroupe import llm
from tinytroupe.agent.memory_keeper import retrieval_enabled
from tinytroupe.config import config_manager
from tinytroupe.errors import MissingExtraError, SpecificationError
from tinytroupe.llm import embeddings
from tinytroupe.llm import embeddings_static as static
from tinytroupe.llm.embedding_setup import choose_embedder, wrap_embedder
from tinytroupe.llm.embedding_wrappers import CachedEmbedder, FallbackEmbedder, RetryingEmbedder
from tinytroupe.llm.embeddings_lexical import LexicalEmbedder
from tinytroupe.memory.index import SemanticIndex
from tinytroupe.memory.semantic import SemanticMemory
from tinytroupe.testing.memory_facts import TARGETS, facts

PIXEL = "My cat is named Pixel and she sleeps on the printer."

needs_wordllama = pytest.mark.skipif(not static.static_embedder_available(),
                                     reason='needs the embeddings extra: pip install -e ".[embeddings]"')


@pytest.fixture
def no_provider():
    """The packaged EMBEDDING_MODEL (a provider's model name) and no provider configured."""
    config_manager.update("embedding_model", "text-embedding-3-small")
    embeddings.reset_default_embedder()
    yield
    embeddings.reset_default_embedder()


@pytest.fixture
def no_network(monkeypatch):
    """Every connection refused, and the Hugging Face hub told it is offline."""
    def refuse(*args, **kwargs):
        raise OSError("this test refuses every network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(static._Weights, "loaded", None)  # the weights load under the refusal too


class LocalChat(llm.ScriptedModel):
    """A chat model that says it is the embedded local provider."""

    name = "local"


@needs_wordllama
def test_300_facts_offline_and_a_paraphrase_finds_the_right_one(no_provider, no_network):
    handlers = list(logging.getLogger().handlers)
    memory = SemanticMemory()
    memory.store_all(facts())
    assert len(memory.retrieve_all()) == 300
    assert PIXEL in memory.retrieve_relevant("what is my pet called", top_k=3)
    assert memory.index.to_state()["made_by"].startswith("dense:static:wordllama")
    assert "static" in llm.usage_stats().snapshot()["info"]["embeddings"]
    assert logging.getLogger().handlers == handlers  # wordllama's import-time logging setup is undone
    found = sum(fact in memory.retrieve_relevant(question, top_k=3) for fact, question in TARGETS)
    assert found >= 14, f"{found}/{len(TARGETS)} paraphrased questions found their fact in the top 3"
    bm25 = SemanticIndex(LexicalEmbedder())
    bm25.add_all(facts())
    assert PIXEL not in [facts()[i] for i, _ in bm25.search("what is my pet called", 3)]  # words alone miss it


@needs_wordllama
def test_static_vectors_count_as_an_embedding_model(no_provider):
    from tinytroupe.cli.models import describe_embeddings

    assert choose_embedder() == "static"
    assert describe_embeddings().startswith("static wordllama-l2_supercat-256")
    assert retrieval_enabled("auto") is True  # auto: on, as with any embedding model
    embedder = embeddings.default_embedder()
    assert embedder.find(FallbackEmbedder) is not None
    assert embedder.find(CachedEmbedder) is None and embedder.find(RetryingEmbedder) is None
    result = llm.embed(["I like coffee", "I do not like coffee", ""])
    assert result.vectors.shape == (3, static.DIMENSIONS) and result.usage.input_tokens > 0
    assert not result.vectors[2].any()
    assert embeddings.cosine(result.vectors[0], result.vectors[1]) > 0.85  # blind to negation, as documented


def test_without_wordllama_the_lexical_index_is_used(no_provider, monkeypatch):
    monkeypatch.setitem(sys.modules, "wordllama", None)  # import wordllama now fails, as when not installed
    assert not static.static_embedder_available()
    assert choose_embedder() == "lexical"
    memory = SemanticMemory()
    memory.store_all(["My cat is named Pixel and she sleeps on the printer.", "I drive a red car."])
    assert memory.retrieve_relevant("my cat Pixel", top_k=1) == [PIXEL]
    assert memory.index.to_state()["made_by"].startswith("lexical:")
    config_manager.update("embedding_model", "static")
    with pytest.raises(MissingExtraError, match=r'pip install -e "\.\[embeddings\]"'):
        embeddings.reset_default_embedder() or embeddings.default_embedder()


def test_the_chat_models_hidden_states_only_when_asked_for(no_provider, monkeypatch):
    llm.set_default_model(LocalChat())
    assert choose_embedder() in ("static", "lexical")
    monkeypatch.setitem(sys.modules, "wordllama", None)
    assert choose_embedder() == "lexical"
    config_manager.update("embedding_model", "local")
    assert choose_embedder() == "local"
    config_manager.update_multiple({"embedding_model": "text-embedding-3-small",
                                    "local_embedding_model_path": "/models/nomic-embed.gguf"})
    assert choose_embedder() == "local"  # a real embedding GGUF named for the local provider


@needs_wordllama
def test_weights_that_fail_to_load_fall_back_to_lexical(monkeypatch):
    def broken(package):
        raise embeddings.EmbeddingsUnsupportedError("the wordllama weights could not be loaded (test)")

    monkeypatch.setattr(static._Weights, "loaded", None)
    monkeypatch.setattr(static, "_load", broken)
    embedder = wrap_embedder(static.StaticEmbedder())
    with pytest.warns(RuntimeWarning, match="lexical fallback"):
        result = llm.embed(["tea"], model=embedder)
    assert result.provider == "lexical" and embedder.kind == "lexical"


@needs_wordllama
def test_semantic_survey_rating_refuses_static_vectors(no_provider):
    from tinytroupe.agent import TinyPerson
    from tinytroupe.survey import LikertQuestion, Survey

    question = LikertQuestion(text="Would you buy it?", name="buy", points=3,
                              anchors=["I would not buy it.", "Maybe.", "I would buy it."])
    scripted = llm.ScriptedModel(responder=lambda r: {"answer": "I would not buy it.", "justification": "x"})
    with pytest.raises(SpecificationError, match="static.*EMBEDDING_MODEL=local"):
        Survey([question], mode="semantic").run([TinyPerson("Ana")], model=scripted)
    assert scripted.requests == []  # refused before anyone was asked
    with pytest.warns(RuntimeWarning, match="would not buy"):
        result = Survey([question], mode="semantic", embed=static.StaticEmbedder()).run([TinyPerson("Bo")],
                                                                                       model=scripted)
    assert result.responses[0].answer is not None
