"""A crowd's transcript keeps every action: only deliveries are bounded, and counted when left out."""

from __future__ import annotations

import logging

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.cli.summary import RunReport, markdown_summary, utterances
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


@pytest.mark.slow
@pytest.mark.timeout(1200)  # about 4 minutes on 2 shared cores: 4 million deliveries into agents' memories
def test_two_thousand_people_answering_one_broadcast_keep_all_their_answers(scripted):
    world = _crowd(scripted, 2000)
    assert _answers(world) == {f"P{i}" for i in range(2000)}
    assert world.transcript_omissions["agent.stimulus"] > 0
    summary = _summary(world)
    assert sum(1 for line in summary.splitlines() if "likes the bus line" in line) == 2000
    assert "Left out of the transcript" in summary
