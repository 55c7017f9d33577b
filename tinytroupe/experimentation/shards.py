"""Experiment runs on an executor: each (arm, seed) one task, its base sent once as plain state.

The driver keeps the experiment: which runs are finished (the state file), saving each run as
it comes back, and the statistics. A worker rebuilds the base world (or population) from its
encoded state, forks it exactly as :class:`~tinytroupe.experimentation.runner.ExperimentRunner`
does in one process (same fork, same seeds, same tags), runs it and sends the metrics back.
The arms' changes, the metrics and a custom run are code: they travel with the runner.
"""

from __future__ import annotations

import copy
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.fanout import ShardExecutor, shard_task, task_name

__all__ = ["run_on", "run_shard", "base_document", "rebuild_base"]


def base_document(base: Any) -> dict[str, Any]:
    """An experiment's base (a world, or a list of people) as plain data."""
    if isinstance(getattr(base, "agents", None), list) and callable(getattr(base, "fork", None)):
        return {"kind": "world", "class": type(base), "state": base.encode_complete_state()}
    return {"kind": "people", "states": [p.encode_complete_state() for p in base]}


def rebuild_base(doc: dict[str, Any]) -> Any:
    """The base :func:`base_document` described, rebuilt in this process's current runtime."""
    if doc["kind"] == "world":
        state = doc["state"]
        return doc["class"](state["name"]).decode_complete_state(state)
    from tinytroupe.agent import TinyPerson

    return [TinyPerson.from_state(state) for state in doc["states"]]


@shard_task
async def run_shard(payload: dict[str, Any], shared: dict[str, Any]) -> dict[str, list[Any]]:
    """One (arm, seed) run of an experiment: its metrics."""
    runner = copy.copy(shared["runner"])
    base = shared.get("base")
    runner.base = base if base is not None else rebuild_base(shared["document"])
    return await runner._one(runner.arms[payload["arm"]], payload["seed"], payload.get("worlds", {}))


async def run_on(executor: ShardExecutor, runner: Any, arm_index: int, seed: int, worlds: dict[str, Any],
                 shared: dict[str, Any]) -> dict[str, list[Any]]:
    """The metrics of one run, computed on ``executor`` (``shared`` from :func:`shared_part`)."""
    payload: dict[str, Any] = {"arm": arm_index, "seed": seed}
    if executor.name == "local":
        payload["worlds"] = worlds  # in this process: the run's world stays visible in the result
    [metrics] = await executor.map(task_name(run_shard), [payload], shared)
    return metrics


def shared_part(executor: ShardExecutor, runner: Any) -> dict[str, Any]:
    """What every run of ``runner`` needs, as ``executor``'s workers take it."""
    if executor.name == "local":
        return {"runner": runner, "base": runner.base}
    if runner.model is not None:
        raise SpecificationError(f"experiment {runner.name!r}: a model given in code cannot travel to "
                                 f"{executor.name} workers; they use the runtime's configured model")
    portable = copy.copy(runner)
    portable.base, portable.model, portable._lock = None, None, None
    return {"runner": portable, "document": base_document(runner.base)}
