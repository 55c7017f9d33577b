"""What stays global across workers: one budget ledger, one concurrency window, one cache owner.

Plain classes (testable without Ray); :mod:`tinytroupe.executors.ray_services` hosts them in one
Ray actor for the run and gives workers proxies that talk to it.

- :class:`Ledger`: the run's budget; a worker asks it before every provider call
  (:meth:`Ledger.check` reserves the call's estimated size, or refuses with the run-wide
  error), so all workers together stop before the limit, as one process does.
- :class:`SharedWindow`: the provider's adaptive concurrency window and its requests/tokens
  per minute, once for the whole run (not once per worker).
- :class:`CacheOwner`: the only writer of the run's call cache file. Workers look answers up
  and store paid answers through it, each as soon as it is paid. Why one owner and not one
  SQLite file opened by every worker: SQLite's WAL mode needs shared memory on one host (it is
  unsafe on network file systems), and many writers contend for one write lock anyway; one
  owner is safe on any cluster, keeps the file's format, and a paid answer is on disk before
  its worker uses it, so a worker that dies loses nothing that was paid for.
"""

from __future__ import annotations

import time
from typing import Any

from tinytroupe.errors import TransientError
from tinytroupe.executors.wire import error_to_data
from tinytroupe.llm.budget import Budget, BudgetExceededError, BudgetLimits, Spent
from tinytroupe.llm.cache import CallCache, is_completion_value
from tinytroupe.llm.wrappers.limits import AdaptiveWindow

__all__ = ["Ledger", "SharedWindow", "CacheOwner", "budget_terms", "apply_spent"]

_now = time.monotonic  # when a holder was last heard from (tests move it)


def budget_terms(budget: Budget | None) -> dict[str, Any] | None:
    """The driver's budget as plain data for the ledger (None: no budget)."""
    if budget is None:
        return None
    with budget._lock:
        return {"limits": vars(budget.limits).copy(), "per_agent": vars(budget.per_agent).copy(),
                "spent": vars(budget.spent).copy(),
                "by_agent": {a: vars(s).copy() for a, s in budget.by_agent.items()}}


def apply_spent(budget: Budget, spent: dict[str, Any]) -> None:
    """Make the driver's ``budget`` show what the ledger counted (its spending and per agent)."""
    with budget._lock:
        budget.spent = Spent(**spent["spent"])
        budget.by_agent = {a: Spent(**s) for a, s in spent["by_agent"].items()}


class Ledger:
    """The run's one budget (see the module docstring); answers in plain data."""

    def __init__(self) -> None:
        self.budget: Budget | None = None

    def start(self, terms: dict[str, Any] | None) -> None:
        """Take over the driver's limits and what it spent so far (None: no budget)."""
        if terms is None:
            self.budget = None
            return
        self.budget = Budget(BudgetLimits(**terms["limits"]), BudgetLimits(**terms["per_agent"]))
        self.budget.spent = Spent(**terms["spent"])
        self.budget.by_agent = {a: Spent(**s) for a, s in terms["by_agent"].items()}

    def check(self, tokens: int, cost: float | None, agent: str | None) -> dict[str, Any] | None:
        """Reserve one call of this size, or the refusal as data."""
        if self.budget is None:
            return None
        try:
            self.budget.check_call(tokens, cost, agent)
        except BudgetExceededError as exc:
            return error_to_data(exc)
        return None

    def release(self, tokens: int, cost: float | None, agent: str | None) -> None:
        if self.budget is not None:
            self.budget.release(tokens, cost, agent)

    def record(self, tokens: int, cost: float | None, agent: str | None, reserved: list[Any] | None) -> None:
        if self.budget is not None:
            self.budget.record(tokens, cost, agent, tuple(reserved) if reserved else None)

    def spent(self) -> dict[str, Any] | None:
        """What the run spent, as :func:`apply_spent` reads it."""
        if self.budget is None:
            return None
        return {"spent": vars(self.budget.spent).copy(),
                "by_agent": {a: vars(s).copy() for a, s in self.budget.by_agent.items()}}


class SharedWindow:
    """One adaptive concurrency window (and rate window) for every worker of the run."""

    def __init__(self, ceiling: int, adaptive: bool = True, requests_per_minute: int = 0,
                 tokens_per_minute: int = 0):
        from tinytroupe.llm.wrappers.limits import _Window

        self.concurrency = AdaptiveWindow(ceiling, adaptive=adaptive)
        self.rate = _Window(requests_per_minute, tokens_per_minute) if (
            requests_per_minute or tokens_per_minute) else None
        self._entries: dict[int, list[float]] = {}
        self._next = 0
        self._held: dict[str, list[tuple[float, int]]] = {}  # holder -> slots it has not given back
        self._seen: dict[str, float] = {}  # holder -> when it last called or beat
        self._freed: set[tuple[float, int]] = set()  # slots reclaimed from holders taken for dead

    async def acquire(self, holder: str = "") -> tuple[float, int]:
        """A slot for ``holder`` (a shard's task or actor: :meth:`reclaim` frees what a dead one held)."""
        sent = await self.concurrency.acquire()
        self._held.setdefault(holder, []).append(tuple(sent))
        self.beat(holder)
        return sent

    def beat(self, holder: str) -> None:
        """``holder`` is alive (its worker beats while it holds slots)."""
        self._seen[holder] = _now()

    def reap(self, stale_s: float) -> int:
        """Free the slots of holders silent for ``stale_s`` seconds (their worker died); how many."""
        now = _now()
        silent = [h for h, held in self._held.items() if held and now - self._seen.get(h, now) > stale_s]
        return sum(self.reclaim(h) for h in silent)

    def release(self, outcome: Any, sent: tuple[float, int] | None, holder: str = "") -> None:
        """``outcome``: True, None, or an error as data (a transient one moves the window)."""
        if isinstance(outcome, dict):
            outcome = TransientError(outcome.get("message", ""), status=outcome.get("status"),
                                     retry_after=outcome.get("retry_after")) if outcome.get("transient") else None
        if sent is not None:
            if tuple(sent) in self._freed:
                self._freed.discard(tuple(sent))
                return  # reclaimed while its holder was silent: released then
            held = self._held.get(holder)
            if held is not None and tuple(sent) in held:
                held.remove(tuple(sent))
        self.beat(holder)
        self.concurrency.release(outcome, tuple(sent) if sent else None)

    def reclaim(self, holder: str) -> int:
        """Free the slots ``holder`` still holds (its worker died mid-call); how many there were."""
        held = self._held.pop(holder, [])
        self._seen.pop(holder, None)
        for sent in held:
            self._freed.add(sent)
            self.concurrency.release(None, sent)
        return len(held)

    def take_rate(self, tokens: int) -> tuple[int | None, float]:
        if self.rate is None:
            return -1, 0.0
        entry, wait = self.rate.try_take(tokens)
        if entry is None:
            return None, wait
        self._next += 1
        self._entries[self._next] = entry
        return self._next, 0.0

    def settle_rate(self, entry_id: int, tokens: int) -> None:
        entry = self._entries.pop(entry_id, None)
        if entry is not None and self.rate is not None:
            self.rate.settle(entry, tokens)

    def stats(self) -> dict[str, Any]:
        return self.concurrency.stats()


class CacheOwner:
    """The single writer of the run's call cache files (one :class:`CallCache` per path)."""

    def __init__(self) -> None:
        self._caches: dict[str, CallCache] = {}

    def _cache(self, path: str) -> CallCache:
        cache = self._caches.get(path)
        if cache is None:
            cache = self._caches[path] = CallCache(path)
        return cache

    def get(self, path: str, key: str) -> dict[str, Any] | None:
        return self._cache(path).get(key, check=is_completion_value)

    def put(self, path: str, key: str, value: dict[str, Any]) -> None:
        self._cache(path).put(key, value)

    def close(self) -> None:
        for cache in self._caches.values():
            cache.close()
        self._caches.clear()
