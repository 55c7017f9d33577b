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
