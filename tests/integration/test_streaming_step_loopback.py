"""A step streams its requests: against a real server on 127.0.0.1 that delays each reply, 2,000
agents with a concurrency ceiling of 16 never hold more than the bound of prepared, unsent requests.

Two counters around the model chain tell a prepared request from a sent one: ``built`` counts
requests handed to the model (the agent's prompt and request are ready), ``sent`` counts those
past the concurrency window, on their way to the server. Their difference is what waits.
"""

from __future__ import annotations

import json

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.llm.base import ChatRequest, Completion, ModelWrapper
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.setup import wrap_model
from tinytroupe.llm.streaming import prepared_bound
from tinytroupe.survey import LikertQuestion, Survey
from tinytroupe.testing.loopback_server import LoopbackServer

AGENTS = 2000
CEILING = 16


class _Counts:
    def __init__(self) -> None:
        self.built = 0
        self.sent = 0
        self.most_waiting = 0

    def note(self) -> None:
        self.most_waiting = max(self.most_waiting, self.built - self.sent)


class _Built(ModelWrapper):
    def __init__(self, inner, counts: _Counts):
        super().__init__(inner)
        self.counts = counts

    async def complete(self, request: ChatRequest) -> Completion:
        self.counts.built += 1
        self.counts.note()
        return await self.inner.complete(request)


class _Sent(_Built):
    async def complete(self, request: ChatRequest) -> Completion:
        self.counts.sent += 1
        return await self.inner.complete(request)


def _reply(body):
    schema = body["response_format"]["json_schema"]["schema"]
    if "actions" not in schema.get("properties", {}):  # a survey answer
        return json.dumps({"justification": "It fits my budget.", "answer": 4})
    actions = [{"type": "THINK", "content": "A fair question.", "target": ""},
               {"type": "DONE", "content": "", "target": ""}]
    state = {"goals": "answer", "context": "a survey", "attention": "the question", "emotions": "calm"}
    return json.dumps({"actions": actions, "cognitive_state": state})


def _install(server: LoopbackServer, counts: _Counts):
    config_manager.update("max_concurrent_model_calls", CEILING)
    config_manager.update("adaptive_concurrency", False)
    config_manager.update("structured_output_mode", "json_schema")
    provider = OpenAIModel(api_key="test-key", base_url=server.base_url, model="loopback-model", timeout=30)
    model = _Built(wrap_model(_Sent(provider, counts)), counts)
    return llm.set_default_model(model, wrap=False)


def test_a_world_step_of_2000_agents_keeps_prepared_requests_bounded():
    counts = _Counts()
    with LoopbackServer(latency=0.005, responder=_reply) as server:
        model = _install(server, counts)
        bound = prepared_bound(model)
        world = TinyWorld("Crowd", [TinyPerson(f"Person {i:04d}") for i in range(AGENTS)],
                          broadcast_if_no_target=False, seed=2)
        world.broadcast("One question for everyone: how was your day?")
        actions = world.run(1, return_actions=True)
        assert server.request_count == AGENTS
        assert server.max_in_flight <= CEILING
    assert bound == CEILING + 16
    assert counts.built == counts.sent == AGENTS
    assert counts.most_waiting <= bound
    assert sum(1 for acted in actions[0].values() if acted) == AGENTS


def test_a_survey_of_1000_people_keeps_prepared_requests_bounded():
    counts = _Counts()
    with LoopbackServer(latency=0.005, responder=_reply) as server:
        model = _install(server, counts)
        people = [TinyPerson(f"Person {i:04d}") for i in range(1000)]
        result = Survey([LikertQuestion(text="I like rainy days.", name="rain")]).run(people)
        assert server.request_count == 1000
    assert counts.built == counts.sent == 1000
    assert counts.most_waiting <= prepared_bound(model)
    assert len(result.answers("rain")) == 1000
