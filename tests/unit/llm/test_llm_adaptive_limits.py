"""The adaptive concurrency window: grows while calls succeed, shrinks when the provider pushes back."""

import asyncio
import time

from tinytroupe.errors import TransientError
from tinytroupe.llm import ChatRequest, ScriptedModel
from tinytroupe.llm.wrappers import LimitedModel, UsageStats, UsageTracker
from tinytroupe.llm.wrappers.limits import AdaptiveWindow

REQUEST = ChatRequest(messages=[{"role": "user", "content": "hi"}])


def _released(window, outcome, load):
    async def go():
        sent = await window.acquire()
        window.release(outcome, (sent[0], load))
    asyncio.run(go())


def test_llm_window_starts_at_the_ceiling_and_shrinks_on_a_429_to_a_share_of_the_load():
    window = AdaptiveWindow(100)
    assert window.limit == 100
    _released(window, TransientError("slow down", status=429), load=20)
    assert window.limit == 16 and window.decreases == 1


def test_llm_window_grows_by_about_one_per_window_of_successes_up_to_the_ceiling():
    window = AdaptiveWindow(12)
    window.window = 10.0
    for _ in range(10):
        _released(window, True, load=1)
    assert window.limit == 10 or window.limit == 11
    for _ in range(200):
        _released(window, True, load=1)
    assert window.limit == 12  # never above the user's ceiling


def test_llm_refusals_of_calls_sent_before_a_decrease_count_once():
    window = AdaptiveWindow(100)

    async def burst():
        sent = [await window.acquire() for _ in range(30)]
        for s in sent:  # thirty 429s for calls that were all in flight together
            window.release(TransientError("429", status=429), (s[0], 30))
    asyncio.run(burst())
    assert window.decreases == 1 and window.limit == 24 and window.pushbacks == 30


def test_llm_one_5xx_does_not_shrink_a_burst_does_and_timeouts_do():
    window = AdaptiveWindow(50)
    _released(window, TransientError("oops", status=500), load=40)
    assert window.limit == 50
    _released(window, TransientError("oops", status=502), load=40)
    _released(window, TransientError("oops", status=503), load=40)
    assert window.limit == 32
    other = AdaptiveWindow(50)
    _released(other, TransientError("no reply within TIMEOUT"), load=10)  # a timeout has no status
    assert other.limit == 8
    client_error = AdaptiveWindow(50)
    _released(client_error, TransientError("odd", status=409), load=10)
    assert client_error.limit == 50


def test_llm_retry_after_pauses_new_calls():
    window = AdaptiveWindow(10)
    _released(window, TransientError("slow down", status=429, retry_after=0.3), load=5)

    async def timed():
        start = time.monotonic()
        sent = await window.acquire()
        window.release(True, sent)
        return time.monotonic() - start
    assert asyncio.run(timed()) >= 0.25


def test_llm_fixed_window_when_not_adaptive():
    window = AdaptiveWindow(10, adaptive=False)
    _released(window, TransientError("slow down", status=429), load=10)
    assert window.limit == 10 and window.pushbacks == 1


def test_llm_a_shrunk_window_bounds_the_calls_in_flight():
    model = LimitedModel(ScriptedModel(default="ok", latency=0.02), max_concurrent=50)
    model.concurrency.window = 4.0

    async def many():
        return await asyncio.gather(*[model.complete(REQUEST) for _ in range(20)])
    asyncio.run(many())
    # 4 at first, then one more per window of successes: 20 calls never all go at once
    assert 4 <= model.max_in_flight <= 7 and model.in_flight == 0
    assert 5 <= model.window <= 8


def test_llm_cancelled_waiters_give_their_slot_back():
    model = LimitedModel(ScriptedModel(default="ok", latency=0.05), max_concurrent=2)

    async def go():
        tasks = [asyncio.ensure_future(model.complete(REQUEST)) for _ in range(6)]
        await asyncio.sleep(0.01)
        for t in tasks[2:4]:
            t.cancel()
        return await asyncio.gather(*tasks, return_exceptions=True)
    results = asyncio.run(go())
    assert sum(isinstance(r, asyncio.CancelledError) for r in results) == 2
    assert model.in_flight == 0 and model.concurrency.stats()["waiting"] == 0


def test_llm_usage_statistics_show_the_current_window():
    stats = UsageStats()
    tracker = UsageTracker(LimitedModel(ScriptedModel(default="ok"), max_concurrent=7), stats=stats)
    asyncio.run(tracker.complete(REQUEST))
    snap = stats.snapshot()
    assert snap["concurrency"]["window"] == 7 and snap["concurrency"]["ceiling"] == 7
    assert snap["total"]["calls"] == 1
