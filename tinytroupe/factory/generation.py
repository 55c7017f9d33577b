"""Generating a batch of people concurrently, with results that do not depend on timing.

Each person is a :class:`Job`. A wave sends one request per pending job at once (bounded by a
semaphore), then settles the replies strictly in job order, as soon as each one's turn comes:
a job is accepted, or sent back for the next wave (taken name, near duplicate, failed reply).
Because settling follows job order and never the order replies arrive in, the same seed and
the same model replies give the same people, however the calls interleave.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tinytroupe.errors import AuthenticationError, LLMError, NoModelConfiguredError
from tinytroupe.factory.persona_schema import MAX_PERSONA_TOKENS, GeneratedPersona, persona_schema
from tinytroupe.factory.prompting import PersonRequest, person_messages
from tinytroupe.llm import agenerate
from tinytroupe.llm.base import LLMModel

__all__ = ["Job", "Outcome", "run_waves", "draft_persona"]

Outcome = GeneratedPersona | LLMError


@dataclass
class Job:
    """One person to generate: the drawn characteristics and everything retries need."""

    index: int
    characteristics: dict[str, Any]
    seed: int
    fixed: dict[str, Any] = field(default_factory=dict)
    avoid_names: list[str] = field(default_factory=list)
    problem: str | None = None
    attempts_used: int = 0
    failures: int = 0


def _fatal(exc: BaseException) -> bool:
    """Errors no retry can fix: they stop the whole batch."""
    return isinstance(exc, (AuthenticationError, NoModelConfiguredError)) or not isinstance(exc, LLMError)


async def draft_persona(model: LLMModel, request: PersonRequest, job: Job, *, temperature: float,
                        limit: asyncio.Semaphore, tags: dict[str, str], detail: str = "full") -> Outcome:
    """Ask the model for one person; a recoverable LLM failure is returned, not raised."""
    seed = (job.seed + 7919 * job.attempts_used) % 2**31
    async with limit:
        try:
            result = await agenerate(model, person_messages(request), GeneratedPersona,
                                     schema=persona_schema(job.fixed, detail), temperature=temperature,
                                     max_tokens=MAX_PERSONA_TOKENS[detail], seed=seed, tags=tags)
        except LLMError as exc:
            if _fatal(exc):
                raise
            return exc
    return result.value


def _done(value: Any) -> asyncio.Future:
    future = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


Settle = Callable[[Job, Outcome, bool], bool]
"""settle(job, outcome, last_chance) -> True when the job is finished (accepted or given up)."""


async def run_waves(jobs: Sequence[Job], draft: Callable[[Job], Awaitable[Outcome]], settle: Settle,
                    *, attempts: int, draft_wave: Callable[[list[Job]], Awaitable[list[Any]]] | None = None) -> None:
    """Draft every job, settle in job order, redraft the ones sent back; see the module doc.

    ``draft_wave(jobs)`` drafts a whole wave at once instead (an executor's shards), settled
    in job order the same way.
    """
    pending = list(jobs)
    while pending:
        if draft_wave is not None:
            outcomes = await draft_wave(pending)
            tasks = [_done(outcome) for outcome in outcomes]
        else:
            tasks = [asyncio.create_task(draft(job)) for job in pending]
        again: list[Job] = []
        try:
            for job, task in zip(pending, tasks, strict=True):
                outcome = await task
                job.attempts_used += 1
                if not settle(job, outcome, job.attempts_used >= max(1, attempts)):
                    again.append(job)
        finally:
            for task in tasks:
                if not task.done():
                    task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        pending = again
