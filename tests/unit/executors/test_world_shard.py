"""A world shard's host without Ray: agents rebuilt from their states, deliveries and turns, and
the events they emit handed back as data for the driver to file."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.contracts import Stimulus, StimulusKind
from tinytroupe.errors import ConfigError
from tinytroupe.executors.world_shard import OtherAgent, ShardHost, encode_arg
from tinytroupe.testing.agent_replies import act_reply


@pytest.fixture
def host(scripted):
    TinyPerson.clear_agents()
    states = [dict(TinyPerson(name).encode_complete_state()) for name in ("Ana", "Bo")]
    TinyPerson.clear_agents()
    shard = ShardHost("Square", "Square")
    assert [a["name"] for a in shard.load(states)] == ["Ana", "Bo"]
    yield shard
    shard.close()


def test_deliveries_reach_the_agents_and_their_events_come_back_in_order(host):
    noon = datetime(2025, 1, 6, 12)
    shared = encode_arg(Stimulus(StimulusKind.CONVERSATION, "Hello all", "Cy"))
    got = host.deliver([["hear", "Ana", [shared, "Hello all", "Cy"], {}, noon],
                        ["listen", "Bo", ["Psst"], {"source": {"$agent": "Ana"}}, noon],
                        ["make_agent_accessible", "Bo", [{"$agent": "Cy"}], {}, noon]])
    assert [[e["data"]["content"] for e in events] for events in got] == [["Hello all"], ["Psst"], []]
    assert got[0][0]["world_id"] == "Square" and got[0][0]["sim_time"] == noon.isoformat()
    assert got[1][0]["data"]["sender"] == "Ana"
    bo = host.world.name_to_agent["Bo"]
    assert "Cy" in bo.accessible_agent_relations()
    assert [s["persona"]["name"] for s in host.states(["Bo"])] == ["Bo"]
    with pytest.raises(ConfigError, match="does not forward"):
        host.deliver([["aact", "Bo", [], {}, noon]])


def test_turns_come_back_by_agent_with_their_actions_and_events(host, scripted):
    scripted.queue(act_reply(("TALK", "Hi Bo", "Bo")), act_reply(("THINK", "Hm.")))
    got = asyncio.run(host.turns(["Ana", "Bo"], None, None))
    assert set(got) == {"Ana", "Bo"}
    for name, result in got.items():
        assert "error" not in result and result["acted"]
        assert {e["source"] for e in result["events"] if e["kind"].startswith("agent.")} == {name}
        assert any(e["kind"] == "llm.call" for e in result["events"])


def test_another_shards_agent_is_known_by_name():
    assert str(OtherAgent("Dee")) == "Dee" and OtherAgent("Dee").name == "Dee"
