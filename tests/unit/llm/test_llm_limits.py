"""LimitedModel: concurrency bound per event loop, request and token windows."""

import asyncio

import pytest

from tinytroupe.llm import ChatRequest, ScriptedModel
from tinytroupe.llm.wrappers import LimitedModel
from tinytroupe.llm.wrappers.limits import _Window, estimate_request_tokens

REQUEST = ChatRequest(messages=[{"role": "user", "content": "x" * 40}], max_tokens=10)


async def _many(model, n):
    return await asyncio.gather(*[model.complete(REQUEST) for _ in range(n)])


def test_llm_concurrency_is_bounded():
    model = LimitedModel(ScriptedModel(default="ok", latency=0.01), max_concurrent=3)
    asyncio.run(_many(model, 12))
    assert model.max_in_flight == 3 and model.in_flight == 0


def test_llm_unbounded_enough_lets_all_run_together():
    model = LimitedModel(ScriptedModel(default="ok", latency=0.01), max_concurrent=50)
    asyncio.run(_many(model, 20))
    assert model.max_in_flight == 20


def test_llm_limits_work_across_event_loops():
    model = LimitedModel(ScriptedModel(default="ok", latency=0.001), max_concurrent=2)
    for _ in range(3):  # a semaphore bound to a finished loop would break the next loop
        asyncio.run(_many(model, 5))
    assert model.max_in_flight == 2


def test_llm_request_window_refuses_past_the_rate():
    window = _Window(requests_per_minute=2, tokens_per_minute=0)
    assert window.try_take(1)[0] is not None
    assert window.try_take(1)[0] is not None
    entry, wait = window.try_take(1)
    assert entry is None and 0 < wait <= 60


def test_llm_token_window_counts_settled_usage():
    window = _Window(requests_per_minute=0, tokens_per_minute=100)
    entry, _ = window.try_take(90)
    assert window.try_take(20)[0] is None
    window.settle(entry, 10)  # the call used fewer tokens than estimated
    assert window.try_take(20)[0] is not None


def test_llm_a_single_large_request_is_not_blocked_forever():
    window = _Window(requests_per_minute=0, tokens_per_minute=10)
    assert window.try_take(1000)[0] is not None


def test_llm_estimate_request_tokens():
    assert estimate_request_tokens(REQUEST) == 10 + 10


def test_llm_max_concurrent_must_be_positive():
    with pytest.raises(ValueError, match="MAX_CONCURRENT_MODEL_CALLS"):
        LimitedModel(ScriptedModel(), max_concurrent=0)
