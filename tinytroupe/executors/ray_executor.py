"""The Ray executor: shards run as Ray tasks on a cluster, each in the driver's runtime rebuilt.

Each task gets the driver's :meth:`Runtime.describe` (API keys come from the worker's own
environment), the shard task's name, its payload and the shared part (sent once through the
object store), and a handle on the run's :class:`RunServices` actor (budget ledger, shared
concurrency window, cache owner; see :mod:`tinytroupe.executors.services`). It returns its
result and its usage as plain data; the driver adds the usage into its own tally and takes
the ledger's spending into its budget, so ``usage_stats()`` and the bill read as after a
local run. A shard's tinytroupe error is raised on the driver as the same type.

Connecting: ``address=None`` starts (or joins) a Ray instance on this machine, bound to
127.0.0.1, without dashboard; ``"auto"`` joins the cluster this machine belongs to
(``ray start --head`` ran here); ``"ray://host:10001"`` connects through Ray Client.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from tinytroupe.executors.ray_services import RunServices, install, run_async
from tinytroupe.executors.services import apply_spent, budget_terms
from tinytroupe.executors.wire import add_usage, error_from_data, error_to_data
from tinytroupe.fanout import resolve_task
from tinytroupe.llm import budget as budget_module
from tinytroupe.llm.setup import usage_stats
from tinytroupe.runtime import Runtime, current_runtime

__all__ = ["RayExecutor", "run_shard"]

LOCAL_INIT = {"include_dashboard": False, "_node_ip_address": "127.0.0.1", "configure_logging": False,
              "log_to_driver": False}


@ray.remote(num_cpus=1, max_retries=3, retry_exceptions=False)
def run_shard(description: dict[str, Any], task: str, payload: Any, shared: Any, services: Any,
              plan: dict[str, Any]) -> dict[str, Any]:
    """One shard on a worker: rebuild the runtime, share the run's services, run, report."""
    from tinytroupe import llm

    settings = dict(description["settings"])
    settings["cache_api_calls"] = False  # the cache owner answers for the run's cache file
    runtime = Runtime.from_description({**description, "settings": settings})
    try:
        holder = ray.get_runtime_context().get_task_id() or ""  # the same for every attempt of this shard
        ray.get(services.reclaim.remote(holder))  # slots an earlier attempt held when its worker died
        with runtime:
            install(llm.default_model(), services, plan, holder)
            try:
                result = run_async(resolve_task(task)(payload, shared))
                out: dict[str, Any] = {"ok": result}
            except Exception as exc:  # sent back as data; the driver raises it
                out = {"error": error_to_data(exc)}
            out["usage"] = usage_stats(runtime).snapshot()
            return out
    finally:
        runtime.close()


class RayExecutor:
    """Runs shard tasks on a Ray cluster; see the module docstring."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None, *,
                 init_options: dict[str, Any] | None = None):
        if workers is not None and int(workers) < 1:
            raise ValueError(f"RayExecutor: workers must be at least 1, got {workers}")
        self.address = address
        self._workers = int(workers) if workers is not None else None
        self.init_options = dict(init_options or {})
        self._started = False
        self._services: Any = None
        self._services_key: tuple | None = None
        self._active = 0  # map calls in flight: the ledger starts with the first, settles after the last
        self._started_run: asyncio.Future | None = None

    # -- the cluster -------------------------------------------------------------------
    def connect(self) -> RayExecutor:
        """Join (or start) the Ray cluster named by ``address``; nothing if already connected."""
        if not ray.is_initialized():
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            options = dict(self.init_options)
            if not self.address:
                options = {**LOCAL_INIT, **options}
            else:
                options.setdefault("log_to_driver", False)
            ray.init(address=self.address or None, **options)
            self._started = True
        return self

    @property
    def workers(self) -> int:
        """How many shards work is cut into: ``workers=`` or the cluster's CPUs."""
        if self._workers is not None:
            return self._workers
        self.connect()
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def _run_services(self, runtime: Runtime) -> Any:
        s = runtime.settings
        key = (int(s["max_concurrent_model_calls"]), bool(s["adaptive_concurrency"]),
               int(s["requests_per_minute"] or 0), int(s["tokens_per_minute"] or 0))
        if self._services is None or self._services_key != key:
            self._kill_services()
            here = ray.get_runtime_context().get_node_id()
            self._services = RunServices.options(
                scheduling_strategy=NodeAffinitySchedulingStrategy(here, soft=True)).remote(*key)
            self._services_key = key
        return self._services

    def _plan(self, runtime: Runtime) -> dict[str, Any]:
        s = runtime.settings
        plan: dict[str, Any] = {"budget": budget_terms(budget_module.active(runtime))}
        if s["cache_api_calls"] and str(s["cache_file_name"] or "").strip():
            plan["cache_path"] = str((Path.cwd() / Path(str(s["cache_file_name"])).expanduser()).resolve())
            plan["cache_refresh"] = bool(s["cache_refresh"])
        return plan

    # -- running -----------------------------------------------------------------------
    async def map(self, task: str, payloads: Sequence[Any], shared: Any = None) -> list[Any]:
        """``task(payload, shared)`` for every payload as Ray tasks; results in payload order."""
        resolve_task(task)  # a bad name fails here, not on a worker
        self.connect()
        runtime = current_runtime()
        self._active += 1
        if self._active == 1:
            self._started_run = asyncio.ensure_future(self._start_run(runtime))
        try:
            services, plan = await asyncio.shield(self._started_run)
        except BaseException:
            self._active -= 1
            raise
        description = runtime.describe()
        shared_ref = ray.put(shared)
        refs = [run_shard.remote(description, task, p, shared_ref, services, plan) for p in payloads]
        try:
            outs = await asyncio.gather(*refs)
        except BaseException:
            for ref in refs:
                ray.cancel(ref)
            raise
        finally:
            self._active -= 1
            if self._active == 0:
                await self._settle_budget(runtime, services, plan)
        stats = usage_stats(runtime)
        for out in outs:
            add_usage(stats, out.get("usage") or {})
        for i, out in enumerate(outs):
            if "error" in out:
                raise error_from_data(out["error"], f"shard {i + 1} of {len(outs)} ({task})")
        return [out["ok"] for out in outs]

    async def _start_run(self, runtime: Runtime) -> tuple[Any, dict[str, Any]]:
        services, plan = self._run_services(runtime), self._plan(runtime)
        await services.budget_start.remote(plan["budget"])
        return services, plan

    async def _settle_budget(self, runtime: Runtime, services: Any, plan: dict[str, Any]) -> None:
        if plan["budget"] is None:
            return
        spent = await services.budget_spent.remote()
        driver_budget = budget_module.active(runtime)
        if spent is not None and driver_budget is not None:
            apply_spent(driver_budget, spent)

    # -- closing -----------------------------------------------------------------------
    def _kill_services(self) -> None:
        if self._services is not None:
            try:
                ray.get(self._services.close.remote(), timeout=10)
            except Exception:  # noqa: BLE001 - an actor already gone has nothing to close
                pass
            ray.kill(self._services)
            self._services = None

    def close(self) -> None:
        """Stop the run's services; shut Ray down if this executor started it."""
        if ray.is_initialized():
            self._kill_services()
            if self._started and not self.address:
                ray.shutdown()
        self._started = False

    def __enter__(self) -> RayExecutor:
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RayExecutor(address={self.address!r}, workers={self._workers})"
