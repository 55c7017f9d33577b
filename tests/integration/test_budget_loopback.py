"""Budgets in Python against the loopback server: a step is never half done, replies are never paid twice,
and usage by purpose adds up to the provider's requests."""

import hashlib
import json
import random

import pytest

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.extraction import ResultsExtractor
from tinytroupe.llm import budget
from tinytroupe.llm.budget import BudgetExceededError
from tinytroupe.llm.providers.schema_sample import sample_from_schema
from tinytroupe.llm.providers.scripted_replies import act_reply
from tinytroupe.testing import LoopbackServer
from tinytroupe.testing.loopback_server import schema_of_request


def reply(body):
    """The same request always gets the same reply: agents talk, judges pass, other schemas are sampled."""
    digest = hashlib.sha256(json.dumps(body["messages"]).encode()).hexdigest()
    schema = schema_of_request(body) or {}
    name = ((body.get("response_format") or {}).get("json_schema") or {}).get("name", "")
    if name == "TurnModel":
        try:
            targets = [t for t in schema["properties"]["actions"]["items"]["properties"]["target"]["enum"] if t]
        except (KeyError, TypeError):
            targets = []
        return json.dumps(act_reply(("TALK", f"my view {digest[:10]}", targets[0] if targets else "")))
    if name == "JudgeVerdict":
        return json.dumps({"score": 9, "feedback": "fine"})
    return json.dumps(sample_from_schema(schema, random.Random(digest)))


def _world(tag):
    people = [TinyPerson(f"{n} {tag}") for n in ("Ana", "Bo", "Chen")]
    world = TinyWorld(f"Room {tag}", people, seed=4)
    world.make_everyone_accessible()
    world.broadcast("What do you think of night trains?")
    return world


def _use(server):
    config_manager.update_multiple({"api_type": "openai", "base_url": server.base_url, "api_key": "k",
                                    "model": "gpt-4.1-mini"})
    llm.reset_default_model()


def test_budget_refused_mid_step_puts_the_step_back_and_pays_nothing_twice():
    with LoopbackServer(responder=reply) as server:
        _use(server)
        world = _world("x")
        before = world.encode_complete_state()
        server.script("truncated")  # one reply is cut: its repair is a fourth call in a step predicted at three
        with budget.limit(max_calls=3) as spent:
            with pytest.raises(BudgetExceededError) as err:
                world.run(1)
        assert err.value.budget == "MAX_CALLS_PER_RUN" and err.value.usage["calls"] == 3
        assert err.value.steps_done == 0
        assert world.encode_complete_state() == before  # no half-applied step
        assert server.request_count == 3 and len(spent.replay) == 3
        with budget.limit(budget=spent.raise_limits(max_calls=20)):
            world.run(2)
        # the three replies paid for are reused; only the repair and step 2 go out
        assert server.request_count == 3 + 1 + 3
        assert world.simulation_step == 2 and spent.spent.calls == 7


def test_budget_stops_at_the_step_boundary_with_the_settings():
    with LoopbackServer(responder=reply) as server:
        _use(server)
        config_manager.update("max_calls_per_run", 5)
        world = _world("y")
        with pytest.raises(BudgetExceededError, match="MAX_CALLS_PER_RUN = 5") as err:
            world.run(3)
        assert world.simulation_step == 1 and err.value.steps_done == 1 and server.request_count == 3
        config_manager.update("max_calls_per_run", 9)  # the same run, a larger budget
        world.run(2)
        assert world.simulation_step == 3 and server.request_count == 9


def test_usage_by_purpose_adds_up_to_the_providers_requests():
    with LoopbackServer(responder=reply) as server:
        _use(server)
        config_manager.update_multiple({"enable_quality_checks": True})
        server.script("ok", "429")  # one retry too
        llm.usage_stats().reset()
        world = _world("z")
        world.run(2)
        ResultsExtractor().extract_results_from_world(world, fields=["opinion"])
        requests = server.request_count
    by_purpose = llm.usage_stats().snapshot()["by_purpose"]
    assert {"agent_turn", "judge", "extraction"} <= set(by_purpose)
    paid = sum(t["calls"] - t["cached_calls"] + t["retries"] + t["failures"] for t in by_purpose.values())
    assert paid == requests
    assert by_purpose["agent_turn"]["calls"] == 6 and by_purpose["judge"]["calls"] >= 6
