"""Transcripts (recorded, saved as JSONL, read back, reproducible), cost statistics and world state."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tinytroupe import contracts, events
from tinytroupe.environment import TinySocialNetwork, TinyWorld
from tinytroupe.environment.state import rng_state_from_json
from tinytroupe.errors import StateError


def comparable(transcript):
    return [(e.kind, e.source, e.data, e.sim_time) for e in transcript]


def chat_world(fake, seed, parallel, name="Chat"):
    agents = [
        fake("Ann", [[("TALK", "hi Bob", "Bob")], [("THINK", "ok", "")]]),
        fake("Bob", [[("TALK", "hi all", "")], [("REACH_OUT", "", "Cy")]], delay=0.002),
        fake("Cy", [[("TALK", "yo Ann", "Ann")], [("TALK", "bye", "Bob")]]),
    ]
    world = TinyWorld(name, agents, initial_datetime=datetime(2025, 1, 1, 8), seed=seed)
    world.run_minutes(2, parallelize=parallel)
    return world


@pytest.mark.parametrize("parallel", [True, False])
def test_same_seed_same_transcript(fake, parallel):
    first = comparable(chat_world(fake, 4, parallel).transcript)
    second = comparable(chat_world(fake, 4, parallel).transcript)
    assert first == second
    kinds = {k for k, *_ in first}
    assert {"world.step", "agent.action", "agent.stimulus"} <= kinds


def test_parallel_transcript_files_actions_in_the_step_order(fake):
    world = chat_world(fake, 9, True)
    actions = world.run(1, return_actions=True, parallelize=True)
    order = list(actions[0])
    last_step = [e for e in world.transcript if e.kind == "agent.action"][-3:]
    assert [e.source for e in last_step] == order


def test_transcript_keeps_only_this_worlds_events(fake):
    world = chat_world(fake, 1, True)
    before = len(world.transcript)
    events.emit(contracts.AgentAction("Stranger", "TALK", "?", ""), source="Stranger")
    world.broadcast("from outside")  # recorded: the world is doing it
    assert len(world.transcript) == before + 3  # all three heard it
    assert all(e.source in {"Chat", "Ann", "Bob", "Cy"} for e in world.transcript)


def test_transcript_round_trips_through_jsonl(fake, tmp_path):
    world = chat_world(fake, 2, False)
    path = world.save_transcript(str(tmp_path / "out" / "chat.jsonl"))
    lines = (tmp_path / "out" / "chat.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(world.transcript) and json.loads(lines[0])["kind"] == "world.step"
    assert comparable(TinyWorld.load_transcript(path)) == comparable(world.transcript)


def test_bad_transcripts_say_where(tmp_path):
    with pytest.raises(StateError, match="not found"):
        TinyWorld.load_transcript(str(tmp_path / "none.jsonl"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "world.step"}\n{"kind": \n', encoding="utf-8")
    with pytest.raises(StateError, match="line 2"):
        TinyWorld.load_transcript(str(bad))


def test_cost_statistics_per_agent(fake):
    world = TinyWorld("Shop", [fake("Ann"), fake("Bob")])

    def call(agent, cached=False, cost=None, **tags):
        events.emit(contracts.LLMCall("scripted", "m", 100, 10, cached, {"agent": agent, **tags}, cost),
                    source="scripted")

    elsewhere = TinyWorld("Elsewhere", [fake("Zoe")])
    with world.recording():
        call("Ann", cost=0.01)
        call("Ann", cached=True, cost=0.0)
        call("Bob")
        with elsewhere.recording():
            call("Zoe")  # owned by another world
    stats = world.cost_stats()
    assert stats["total"]["calls"] == 3 and stats["total"]["cached_calls"] == 1
    ann = stats["agents"]["Ann"]
    assert (ann["calls"], ann["cached_calls"], ann["input_tokens"], ann["output_tokens"]) == (2, 1, 200, 20)
    assert ann["cost"] == pytest.approx(0.01) and ann["unpriced_calls"] == 0
    assert stats["agents"]["Bob"]["cost"] is None and "Zoe" not in stats["agents"]
    call("Ann")  # outside any world activity: not counted
    assert world.cost_stats()["agents"]["Ann"]["calls"] == 2
    text = world.pretty_cost_summary()
    assert text.startswith("Shop:") and "agent Ann" in text and "$0.0100" in text and "unknown" in text


def test_world_state_round_trips_exactly(fake):
    world = chat_world(fake, 6, False)
    state = world.encode_complete_state()
    assert json.loads(json.dumps(state)) == state
    assert state["name"] == "Chat" and state["simulation_step"] == 2
    assert state["current_datetime"] == "2025-01-01T08:02:00"
    copy = TinyWorld("Other", [fake("Ann"), fake("Bob"), fake("Cy")])
    copy.decode_complete_state(state)
    assert copy.encode_complete_state() == state
    assert copy.name == "Chat" and TinyWorld.get_environment_by_name("Chat") is copy
    assert all(agent.environment is copy for agent in copy.agents)


def test_restored_random_state_continues_the_same_order(fake):
    names = ("Ann", "Bob", "Cy", "Dee", "Eve")
    world = TinyWorld("Room", [fake(n) for n in names], seed=21)
    world.run(2, parallelize=False)
    state = world.encode_complete_state()
    expected = [list(s) for s in world.run(3, parallelize=False, return_actions=True)]
    again = TinyWorld("Room", [fake(n) for n in names], seed=999).decode_complete_state(state)
    assert [list(s) for s in again.run(3, parallelize=False, return_actions=True)] == expected


def test_bad_state_names_the_field(fake):
    world = TinyWorld("Room", [fake("Ann")])
    state = world.encode_complete_state()
    with pytest.raises(StateError, match="rng_state"):
        world.decode_complete_state({**state, "rng_state": [3, [1, 2], None]})
    with pytest.raises(StateError, match="simulation_step"):
        world.decode_complete_state({k: v for k, v in state.items() if k != "simulation_step"})
    with pytest.raises(StateError, match="newer"):
        world.decode_complete_state({**state, "version": 99})
    assert rng_state_from_json(state["rng_state"])[0] == 3


def test_network_state_keeps_relations(fake):
    ann, bob, cy = fake("Ann"), fake("Bob"), fake("Cy")
    net = TinySocialNetwork("Net", seed=1).add_relation(ann, bob, "friends").add_relation(bob, cy, "work")
    state = net.encode_complete_state()
    assert state["relations"] == {"friends": [["Ann", "Bob"]], "work": [["Bob", "Cy"]]}
    other = TinySocialNetwork("Net2", agents=[fake("Ann"), fake("Bob"), fake("Cy")])
    other.decode_complete_state(state)
    assert other.encode_complete_state() == state
    assert other.is_in_relation_with(other.get_agent_by_name("Cy"), other.get_agent_by_name("Bob"), "work")
    with pytest.raises(StateError, match="relations"):
        other.decode_complete_state({**state, "relations": {"x": [["Ann", "Nobody"]]}})
