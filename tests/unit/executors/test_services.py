"""The run's global services without Ray: one ledger across workers, one window, one cache owner."""

from __future__ import annotations

import asyncio

from tinytroupe.executors.services import CacheOwner, Ledger, SharedWindow, apply_spent, budget_terms
from tinytroupe.executors.wire import error_from_data
from tinytroupe.llm.budget import Budget, BudgetExceededError, BudgetLimits


def test_the_ledger_refuses_the_call_over_the_limit_counting_calls_in_flight():
    driver = Budget(BudgetLimits(max_calls=3))
    driver.record(10, 0.0, None)  # one call already paid on the driver
    ledger = Ledger()
    ledger.start(budget_terms(driver))
    assert ledger.check(5, 0.0, "a") is None and ledger.check(5, 0.0, "b") is None  # two in flight
    refusal = ledger.check(5, 0.0, "c")
    error = error_from_data(refusal, "ledger")
    assert isinstance(error, BudgetExceededError) and error.budget == "MAX_CALLS_PER_RUN"
    ledger.record(7, 0.0, "a", [5, 0.0])
    ledger.release(5, 0.0, "b")  # that one failed: its reservation is freed
    assert ledger.check(5, 0.0, "d") is None
    apply_spent(driver, ledger.spent())
    assert driver.spent.calls == 2 and driver.spent.tokens == 17 and driver.by_agent["a"].calls == 1


def test_one_window_bounds_calls_from_every_worker():
    window = SharedWindow(2, adaptive=False)

    async def worker(log):
        sent = await window.acquire()
        log.append(window.concurrency.in_flight)
        await asyncio.sleep(0.01)
        window.release(True, sent)

    async def main():
        log: list[int] = []
        await asyncio.gather(*(worker(log) for _ in range(6)))
        return log

    assert max(asyncio.run(main())) == 2


def test_a_transient_refusal_as_data_shrinks_the_shared_window():
    window = SharedWindow(8)

    async def main():
        held = [await window.acquire() for _ in range(5)]
        window.release({"transient": True, "message": "429", "status": 429, "retry_after": None}, held[0])
        return window.stats()

    assert asyncio.run(main())["window"] < 8


def test_the_cache_owner_is_the_one_writer_of_the_file(tmp_path):
    owner = CacheOwner()
    path = str(tmp_path / "calls.sqlite")
    value = {"text": "hi", "model": "m", "usage": {"input_tokens": 1, "output_tokens": 1}, "finish_reason": "stop"}
    assert owner.get(path, "k") is None
    owner.put(path, "k", value)
    assert owner.get(path, "k") == value
    owner.close()
    from tinytroupe.llm.cache import CallCache

    assert CallCache(path).get("k") == value  # the file the driver reads afterwards


def test_the_slots_a_dead_holder_held_are_reclaimed_and_no_others():
    window = SharedWindow(2, adaptive=False)

    async def main():
        await window.acquire("dead shard")
        await window.acquire("dead shard")
        waiting = asyncio.ensure_future(window.acquire("live shard"))  # the window is full
        await asyncio.sleep(0.01)
        assert not waiting.done()
        assert window.reclaim("dead shard") == 2 and window.reclaim("dead shard") == 0
        sent = await asyncio.wait_for(waiting, 1)  # a freed slot went to the live holder
        window.release(True, sent, "live shard")
        return window.concurrency.in_flight

    assert asyncio.run(main()) == 0


def test_a_holder_silent_too_long_is_taken_for_dead_and_its_late_release_changes_nothing(monkeypatch):
    window = SharedWindow(2, adaptive=False)
    clock = {"now": 100.0}
    monkeypatch.setattr("tinytroupe.executors.services._now", lambda: clock["now"])

    async def main():
        sent = await window.acquire("quiet")
        await window.acquire("beating")
        clock["now"] += 10
        window.beat("beating")
        clock["now"] += 10
        assert window.reap(15) == 1  # only the holder silent for 20 s
        window.release(True, sent, "quiet")  # it was alive after all: its slot was freed already
        return window.concurrency.in_flight

    assert asyncio.run(main()) == 1
