"""While a world runs, a turn's retrieval query is embedded beside its request and consolidation
runs between steps; the run is the same whatever the latencies, and a run ends with nothing pending."""

from __future__ import annotations

import asyncio
import hashlib

import numpy as np
import pytest

from tinytroupe import events, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.agent.memory_keeper import MemoryKeeper
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.llm.embeddings import Embeddings, set_default_embedder
from tinytroupe.memory.background import memory_in_background
from tinytroupe.testing.agent_replies import act_reply, is_turn_request, request_agent, request_targets

TOPICS = ["boats", "bread", "trains", "chess", "music", "soup"]


class Embedder:
    """A dense embedder that answers after ``latency`` seconds and logs when each request starts and ends."""

    name, endpoint, default_model, kind = "test", "test://", "hashed-32", "dense"

    def __init__(self, log: list[tuple[str, str]], latency: float = 0.0):
        self.log, self.latency = log, latency

    async def embed(self, request):
        agent = request.tags.get("agent", "")
        self.log.append(("embed start", agent))
        if self.latency:
            await asyncio.sleep(self.latency)
        self.log.append(("embed end", agent))
        rows = np.zeros((len(request.texts), 32), dtype=np.float32)
        for i, text in enumerate(request.texts):
            for word in text.lower().split():
                rows[i, int(hashlib.sha256(word.encode()).hexdigest()[:6], 16) % 32] += 1
        return Embeddings(rows, self.default_model)

    async def aclose(self):
        return None


def _responder(log: list[tuple[str, str]]):
    def respond(request):
        if request.tags.get("purpose") == "consolidation":
            episode = request.messages[-1].content
            return {"items": [{"kind": "fact", "content": f"We talked about {t}."} for t in TOPICS if t in episode]}
        if is_turn_request(request):
            log.append(("chat start", request_agent(request)))
            size = len(request.messages[-1].content)
            return act_reply(("TALK", f"Let us talk about {TOPICS[size % len(TOPICS)]}.", request_targets(request)[0]))
        return "(text)"
    return respond


@pytest.fixture
def setup():
    config_manager.update_multiple({"max_episode_length": 4,
                                    "enable_continuous_contextual_semantic_memory_retrieval": True})

    def make(chat_latency: float = 0.0, embed_latency: float = 0.0):
        log: list[tuple[str, str]] = []
        model = llm.ScriptedModel(responder=_responder(log), latency=chat_latency)
        llm.set_default_model(model)
        set_default_embedder(Embedder(log, embed_latency), wrap=False)
        TinyWorld.clear_environments()
        TinyPerson.clear_agents()
        world = TinyWorld("Talk", [TinyPerson("Ana"), TinyPerson("Bob")], seed=4)
        world.broadcast("Talk about anything.")
        return world, model, log
    return make


def _prompts(requests) -> dict[str, list[str]]:
    by_agent: dict[str, list[str]] = {}
    for request in requests:
        if is_turn_request(request):
            by_agent.setdefault(request_agent(request), []).append(request.messages[-1].content)
    return by_agent


def test_the_query_is_embedded_beside_the_turns_request_not_before_it(setup):
    world, _, log = setup(chat_latency=0.02, embed_latency=0.02)
    unsubscribe = events.subscribe(lambda e: log.append(("step", "")), ("world.step",))
    try:
        world.run(10)
    finally:
        unsubscribe()
    steps = [i for i, (what, _) in enumerate(log) if what == "step"] + [len(log)]
    checked = 0
    for begin, end in zip(steps, steps[1:], strict=False):
        step = log[begin:end]
        embeds = [i for i, (what, _) in enumerate(step) if what == "embed end"]
        if embeds:
            # both agents' queries in one request, and both requests went out before it came back
            assert len(embeds) == 1 and step[embeds[0]] == ("embed end", ""), step
            assert step.index(("chat start", "Ana")) < embeds[0] and step.index(("chat start", "Bob")) < embeds[0]
            checked += 1
    assert checked >= 4


def test_a_run_is_the_same_whatever_the_latencies(setup):
    world, model, _ = setup()
    world.run(10)
    quick = _prompts(model.requests)
    world, model, _ = setup(chat_latency=0.005, embed_latency=0.03)  # embeddings slower than turns
    world.run(10)
    slow = _prompts(model.requests)
    assert quick == slow
    assert any("Memories that come to mind now:" in p for p in quick["Ana"])


def test_a_run_ends_with_every_episode_consolidated_and_stored(setup):
    world, model, _ = setup(chat_latency=0.01)
    world.run(6)
    for person in world.agents:
        keeper = person.memory_keeper
        assert keeper.consolidating == [] and "consolidating" not in keeper.to_state()
        assert keeper.consolidations == keeper.episodes - len(keeper.pending) > 0
        assert len(person.semantic_memory) > 0
    calls = sum(r.tags.get("purpose") == "consolidation" for r in model.requests)
    assert calls == sum(p.memory_keeper.consolidations for p in world.agents)


def test_a_world_forked_between_steps_goes_on_as_the_original_does(setup):
    world, model, _ = setup(chat_latency=0.005, embed_latency=0.01)

    async def original():
        async with memory_in_background():
            await world.arun(5)
            states = {p.name: p.memory_keeper.to_state() for p in world.agents}
            fork = world.fork("Talk B")
            mark = len(model.requests)
            await world.arun(5)
            return states, fork, mark

    states, fork, mark = asyncio.run(original())
    assert any(s.get("consolidating") or s.get("ahead") for s in states.values())  # work was in flight
    continued = _prompts(model.requests[mark:])
    end = len(model.requests)
    fork.run(5)
    assert _prompts(model.requests[end:]) == continued


def test_the_background_state_round_trips():
    keeper = MemoryKeeper.from_state({
        "pending": [], "consolidations": 2, "episodes": 3, "relevant": [], "biography": None, "ahead": "boats",
        "consolidating": [{"turns_left": 1, "context": "at sea",
                           "episodes": [[{"role": "stimulus", "type": "CONVERSATION", "content": "hi"}]]}]})
    state = keeper.to_state()
    assert state["ahead"] == "boats" and state["consolidating"][0]["turns_left"] == 1
    assert MemoryKeeper.from_state(state).to_state() == state
    assert "ahead" not in MemoryKeeper().to_state() and "consolidating" not in MemoryKeeper().to_state()


def test_a_failed_run_leaves_its_background_work_in_the_state_and_the_next_run_finishes_it(setup):
    from tinytroupe.errors import AuthenticationError

    world, model, log = setup(chat_latency=0.005, embed_latency=0.01)
    world.run(5)
    good = model.responder
    model.responder = lambda request: AuthenticationError("key refused") if is_turn_request(request) else good(request)
    with pytest.raises(AuthenticationError):
        world.run(1)
    assert all(p.memory_keeper.ahead for p in world.agents)  # the queries being embedded were cancelled
    model.responder = good
    mark = len(model.requests)
    world.run(2)
    prompts = _prompts(model.requests[mark:])
    assert all(any("Memories that come to mind now:" in p for p in prompts[name]) for name in ("Ana", "Bob"))
    assert all(not p.memory_keeper.consolidating for p in world.agents)
