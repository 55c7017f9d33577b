"""Adaptive concurrency against a provider that refuses more than N requests at once."""

import math
import time

from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.llm import default_model, usage_stats
from tinytroupe.llm.wrappers import LimitedModel
from tinytroupe.testing import LoopbackServer

N, AGENTS, LATENCY = 8, 40, 0.2


def test_llm_window_converges_near_the_providers_limit_and_everyone_answers():
    with LoopbackServer(latency=LATENCY, concurrency_limit=N, retry_after=0.1) as server:
        config_manager.update_multiple({"api_type": "openai", "base_url": server.base_url, "api_key": "k",
                                        "model": "loopback-model", "max_attempts": 10})
        people = [TinyPerson(f"Respondent {i}") for i in range(AGENTS)]
        world = TinyWorld("Survey room", people, seed=3)
        world.broadcast("Would you buy a folding bicycle? Say why.")
        start = time.perf_counter()
        actions = world.run(1, return_actions=True)
        elapsed = time.perf_counter() - start
        limiter = default_model().find(LimitedModel)
        refused = server.refused
    answered = [p for p in people if any(a["action"]["type"] != "DONE" for a in actions[0].get(p.name, []))]
    assert len(answered) == AGENTS and sum(p.fallback_count for p in people) == 0
    assert refused > 0  # the provider did push back
    window = limiter.concurrency.stats()
    assert N * 0.5 <= window["window"] <= N * 1.5 and window["decreases"] >= 1
    assert usage_stats().snapshot()["concurrency"]["window"] == window["window"]
    ideal = math.ceil(AGENTS / N) * LATENCY
    assert elapsed <= 1.5 * ideal, (elapsed, ideal, window)
