"""Factory drafts on an executor: each wave's personas written in shards, settled on the driver.

The driver keeps everything that makes a population what it is: the sampling plan, each
person's seed, the names taken and the near-duplicate checks, and the order in which drafts
are settled (job order). Workers only write drafts: a draft depends on its job (its drawn
characteristics, seed, attempt, the names to avoid, the problem to fix) and nothing else,
so the people are the same whatever the shard count, and the same as in one process.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Sequence
from typing import Any

from tinytroupe import errors
from tinytroupe.errors import LLMError, SpecificationError
from tinytroupe.factory.generation import Job, Outcome, draft_persona
from tinytroupe.factory.population import Dimension
from tinytroupe.factory.prompting import PersonRequest
from tinytroupe.fanout import ShardExecutor, shard_task, split, task_name

__all__ = ["Drafted", "draft_shard", "draft_on"]


class Drafted:
    """A persona written on a worker (what :class:`GeneratedPersona` gives the settle step)."""

    def __init__(self, persona: dict[str, Any]):
        self._persona = persona

    def to_persona(self) -> dict[str, Any]:
        return copy.deepcopy(self._persona)


def _job_data(job: Job, request: PersonRequest) -> dict[str, Any]:
    return {"index": job.index, "characteristics": job.characteristics, "seed": job.seed, "fixed": job.fixed,
            "attempts_used": job.attempts_used, "context": request.context, "population": request.population,
            "particularities": request.particularities, "avoid_names": list(request.avoid_names),
            "problem": request.problem}


def _error(data: dict[str, Any]) -> LLMError:
    cls = getattr(errors, str(data.get("type")), None)
    if not (isinstance(cls, type) and issubclass(cls, LLMError)):
        cls = LLMError
    try:
        return cls(str(data.get("message", "")))
    except TypeError:
        return LLMError(str(data.get("message", "")))


@shard_task
async def draft_shard(payload: dict[str, Any], shared: dict[str, Any]) -> list[dict[str, Any]]:
    """One shard of a wave: a persona (or a recoverable error, as data) per job."""
    from tinytroupe.llm import default_model

    model = shared.get("model") or default_model()
    dims = [Dimension.from_dict(d) for d in shared["dimensions"]]
    limit = asyncio.Semaphore(int(shared["concurrency"]))

    async def one(data: dict[str, Any]) -> dict[str, Any]:
        job = Job(index=data["index"], characteristics=data["characteristics"], seed=data["seed"],
                  fixed=data["fixed"], attempts_used=data["attempts_used"])
        request = PersonRequest(characteristics=data["characteristics"], context=data["context"],
                                population=data["population"], particularities=data["particularities"],
                                avoid_names=data["avoid_names"], problem=data["problem"], dimensions=dims)
        outcome = await draft_persona(model, request, job, temperature=shared["temperature"], limit=limit,
                                      tags=shared["tags"], detail=shared["detail"])
        if isinstance(outcome, LLMError):
            return {"error": {"type": type(outcome).__name__, "message": str(outcome)}}
        return {"persona": outcome.to_persona()}

    return list(await asyncio.gather(*(one(d) for d in payload["jobs"])))


async def draft_on(executor: ShardExecutor, jobs: Sequence[Job], requests: Sequence[PersonRequest],
                   shared: dict[str, Any]) -> list[Outcome | Drafted]:
    """The drafts of ``jobs`` (one per job, in job order), written on ``executor``'s workers.

    ``shared``: temperature, tags, detail, concurrency (per shard), dimensions, model.
    """
    if shared.get("model") is not None and executor.name != "local":
        raise SpecificationError("TinyPersonFactory: a model given in code cannot travel to "
                                 f"{executor.name} workers; they use the runtime's configured model")
    data = [_job_data(job, request) for job, request in zip(jobs, requests, strict=True)]
    payloads = [{"jobs": shard} for shard in split(data, executor.workers)]
    drafted = await executor.map(task_name(draft_shard), payloads, shared)
    return [Drafted(d["persona"]) if "persona" in d else _error(d["error"]) for shard in drafted for d in shard]
