"""Events have owners: a world and its fork running at once keep separate transcripts and costs."""

from __future__ import annotations

import asyncio

from tinytroupe import events, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.testing.agent_replies import talk_responder


def _world():
    llm.set_default_model(llm.ScriptedModel(responder=talk_responder()))
    people = [TinyPerson(n) for n in ("Ann", "Bob")]
    world = TinyWorld("Cafe", people, seed=3)
    world.broadcast("Which coffee should we buy?")
    return world


def test_world_and_fork_running_concurrently_keep_their_own_events_and_costs():
    world = _world()
    fork = world.fork("Cafe B")
    before_world, before_fork = len(world.transcript), len(fork.transcript)

    async def both():
        await asyncio.gather(world.arun(1), fork.arun(1))

    with events.collect(["agent.action"]) as seen:
        asyncio.run(both())
    assert len(seen.events) == 4 * 2  # two agents, TALK + DONE each, in each world
    for w in (world, fork):
        actions = [e for e in w.transcript if e.kind == "agent.action"]
        assert len(actions) == 4 and all(e.world_id == w.id for e in actions)
        assert w.cost_stats()["total"]["calls"] == 2  # only its own two turns
    assert world.id != fork.id
    assert len(world.transcript) - before_world == len(fork.transcript) - before_fork


def test_a_stimulus_sent_outside_run_lands_in_its_worlds_transcript():
    world = _world()
    other = TinyWorld("Elsewhere", [TinyPerson("Cy")])
    ann = world.get_agent_by_name("Ann")
    ann.listen("A note slipped under the door.")
    said = [e for e in world.transcript if e.kind == "agent.stimulus" and "note" in e.payload.content]
    assert len(said) == 1 and said[0].world_id == world.id
    assert not [e for e in other.transcript if e.kind == "agent.stimulus" and "note" in e.payload.content]


def test_events_outside_any_world_have_no_owner():
    with events.collect(["agent.stimulus"]) as seen:
        TinyPerson("Loner").listen("hello")
    assert seen.events[0].world_id is None and seen.events[0].simulation_id is None
