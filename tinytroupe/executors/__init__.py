"""Where work runs: ``local`` (asyncio in this process, the default) or ``ray`` (a Ray cluster).

::

    from tinytroupe.executors import executor_named
    with executor_named("ray", address="auto", workers=8) as ex:
        result = survey.run(people, executor=ex)        # respondents sharded over 8 workers
        people = factory.generate_people(1000, executor=ex)
        experiment.run(executor=ex)                     # arms x seeds as Ray tasks
        with shard_world(world, ex, shards=4):          # the world's agents held by 4 Ray actors
            world.run(3)                                # same transcript and final state as locally

Both executors implement :class:`tinytroupe.fanout.ShardExecutor`; the layers that fan out
(surveys, the factory, experiment runners) take ``executor=`` and give the same results on
either. Importing this package never imports Ray; asking for it without Ray installed raises
:class:`~tinytroupe.errors.MissingExtraError` naming ``pip install -e ".[ray]"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tinytroupe.errors import ConfigError, MissingExtraError
from tinytroupe.executors.local import LocalExecutor
from tinytroupe.fanout import chosen

__all__ = ["LocalExecutor", "RayExecutor", "executor_named", "shard_world", "EXECUTORS", "RAY_INSTALL"]

EXECUTORS = ("local", "ray")
RAY_INSTALL = 'pip install -e ".[ray]"'


def _ray_module() -> Any:
    try:
        import ray  # noqa: F401
    except ImportError:
        raise MissingExtraError(f"the Ray executor needs Ray, which is not installed: {RAY_INSTALL} "
                                "(or pip install \"tinytroupe[ray]\")") from None
    from tinytroupe.executors import ray_executor

    return ray_executor


def executor_named(name: str | None, *, address: str | None = None, workers: int | None = None,
                   **options: Any) -> Any:
    """The executor called ``name`` (``local``, the default, or ``ray``) with its options."""
    kind = (name or "local").strip().lower()
    if kind == "local":
        if address:
            raise ConfigError(f"executor 'local' takes no address (got {address!r}); use --executor ray")
        return LocalExecutor(workers or 1)
    if kind == "ray":
        return _ray_module().RayExecutor(address=address, workers=workers, **options)
    raise ConfigError(f"executor {name!r} is unknown; use one of {', '.join(EXECUTORS)}")


@contextmanager
def shard_world(world: Any, executor: Any = None, shards: int | None = None) -> Iterator[Any]:
    """Inside this block ``world``'s agents are held by Ray actors, ``shards`` of them (default: the
    executor's workers), when ``executor`` (or the current one) is a Ray executor; else nothing
    changes and the world runs in this process. Leaving it puts the agents back, in their final states."""
    executor = chosen(executor)
    if executor is None or getattr(executor, "name", "") != "ray":
        yield None
        return
    _ray_module()
    from tinytroupe.executors.world_shards import WorldShards

    group = WorldShards(world, executor, shards).start()
    try:
        yield group
    finally:
        group.close()


def __getattr__(name: str) -> Any:
    if name == "RayExecutor":
        return _ray_module().RayExecutor
    raise AttributeError(f"module 'tinytroupe.executors' has no attribute {name!r}")
