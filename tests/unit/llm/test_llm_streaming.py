"""stream_map: items start in order, at most ``bound`` under way, results in item order, errors stop the stream."""

from __future__ import annotations

import asyncio
import random

import pytest

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.llm.streaming import MIN_MARGIN, StreamStats, in_flight_ceiling, prepared_bound, stream_map
from tinytroupe.llm.wrappers.limits import LimitedModel


def test_results_come_back_in_item_order_and_the_bound_holds():
    rng = random.Random(4)
    delays = [rng.random() / 200 for _ in range(300)]
    under_way = {"now": 0, "most": 0}
    started: list[int] = []

    async def work(i: int) -> int:
        started.append(i)
        under_way["now"] += 1
        under_way["most"] = max(under_way["most"], under_way["now"])
        await asyncio.sleep(delays[i])
        under_way["now"] -= 1
        return i * i

    stats = StreamStats()
    results = asyncio.run(stream_map(work, range(300), 7, stats=stats))
    assert results == [i * i for i in range(300)]
    assert started == list(range(300))
    assert under_way["most"] == 7 == stats.max_running
    assert stats.started == 300 and stats.running == 0


def test_items_are_consumed_lazily():
    pulled = []

    def items():
        for i in range(50):
            pulled.append(i)
            yield i

    async def main():
        gate = asyncio.Event()

        async def work(i):
            await gate.wait()
            return i

        task = asyncio.ensure_future(stream_map(work, items(), 5))
        await asyncio.sleep(0.01)
        seen = len(pulled)
        gate.set()
        return seen, await task

    seen, results = asyncio.run(main())
    assert seen <= 6  # the five under way and the one waiting for a slot
    assert results == list(range(50))


def test_an_error_stops_new_items_and_the_earliest_failure_is_raised():
    started = []

    async def work(i):
        started.append(i)
        await asyncio.sleep(0.001 * (10 - i % 10))
        if i in (3, 5):
            raise ValueError(f"item {i}")
        return i

    with pytest.raises(ValueError, match="item 3"):
        asyncio.run(stream_map(work, range(1000), 8))
    assert len(started) < 30


def test_cancelling_the_caller_cancels_the_items_under_way():
    cancelled = []

    async def work(i):
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(i)
            raise

    async def main():
        task = asyncio.ensure_future(stream_map(work, range(100), 4))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert sorted(cancelled) == [0, 1, 2, 3]


def test_a_bound_below_one_is_refused():
    with pytest.raises(ValueError, match="bound"):
        asyncio.run(stream_map(lambda i: asyncio.sleep(0), [1], 0))


def test_the_bound_follows_the_models_ceiling():
    limited = LimitedModel(llm.ScriptedModel(), max_concurrent=40, memory=False)
    assert in_flight_ceiling(limited) == 40
    assert prepared_bound(limited) == 40 + MIN_MARGIN
    assert prepared_bound(LimitedModel(llm.ScriptedModel(), max_concurrent=400, memory=False)) == 500
    config_manager.update("max_concurrent_model_calls", 12)
    assert in_flight_ceiling(llm.ScriptedModel()) == 12  # no limiter in the chain: the setting
    llm.set_default_model(llm.ScriptedModel())
    assert prepared_bound(None) == 12 + MIN_MARGIN  # the default model's limiter


def test_a_large_fan_out_leaves_older_objects_out_of_the_collector_and_puts_everything_back():
    import gc

    from tinytroupe.llm.streaming import FROZEN_FROM, YOUNG_THRESHOLD

    before = gc.get_threshold()
    seen = []

    async def work(i):
        seen.append((gc.get_freeze_count() > 0, gc.get_threshold()[0]))
        await asyncio.sleep(0)
        return i

    assert asyncio.run(stream_map(work, range(FROZEN_FROM), 50)) == list(range(FROZEN_FROM))
    assert all(frozen and threshold >= YOUNG_THRESHOLD for frozen, threshold in seen)
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before
    seen.clear()
    asyncio.run(stream_map(work, range(10), 5))  # a small one changes nothing
    assert seen == [(False, before[0])] * 10
