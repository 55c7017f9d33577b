"""One wrapper stack for both seams: chat calls and embeddings retry, wait, spend budgets, hit the
cache and count usage the same way, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.errors import TransientError
from tinytroupe.llm import budget
from tinytroupe.llm.base import innermost
from tinytroupe.llm.bill import bill_rows
from tinytroupe.llm.budget import BudgetExceededError, BudgetGuard
from tinytroupe.llm.cache import CachedModel
from tinytroupe.llm.embeddings import default_embedder
from tinytroupe.llm.purposes import LABELS
from tinytroupe.llm.wrappers import LimitedModel, RetryingModel, UsageTracker
from tinytroupe.testing import LoopbackServer

SEAMS = ("chat", "embedding")
PURPOSE = {"chat": "other", "embedding": "embedding"}  # what an untagged call counts as


@pytest.fixture
def server():
    """A loopback server that both the chat model and the embedder talk to."""
    with LoopbackServer(retry_after=0.3, embedding_dim=8) as running:
        config_manager.update_multiple({"api_type": "openai", "base_url": running.base_url, "api_key": "k",
                                        "model": "loop-model", "embedding_model": "text-embedding-3-small"})
        llm.usage_stats().reset()
        yield running
        llm.usage_stats().reset()


def _call(seam: str) -> None:
    if seam == "chat":
        llm.complete_text("How is the soup today?", tags={"agent": "Ana"})
    else:
        llm.embed(["How is the soup today?"], tags={"agent": "Ana"})


def _stack(seam: str):
    return llm.default_model() if seam == "chat" else default_embedder()


def _script(server: LoopbackServer, seam: str, *faults: str) -> None:
    (server.script if seam == "chat" else server.script_embeddings)(*faults)


def _chain(model) -> list[str]:
    names = []
    while model is not None:
        names.append(type(model).__name__)
        model = getattr(model, "inner", None)
    return names


def test_llm_both_seams_are_wrapped_by_the_same_classes(server):
    config_manager.update("cache_api_calls", True)
    shared = {"UsageTracker", "CachedModel", "BudgetGuard", "RetryingModel", "LimitedModel"}
    chat, embedder = _chain(llm.default_model()), _chain(default_embedder())
    assert chat == ["UsageTracker", "RequestDefaults", "CachedModel", "BudgetGuard", "RetryingModel", "LimitedModel",
                    "OpenAIModel"]
    assert embedder == ["UsageTracker", "FallbackEmbedder", "CachedModel", "BatchingEmbedder", "BudgetGuard",
                        "RetryingModel", "LimitedModel", "OpenAIEmbedder"]
    assert shared <= set(chat) and shared <= set(embedder)
    assert innermost(default_embedder()).endpoint == innermost(llm.default_model()).endpoint


@pytest.mark.parametrize("seam", SEAMS)
def test_llm_a_429_is_retried_after_its_retry_after(server, seam):
    _script(server, seam, "429", "ok")
    started = time.monotonic()
    _call(seam)
    assert time.monotonic() - started >= 0.3  # the server's Retry-After, not the shorter backoff
    assert server.request_count == 2 and server.faults_served == ["429", "ok"]
    stack = _stack(seam)
    assert list(stack.find(RetryingModel).delays) == [0.3]
    assert stack.find(LimitedModel).concurrency.pushbacks == 1  # the window heard the provider push back
    snap = llm.usage_stats().snapshot()
    assert snap["total"]["calls"] == 1 and snap["total"]["retries"] == 1
    assert snap["by_purpose"][PURPOSE[seam]]["retries"] == 1 and snap["by_tag"]["agent"]["Ana"]["retries"] == 1


@pytest.mark.parametrize("seam", SEAMS)
def test_llm_transient_errors_stop_at_max_attempts(server, seam):
    config_manager.update("max_attempts", 2)
    _script(server, seam, "503", "503", "ok")
    with pytest.raises(TransientError):
        _call(seam)
    assert server.request_count == 2
    snap = llm.usage_stats().snapshot()
    assert snap["by_purpose"][PURPOSE[seam]]["failures"] == 1 and snap["total"]["calls"] == 0


def test_llm_the_bill_counts_embedding_tokens_under_the_embedding_purpose(server):
    llm.embed([f"memory number {i}: the bakery on the corner opens at seven" for i in range(20)])
    _call("chat")
    embedding_tokens = server.prompt_tokens_per_request[0]
    usage = llm.usage_stats().snapshot()
    assert usage["by_purpose"]["embedding"]["input_tokens"] == embedding_tokens > 0
    assert usage["by_purpose"]["embedding"]["output_tokens"] == 0
    assert usage["by_purpose"]["embedding"]["cost"] > 0  # text-embedding-3-small has a list price
    assert usage["by_model"]["text-embedding-3-small"]["calls"] == 1
    rows = {row[0]: row for row in bill_rows(usage)}
    assert rows[LABELS["embedding"]][1:5] == ("1", "0", "0", f"{embedding_tokens:,}")
    assert rows[LABELS["other"]][1] == "1"  # the chat call, apart


@pytest.mark.parametrize("seam", SEAMS)
def test_llm_a_call_budget_refuses_the_call_before_it_is_sent(server, seam):
    config_manager.update("max_calls_per_run", 1)
    _call(seam)
    with pytest.raises(BudgetExceededError, match="MAX_CALLS_PER_RUN"):
        _call(seam)
    assert server.request_count == 1  # the second call never left
    assert budget.active().spent.calls == 1


@pytest.mark.parametrize("seam", SEAMS)
def test_llm_a_per_agent_budget_holds_for_both_seams(server, seam):
    with budget.limit(per_agent=budget.BudgetLimits(max_calls=1)) as spent:
        _call(seam)
        with pytest.raises(BudgetExceededError) as refused:
            _call(seam)
    assert refused.value.agent == "Ana" and spent.by_agent["Ana"].calls == 1 and server.request_count == 1


@pytest.mark.parametrize("seam", SEAMS)
def test_llm_a_cached_rerun_makes_no_request_and_spends_no_budget(server, seam):
    config_manager.update_multiple({"cache_api_calls": True, "max_calls_per_run": 1})
    _call(seam)
    assert server.request_count == 1
    llm.reset_default_model()  # a new stack over the same cache file
    budget.reset()
    config_manager.update("max_calls_per_run", 1)
    server.reset_stats()
    for _ in range(3):
        _call(seam)  # would be refused by the budget if it went out
    assert server.request_count == 0
    snap = llm.usage_stats().snapshot()
    assert snap["by_purpose"][PURPOSE[seam]]["cached_calls"] == 3
    assert _stack(seam).find(CachedModel).cache.stats.hits >= 3


def test_llm_embedding_calls_are_refused_by_a_budget_guard_around_any_embedder():
    from tinytroupe.llm.embeddings_lexical import LexicalEmbedder
    from tinytroupe.llm.wrappers.usage import UsageStats

    guarded = UsageTracker(BudgetGuard(LexicalEmbedder()), stats=UsageStats())
    with budget.limit(max_tokens=5):
        with pytest.raises(BudgetExceededError, match="MAX_TOKENS_PER_RUN"):
            llm.embed(["a text much longer than five tokens, sent to nobody"], model=guarded)
        assert len(llm.embed(["tiny"], model=guarded)) == 1
    assert guarded.stats.snapshot()["total"]["failures"] == 1


def test_llm_embeddings_through_the_sdk_client_are_retried_too(server):
    from tinytroupe.llm.embedding_setup import wrap_embedder
    from tinytroupe.llm.embeddings_openai import OpenAIEmbedder
    from tinytroupe.llm.providers.openai_compat import OpenAIModel

    transport = OpenAIModel(api_key="k", base_url=server.base_url, model="loop-model", timeout=5)
    transport.plain_http = False  # the path HTTPS servers and Azure take
    embedder = wrap_embedder(OpenAIEmbedder(transport, "text-embedding-3-small"))
    server.script_embeddings("429", "ok")
    result = llm.embed(["green tea"], model=embedder)
    assert result.vectors.shape == (1, 8) and server.faults_served == ["429", "ok"]
    assert list(embedder.find(RetryingModel).delays) == [0.3]
