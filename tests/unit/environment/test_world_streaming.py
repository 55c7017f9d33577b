"""A parallel step streams its agents' turns: a few at a time, in order, with the same result as
all at once, and an error stops the agents not yet started."""

from __future__ import annotations

import json

import pytest

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.llm.streaming import MIN_MARGIN


def _record(ceiling: int) -> list[str]:
    config_manager.update("max_concurrent_model_calls", ceiling)
    llm.set_default_model(llm.ScriptedModel())
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    people = [TinyPerson(f"P{i:02d}") for i in range(40)]
    world = TinyWorld("Hall", people, seed=4)
    world.broadcast("Say something to someone.")
    world.run(2)
    return [json.dumps({k: v for k, v in e.to_dict().items() if k not in ("seq", "wall_time")}, sort_keys=True,
                       default=str) for e in world.transcript] + [json.dumps(world.encode_complete_state(),
                                                                           sort_keys=True, default=str)]


def test_a_narrow_stream_gives_the_transcript_and_state_of_a_wide_one():
    narrow = _record(1)  # 17 turns under way at once: the 40 agents in three waves and more
    wide = _record(256)  # all 40 at once
    assert narrow == wide


def test_an_error_stops_the_agents_not_yet_started(fake):
    config_manager.update("max_concurrent_model_calls", 1)
    people = [fake(f"F{i:03d}", delay=0.01) for i in range(200)]
    world = TinyWorld("Room", people, seed=1)
    people[5].error = RuntimeError("broken agent")
    order_started = []
    for p in people:
        original = p.aact

        async def aact(*args, _p=p, _original=original, **kwargs):
            order_started.append(_p.name)
            return await _original(*args, **kwargs)

        p.aact = aact
    with pytest.raises(RuntimeError, match="broken agent"):
        world.run(1, randomize_agents_order=False)
    assert order_started[:10] == [p.name for p in people[:10]]  # started in the step's order
    assert len(order_started) <= 5 + 1 + MIN_MARGIN + 1  # those before the error and the bound's width
