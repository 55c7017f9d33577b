"""Where a scenario runs: ``--executor ray [--address ...] [--workers N]`` or its ``[executor]`` table.

::

    [executor]
    kind = "ray"          # or "local" (the default)
    address = "auto"      # "auto", "ray://host:10001", or left out for a Ray instance on this machine
    workers = 8           # shards per fan-out (default: the cluster's CPUs)

The command line wins over the table. The executor is made current for the run
(:func:`tinytroupe.fanout.using`), so the factory, surveys and experiment arms fan out on it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tinytroupe.cli.scenario import ScenarioError
from tinytroupe.cli.toml_lines import format_path, line_of
from tinytroupe.executors import EXECUTORS, executor_named
from tinytroupe.fanout import using

__all__ = ["executor_table", "running_on", "run_on_executor"]

KEYS = ("kind", "address", "workers")


def _fail(scenario: Any, key: tuple, problem: str) -> ScenarioError:
    return ScenarioError(scenario.path, line_of(scenario.text, key), format_path(key), problem)


def executor_table(scenario: Any) -> dict[str, Any]:
    """The scenario's ``[executor]`` table, checked (empty when it has none)."""
    table = tomllib.loads(scenario.text).get("executor")
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise _fail(scenario, ("executor",), "expected a table; write it as [executor]")
    for name, value in table.items():
        key = ("executor", name)
        if name not in KEYS:
            raise _fail(scenario, key, f"unknown key; allowed here: {', '.join(KEYS)}")
        if name == "kind" and value not in EXECUTORS:
            raise _fail(scenario, key, f"{value!r} is not an executor; use one of: {', '.join(EXECUTORS)}")
        if name == "address" and (not isinstance(value, str) or not value.strip()):
            raise _fail(scenario, key, 'expected "auto" or "ray://host:port"')
        if name == "workers" and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise _fail(scenario, key, "expected a whole number of at least 1")
    return table


@contextmanager
def running_on(scenario: Any, kind: str | None, address: str | None, workers: int | None) -> Iterator[Any]:
    """The run's executor (command line over ``[executor]``), current inside the block."""
    table = executor_table(scenario)
    kind = kind or table.get("kind") or "local"
    if kind == "local" and not (address or workers or table):
        yield None  # nothing chosen: exactly today's run
        return
    executor = executor_named(kind, address=address or table.get("address"), workers=workers or table.get("workers"))
    try:
        with using(executor):
            yield executor
    finally:
        executor.close()


def run_on_executor(ctx: Any, scenario: Any, kind: str | None, address: str | None, workers: int | None) -> None:
    """Make the run's executor current until the command's context closes (then close it)."""
    block = running_on(scenario, kind, address, workers)
    block.__enter__()
    ctx.call_on_close(lambda: block.__exit__(None, None, None))
