"""A crowd's transcript keeps every action: only deliveries are bounded, and counted when left out."""

from __future__ import annotations

import logging

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.cli.summary import RunReport, markdown_summary, utterances
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.testing.agent_replies import act_reply, request_agent

QUESTION = "What do you think of the new bus line?"


def _crowd(scripted, size: int, max_deliveries: int | None = None) -> TinyWorld:
    scripted.responder = lambda request: act_reply(("TALK", f"{request_agent(request)} likes the bus line", None))
    world = TinyWorld("Crowd", [TinyPerson(f"P{i}") for i in range(size)], seed=1)
    if max_deliveries is not None:
        world._recorder.max_deliveries = max_deliveries
    world.broadcast(QUESTION)
    world.run(1)
    return world


def _summary(world: TinyWorld) -> str:
    transcript = world.transcript
    report = RunReport(title="Crowd", model="scripted", seed=1, agents=[a.name for a in world.agents],
                       steps_run=1, total_steps=1, utterances=utterances(transcript),
                       omitted_events=world.transcript_omissions)
    return markdown_summary(report, "", {}, transcript)


def _answers(world: TinyWorld) -> set[str]:
    return {e.source for e in world.transcript if e.kind == "agent.action" and e.data.get("type") == "TALK"}


def test_past_the_bound_deliveries_are_counted_and_every_answer_is_kept(scripted, caplog):
    size = 30
    with caplog.at_level(logging.WARNING, logger="tinytroupe"):
        world = _crowd(scripted, size, max_deliveries=100)
    assert _answers(world) == {f"P{i}" for i in range(size)}
    kept = sum(1 for e in world.transcript if e.kind == "agent.stimulus")
    assert kept == 100
    assert world.transcript_omissions == {"agent.stimulus": size + size * (size - 1) - 100}
    assert sum("counted, not kept" in r.getMessage() for r in caplog.records) == 1
    summary = _summary(world)
    assert f"Left out of the transcript: {size + size * (size - 1) - 100:,} agent.stimulus events" in summary
    assert all(f"**P{i}**: P{i} likes the bus line" in summary for i in range(size))


def test_a_small_crowd_leaves_nothing_out(scripted):
    world = _crowd(scripted, 5)
    assert world.transcript_omissions == {}
    assert "Left out" not in _summary(world)


def test_two_thousand_people_answering_one_broadcast_keep_all_their_answers(scripted):
    world = _crowd(scripted, 2000)
    assert _answers(world) == {f"P{i}" for i in range(2000)}
    heard = TinyWorld.crowd_replies_heard
    # the question, the first replies in full and one summary per listener: nothing left out
    assert world.transcript_omissions == {}
    assert sum(1 for e in world.transcript if e.kind == "agent.stimulus") == 2000 + heard * 1999 + 2000
    summary = _summary(world)
    assert sum(1 for line in summary.splitlines() if "likes the bus line" in line) == 2000
    assert "Left out of the transcript" not in summary


def _heard(agent: TinyPerson) -> list[str]:
    return [e.content for e in agent.episodic_memory.retrieve_all(role="stimulus")]


@pytest.mark.parametrize("parallel", [True, False])
def test_a_crowd_member_hears_the_first_replies_in_full_and_a_count_of_the_rest(scripted, parallel):
    scripted.responder = lambda request: act_reply(("TALK", f"{request_agent(request)} likes the bus line", None))
    people = [TinyPerson(f"P{i}") for i in range(80)]
    world = TinyWorld("Crowd", people, seed=1)
    world.crowd_replies_heard = 5
    world.broadcast(QUESTION)
    world.run(1, parallelize=parallel)
    order = [e.source for e in world.transcript if e.kind == "agent.action" and e.data.get("type") == "TALK"]
    first, rest = order[:5], order[5:]
    for person in people:
        heard = _heard(person)
        assert heard[0] == QUESTION
        replies = [t for t in heard if "likes the bus line" in t]
        assert replies == [f"{name} likes the bus line" for name in first if name != person.name]
        count = 75 - (person.name in rest)
        named = [n for n in rest[:4] if n != person.name][:3]
        assert heard[-1].startswith(f"{', '.join(named)} and {count - 3:,} others were also speaking")
        assert len(heard) == 1 + len(replies) + 1
    # the summary is one shared text (two at most: for the speakers it names, and for the others)
    assert len({id(_heard(p)[-1]) for p in people}) <= 5


def test_a_reply_heard_by_a_crowd_is_one_shared_memory_event(scripted):
    world = _crowd(scripted, 120)
    first_reply = [e for e in world.agents[0].episodic_memory.retrieve_all(role="stimulus")
                   if "likes the bus line" in e.content][0]
    sharing = [e for p in world.agents for e in p.episodic_memory.retrieve_all(role="stimulus") if e == first_reply]
    assert len(sharing) >= 100 and all(e is first_reply for e in sharing)


def test_a_room_sized_world_hears_every_reply_in_full(scripted):
    world = _crowd(scripted, TinyWorld.max_everyone_accessible)
    for person in world.agents:
        heard = _heard(person)
        assert len(heard) == 1 + TinyWorld.max_everyone_accessible - 1
        assert not any("also speaking" in t for t in heard)


def test_a_crowds_chatter_queued_for_consolidation_is_not_copied_per_agent(scripted):
    config_manager.update("max_episode_length", 4)
    world = _crowd(scripted, 60)
    queued = [[e for episode in p.memory_keeper.pending for e in episode] for p in world.agents]
    assert all(queued)
    question = [e for events in queued for e in events if e.content == QUESTION]
    assert len(question) == 60 and all(e is question[0] for e in question)
    state = world.agents[0].memory_keeper.to_state()
    assert state["pending"][0][0] == question[0].to_dict()
    assert type(world.agents[0].memory_keeper).from_state(state).to_state() == state
