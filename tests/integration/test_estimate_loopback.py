"""Estimates: the calls and prompt tokens of a run, found without a request, match the real run."""

import json

from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.estimate import _sized_text, estimate
from tinytroupe.llm.providers.scripted_replies import act_reply
from tinytroupe.testing import LoopbackServer
from tinytroupe.testing.loopback_server import schema_of_request

TURN_TOKENS = 200


def turn_reply(body):
    """The server's agent: talks ~TURN_TOKENS tokens to the first person it can reach."""
    schema = schema_of_request(body) or {}
    try:
        targets = [t for t in schema["properties"]["actions"]["items"]["properties"]["target"]["enum"] if t]
    except (KeyError, TypeError):
        targets = []
    text = _sized_text(TURN_TOKENS - 60, body["messages"][-1]["content"])
    return json.dumps(act_reply(("TALK", text, targets[0] if targets else "")))


def _world():
    people = [TinyPerson(name) for name in ("Ana", "Bo", "Chen", "Dara", "Eli", "Femi")]
    for person in people:
        person.define({"occupation": {"title": "nurse"}, "residence": "Porto"})
    world = TinyWorld("Estimate room", people, seed=7)
    world.make_everyone_accessible()
    world.broadcast("What would make you switch to a folding bicycle?")
    return world


def test_estimate_makes_no_request_and_matches_the_real_run():
    with LoopbackServer(responder=turn_reply) as server:
        config_manager.update_multiple({"api_type": "openai", "base_url": server.base_url, "api_key": "k",
                                        "model": "gpt-4.1-mini"})
        world = _world()
        found = estimate(lambda w: w.run(3), world)
        assert server.request_count == 0
        assert world.simulation_step == 0  # the world is back as it was
        world.run(3)
        real_calls, real_tokens = server.request_count, server.prompt_tokens
    assert found.calls == real_calls == 18
    assert abs(found.input_tokens - real_tokens) <= 0.10 * real_tokens, (found.input_tokens, real_tokens)
    assert found.by_purpose["agent_turn"]["calls"] == 18
    assert found.cost is not None and found.cost > 0
    assert found.text().startswith("about 18 calls") and "with gpt-4.1-mini" in found.text()


def test_estimate_of_an_unknown_model_says_so(scripted):
    world = _world()
    found = estimate(lambda w: w.run(1), world, model="house-model-7b")
    assert found.cost is None and "no price for house-model-7b" in found.text()
    assert scripted.calls == 0
