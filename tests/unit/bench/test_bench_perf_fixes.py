"""Behaviour kept by the performance fixes that the benchmarks led to (nothing here is timed)."""

from __future__ import annotations

import asyncio

from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.llm.base import ChatRequest, Message
from tinytroupe.llm.json_extract import extract_json
from tinytroupe.llm.providers import openai_compat
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.testing.loopback_server import LoopbackServer


def test_room_sized_world_connects_everyone_and_a_crowd_does_not():
    room = TinyWorld("Room", [TinyPerson(f"R{i}") for i in range(TinyWorld.max_everyone_accessible)])
    assert all(len(a.accessible_agents) == len(room.agents) - 1 for a in room.agents)
    crowd = TinyWorld("Crowd", [TinyPerson(f"C{i}") for i in range(TinyWorld.max_everyone_accessible + 1)])
    assert all(a.accessible_agents == [] for a in crowd.agents)
    crowd.make_everyone_accessible()  # still possible on request
    assert len(crowd.agents[0].accessible_agents) == len(crowd.agents) - 1


def test_agents_joining_one_by_one_stop_being_connected_past_the_limit():
    world = TinyWorld("Growing")
    for i in range(TinyWorld.max_everyone_accessible + 2):
        world.add_agent(TinyPerson(f"G{i}"))
    first, last = world.agents[0], world.agents[-1]
    assert len(first.accessible_agents) == TinyWorld.max_everyone_accessible - 1
    assert last.accessible_agents == []


def test_extract_json_plain_and_wrapped_replies_unchanged():
    assert extract_json(' {"a": [1, 2]} ') == {"a": [1, 2]}
    assert extract_json('Sure: ```json\n{"a": 1,}\n``` done') == {"a": 1}
    assert extract_json("prefix {\"b\": \"}\"} suffix") == {"b": "}"}


def _chat() -> ChatRequest:
    return ChatRequest(messages=[Message(role="user", content="hello")])


def test_openai_model_spreads_concurrent_calls_over_small_pools(monkeypatch):
    monkeypatch.setattr(openai_compat, "REQUESTS_PER_CLIENT", 4)
    with LoopbackServer(latency=0.2) as server:
        model = OpenAIModel(api_key="k", base_url=server.base_url, model="m", timeout=10)
        model.plain_http = False  # the SDK path (what https servers get)

        async def burst() -> tuple[list[str], int]:
            replies = await asyncio.gather(*(model.complete(_chat()) for _ in range(10)))
            clients = model._loop_clients()
            count = len(clients.clients)
            assert clients.busy == [0] * count
            await model.aclose()
            return [r.text for r in replies], count

        texts, clients = asyncio.run(burst())
        assert len(texts) == 10 and all(texts) and clients == 3
        assert server.max_in_flight == 10


def test_openai_model_reads_text_usage_and_model_of_a_reply_on_both_paths():
    with LoopbackServer(responder=lambda body: "plain words") as server:
        for plain in (True, False):
            model = OpenAIModel(api_key="k", base_url=server.base_url, model="m", timeout=10)
            assert model.plain_http  # a plain-http server gets the lean client by default
            model.plain_http = plain
            completion = asyncio.run(model.complete(_chat()))
            assert completion.text == "plain words" and completion.usage.input_tokens > 0
            assert completion.model == "m" and completion.finish_reason == "stop" and completion.provider == "openai"


def test_people_sharing_a_relation_are_listed_with_it_once():
    from tinytroupe.agent.prompt import render_situation

    ann, bob, cy, dee = (TinyPerson(n) for n in ("Ann", "Bob", "Cy", "Dee"))
    ann.make_agents_accessible([bob, cy], "a colleague")
    ann.make_agent_accessible(dee, "her sister")
    line = next(x for x in render_situation(ann).splitlines() if x.startswith("People"))
    assert line == "People you can interact with: Bob, Cy (a colleague); Dee (her sister)"
