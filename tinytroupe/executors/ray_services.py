"""The run's services in one Ray actor, and the worker-side proxies that use them.

The actor (:class:`RunServices`) hosts a :class:`~tinytroupe.executors.services.Ledger`, a
:class:`~tinytroupe.executors.services.SharedWindow` and a
:class:`~tinytroupe.executors.services.CacheOwner`; it is placed on the driver's node, so
the cache file it writes is the driver's. :func:`install` puts the proxies into a worker's
model (built from the rebuilt runtime): the budget guard asks the ledger, the limiter takes
its slots from the shared window, and the call cache is read and written through the owner.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import ray

from tinytroupe.errors import TransientError
from tinytroupe.executors.services import CacheOwner, Ledger, SharedWindow
from tinytroupe.executors.wire import error_from_data
from tinytroupe.llm import budget as budget_module
from tinytroupe.llm.base import ChatRequest, Completion, LLMModel, ModelWrapper
from tinytroupe.llm.budget import Budget, BudgetLimits
from tinytroupe.llm.cache import completion_to_value, value_to_completion
from tinytroupe.llm.wrappers import LimitedModel
from tinytroupe.llm.wrappers.defaults import RequestDefaults

__all__ = ["RunServices", "install", "RemoteBudget", "RemoteWindow", "SharedCacheModel", "BEAT_S", "STALE_S"]

BEAT_S = 2.0  # a worker holding window slots says it is alive this often...
STALE_S = 15.0  # ...and a holder silent this long is taken for dead: its slots are freed


@ray.remote(num_cpus=0, max_concurrency=10_000)
class RunServices:
    """One actor per run: the ledger, the shared window and the cache owner."""

    def __init__(self, ceiling: int, adaptive: bool, requests_per_minute: int, tokens_per_minute: int):
        self.ledger = Ledger()
        self.window = SharedWindow(ceiling, adaptive, requests_per_minute, tokens_per_minute)
        self.cache = CacheOwner()
        self._reaper: asyncio.Future | None = None

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(BEAT_S)
            self.window.reap(STALE_S)

    async def node(self) -> str:
        return ray.get_runtime_context().get_node_id()

    async def budget_start(self, terms: dict[str, Any] | None) -> None:
        self.ledger.start(terms)

    async def budget_check(self, tokens: int, cost: float | None, agent: str | None) -> dict[str, Any] | None:
        return self.ledger.check(tokens, cost, agent)

    async def budget_release(self, tokens: int, cost: float | None, agent: str | None) -> None:
        self.ledger.release(tokens, cost, agent)

    async def budget_record(self, tokens: int, cost: float | None, agent: str | None,
                            reserved: list[Any] | None) -> None:
        self.ledger.record(tokens, cost, agent, reserved)

    async def budget_spent(self) -> dict[str, Any] | None:
        return self.ledger.spent()

    async def acquire(self, holder: str = "") -> tuple[float, int]:
        if self._reaper is None:
            self._reaper = asyncio.ensure_future(self._reap())
        return await self.window.acquire(holder)

    async def heartbeat(self, holder: str) -> None:
        self.window.beat(holder)

    async def release(self, outcome: Any, sent: Any, holder: str = "") -> None:
        self.window.release(outcome, sent, holder)

    async def reclaim(self, holder: str) -> int:
        return self.window.reclaim(holder)

    async def take_rate(self, tokens: int) -> tuple[int | None, float]:
        return self.window.take_rate(tokens)

    async def settle_rate(self, entry_id: int, tokens: int) -> None:
        self.window.settle_rate(entry_id, tokens)

    async def window_stats(self) -> dict[str, Any]:
        return self.window.stats()

    async def cache_get(self, path: str, key: str) -> dict[str, Any] | None:
        return self.cache.get(path, key)

    async def cache_put(self, path: str, key: str, value: dict[str, Any]) -> None:
        self.cache.put(path, key, value)

    async def close(self) -> None:
        self.cache.close()


class RemoteBudget(Budget):
    """A worker's view of the run's budget: every check, release and record goes to the ledger."""

    def __init__(self, services: Any, limits: BudgetLimits, per_agent: BudgetLimits):
        super().__init__(limits, per_agent)
        self.services = services

    def check_call(self, need_tokens: int, need_cost: float | None, agent: str | None) -> None:
        refusal = ray.get(self.services.budget_check.remote(need_tokens, need_cost, agent))
        if refusal is not None:
            raise error_from_data(refusal, "budget ledger")

    def release(self, need_tokens: int, need_cost: float | None, agent: str | None) -> None:
        self.services.budget_release.remote(need_tokens, need_cost, agent)

    def record(self, tokens: int, cost: float | None, agent: str | None,
               reserved: tuple[int, float | None] | None = None) -> None:
        ray.get(self.services.budget_record.remote(tokens, cost, agent, list(reserved) if reserved else None))


class RemoteWindow:
    """Stands in for a worker's :class:`AdaptiveWindow`: slots come from the shared one."""

    def __init__(self, services: Any, ceiling: int, holder: str = ""):
        self.services = services
        self.ceiling = ceiling
        self.holder = holder
        self.in_flight = self.max_in_flight = 0
        self._heart: threading.Thread | None = None

    @property
    def limit(self) -> int:
        return self.ceiling

    async def acquire(self) -> tuple[float, int]:
        sent = await self.services.acquire.remote(self.holder)
        self.in_flight += 1
        self._beat()
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return sent

    def _beat(self) -> None:
        """Tell the shared window, from a thread, that this holder lives while it holds slots (so a
        worker that dies holding some has them freed after :data:`STALE_S`, even if its shard is
        not retried soon)."""
        if self._heart is not None and self._heart.is_alive():
            return

        def beat() -> None:
            while self.in_flight > 0:
                self.services.heartbeat.remote(self.holder)
                time.sleep(BEAT_S)

        self._heart = threading.Thread(target=beat, name="tinytroupe-window-heartbeat", daemon=True)
        self._heart.start()

    def release(self, outcome: Any, sent: Any = None) -> None:
        self.in_flight -= 1
        if isinstance(outcome, BaseException):
            outcome = {"transient": isinstance(outcome, TransientError), "message": str(outcome),
                       "status": getattr(outcome, "status", None), "retry_after": getattr(outcome, "retry_after", None)}
        self.services.release.remote(outcome, list(sent) if sent else None, self.holder)

    def stats(self) -> dict[str, Any]:
        return ray.get(self.services.window_stats.remote())


class RemoteRate:
    """Stands in for a worker's rate window: requests and tokens per minute of the whole run."""

    def __init__(self, services: Any):
        self.services = services

    def try_take(self, tokens: int) -> tuple[list[float] | None, float]:
        entry_id, wait = ray.get(self.services.take_rate.remote(tokens))
        return ([float(entry_id), float(tokens)] if entry_id is not None else None), wait

    def settle(self, entry: list[float], tokens: int) -> None:
        self.services.settle_rate.remote(int(entry[0]), int(tokens))


class SharedCacheModel(ModelWrapper):
    """The call cache of a worker: looks up and stores through the cache owner (same keys as
    :class:`~tinytroupe.llm.cache.CachedModel`, so local and Ray runs share one file)."""

    def __init__(self, inner: LLMModel, services: Any, path: str, refresh: bool = False):
        super().__init__(inner)
        self.services = services
        self.path = path
        self.refresh = refresh

    async def complete(self, request: ChatRequest) -> Completion:
        key = request.cache_key(self.inner.name, request.model or self.inner.default_model)
        stored = None if self.refresh else await self.services.cache_get.remote(self.path, key)
        if stored is not None:
            return value_to_completion(stored, self.inner.name)
        completion = await self.inner.complete(request)
        if completion.text:  # on disk before it is used: a worker that dies loses no paid answer
            await self.services.cache_put.remote(self.path, key, completion_to_value(completion))
        return completion


def install(model: LLMModel, services: Any, plan: dict[str, Any], holder: str = "") -> None:
    """Put the run's shared budget, window and cache into ``model`` (a worker's wrapped model);
    ``holder`` names the shard's task or actor, whose window slots are freed if it dies."""
    limited = model.find(LimitedModel)
    if limited is not None:
        limited.concurrency = RemoteWindow(services, limited.max_concurrent, holder)
        if getattr(limited, "_window", None) is not None:
            limited._window = RemoteRate(services)
    if plan.get("cache_path"):
        defaults = model.find(RequestDefaults)
        if defaults is not None:
            defaults.inner = SharedCacheModel(defaults.inner, services, plan["cache_path"], plan.get("cache_refresh",
                                                                                                     False))
    terms = plan.get("budget")
    if terms is not None:
        budget_module.start_run(RemoteBudget(services, BudgetLimits(**terms["limits"]),
                                             BudgetLimits(**terms["per_agent"])))


def run_async(coro: Any) -> Any:
    """Run ``coro`` on a fresh event loop in this worker thread (context variables kept)."""
    return asyncio.run(coro)
