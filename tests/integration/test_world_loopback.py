"""A 20-agent parallel step against a real OpenAI-compatible server on 127.0.0.1 overlaps its calls."""

from __future__ import annotations

import json

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.testing.loopback_server import LoopbackServer

AGENTS = 20


def _reply(body):
    """Each agent greets the first name its schema allows, then says DONE."""
    schema = body["response_format"]["json_schema"]["schema"]
    names = [n for n in schema["properties"]["actions"]["items"]["properties"]["target"].get("enum", []) if n]
    actions = [{"type": "TALK", "content": "Hello there.", "target": names[0] if names else ""},
               {"type": "DONE", "content": "", "target": ""}]
    state = {"goals": "chat", "context": "a test", "attention": "others", "emotions": "calm"}
    return json.dumps({"actions": actions, "cognitive_state": state})


def test_a_parallel_step_of_twenty_agents_overlaps_its_calls():
    config_manager.update("max_concurrent_model_calls", 32)
    config_manager.update("structured_output_mode", "json_schema")
    with LoopbackServer(latency=0.2, responder=_reply) as server:
        llm.set_default_model(OpenAIModel(api_key="test-key", base_url=server.base_url,
                                          model="loopback-model", timeout=10))
        world = TinyWorld("Crowd", [TinyPerson(f"Person {i:02d}") for i in range(AGENTS)], seed=1)
        actions = world.run(1, parallelize=True, return_actions=True)

        assert server.request_count == AGENTS
        assert server.max_in_flight >= 10
    assert len(actions[0]) == AGENTS
    heard = sum(len(a.episodic_memory.retrieve_all(type="CONVERSATION")) for a in world.agents)
    assert heard == AGENTS  # every TALK was delivered to exactly one listener
    assert world.cost_stats()["total"]["calls"] == AGENTS
