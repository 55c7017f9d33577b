"""Shared helpers for the control tests: a 10-step, 3-agent scenario to rerun, a jittery model, personas."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tinytroupe import control, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.testing.agent_replies import talk_responder
from tinytroupe.testing.schema_sample import sample_from_schema

START = datetime(2025, 1, 6, 9, 0)


class JitteryModel:
    """A scripted model whose replies arrive after random delays, so concurrent agents finish in any order."""

    name = "jittery"
    endpoint = "scripted://jittery"
    default_model = "jittery"

    def __init__(self, inner: llm.ScriptedModel, seed: int):
        self.inner = inner
        self._rng = random.Random(seed)

    async def complete(self, request: Any) -> Any:
        await asyncio.sleep(self._rng.random() * 0.01)
        return await self.inner.complete(request)

    async def aclose(self) -> None:
        return None


@dataclass
class Outcome:
    """What one run of the scenario did."""

    requests: int
    state: dict[str, Any]
    hits: int
    misses: int
    prompts: list[str]


def fresh_process() -> llm.ScriptedModel:
    """Forget every agent and world, and install a new deterministic scripted model."""
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    model = llm.ScriptedModel(responder=talk_responder())
    llm.set_default_model(model)
    return model


def run_scenario(path: Any, *, last: str = "Time is up: state your decision.", insert_at: int | None = None,
                 extra_step_at: int | None = None, parallel: bool = False,
                 jitter_seed: int | None = None, chunk: int = 1,
                 auto_checkpoint: bool = False) -> Outcome:
    """Ann, Bob and Cy discuss for 10 steps; a broadcast comes before step 10 (and one before ``insert_at``;
    ``extra_step_at`` inserts an 11th step there).

    Steps 1-9 run ``chunk`` at a time (``world.run(chunk)``); step 10 runs alone.
    """
    model = fresh_process()
    if jitter_seed is not None:
        llm.set_default_model(JitteryModel(model, jitter_seed))
    simulation = control.begin(path, auto_checkpoint=auto_checkpoint)
    agents = [TinyPerson(name) for name in ("Ann", "Bob", "Cy")]
    agents[0].define("occupation", {"title": "Barista"})
    world = TinyWorld("Cafe", agents, initial_datetime=START, seed=7)
    world.broadcast("Should the cafe buy the new espresso machine?")
    starts = sorted(set(range(1, 10, chunk)) | {s for s in (insert_at, extra_step_at) if s})
    for index, first in enumerate(starts):
        if first == insert_at:
            world.broadcast("News: the supplier doubled its prices.")
        if first == extra_step_at:
            world.run(1, timedelta(minutes=10), parallelize=parallel)
        stop = starts[index + 1] if index + 1 < len(starts) else 10
        world.run(stop - first, timedelta(minutes=10), parallelize=parallel)
    world.broadcast(last)
    world.run(1, timedelta(minutes=10), parallelize=parallel)
    state = world.encode_complete_state()
    control.end()
    prompts = ["\n".join(m.content for m in r.messages) for r in model.requests]
    return Outcome(model.calls, state, simulation.cache_hits, simulation.cache_misses, prompts)


def persona_responder(request: Any) -> dict[str, Any]:
    """A schema-valid persona derived from the request's seed (so reruns get the same people)."""
    rng = random.Random(request.seed)
    persona = sample_from_schema(request.response_format.json_schema, rng)
    persona["name"] = f"Person {rng.randrange(10**6)}"
    return persona
