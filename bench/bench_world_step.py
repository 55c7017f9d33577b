"""Benchmark: how long one world step of N agents takes against a server with fixed latency.

Runs a real OpenAI-compatible server on 127.0.0.1 (``LoopbackServer``) that waits
``--latency`` seconds per request, and times parallel and sequential steps of a world of
``--agents`` TinyPersons. The ideal for a parallel step is one latency; for a sequential
step, N latencies. Usage::

    python bench/bench_world_step.py --agents 20 --latency 0.2 --steps 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.testing.loopback_server import LoopbackServer


def _reply(body: dict) -> str:
    schema = body["response_format"]["json_schema"]["schema"]
    target = schema["properties"]["actions"]["items"]["properties"]["target"]
    names = [n for n in target.get("enum", []) if n]
    actions = [{"type": "TALK", "content": "Hello.", "target": names[0] if names else ""},
               {"type": "DONE", "content": "", "target": ""}]
    state = {"goals": "", "context": "", "attention": "", "emotions": ""}
    return json.dumps({"actions": actions, "cognitive_state": state})


def _time_steps(world: TinyWorld, server: LoopbackServer, steps: int, parallel: bool) -> dict:
    durations, in_flight = [], []
    for _ in range(steps):
        server.reset_stats()
        start = time.perf_counter()
        world.run(1, parallelize=parallel)
        durations.append(time.perf_counter() - start)
        in_flight.append(server.max_in_flight)
    return {"median_s": round(statistics.median(durations), 3), "max_in_flight": max(in_flight)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()

    config_manager.update_multiple({"display": "off", "structured_output_mode": "json_schema",
                                    "max_concurrent_model_calls": max(32, args.agents)})
    with LoopbackServer(latency=args.latency, responder=_reply) as server:
        llm.set_default_model(OpenAIModel(api_key="bench", base_url=server.base_url, model="loop", timeout=30))
        world = TinyWorld("Bench", [TinyPerson(f"Person {i:03d}") for i in range(args.agents)], seed=1)
        world.run(1)  # warm up connections
        parallel = _time_steps(world, server, args.steps, True)
        sequential = _time_steps(world, server, 1, False)
    result = {
        "agents": args.agents, "latency_s": args.latency,
        "parallel_step": {**parallel, "ideal_s": args.latency},
        "sequential_step": {**sequential, "ideal_s": round(args.latency * args.agents, 3)},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
