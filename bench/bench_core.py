"""Benchmark: the reshaped core. Reruns of an unseeded script, events with owners, delivery cost.

1. The focus group of the reproducibility test (8 unseeded agents, a broadcast, 3 steps, call
   cache on) runs twice, each in its own process, against a deterministic loopback server:
   requests made by the second run (ideal 0).
2. A world and its fork run one step concurrently: agent actions and model calls each one's
   transcript and cost statistics hold (ideal: only its own).
3. The CPU cost of one stimulus delivered to an agent inside a world (``listen``: memory,
   ledger, a typed event with its owner, the world's recorder), in microseconds.

Usage::

    python bench/bench_core.py
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scenarios.harness import SERVER_ENGINE  # noqa: E402
from tests.integration.test_reproducible_runs import FOCUS_GROUP, NAMES, _respond  # noqa: E402
from tinytroupe import llm  # noqa: E402
from tinytroupe.agent import TinyPerson  # noqa: E402
from tinytroupe.environment import TinyWorld  # noqa: E402
from tinytroupe.testing.agent_replies import talk_responder  # noqa: E402
from tinytroupe.testing.loopback_server import LoopbackServer  # noqa: E402


def rerun_requests() -> tuple[int, int]:
    """Requests of the first and of the second process running the same unseeded cached script."""
    with tempfile.TemporaryDirectory() as tmp, LoopbackServer(responder=_respond, engine=SERVER_ENGINE) as server:
        counts = []
        for run in ("first", "second"):
            out = Path(tmp) / run
            out.mkdir()
            before = server.request_count
            subprocess.run([sys.executable, "-c", f"NAMES = {NAMES!r}\n" + FOCUS_GROUP, server.base_url, str(out)],
                           cwd=tmp, check=True, capture_output=True, timeout=300)
            counts.append(server.request_count - before)
        return counts[0], counts[1]


def fork_separation() -> dict[str, int]:
    llm.set_default_model(llm.ScriptedModel(responder=talk_responder()))
    world = TinyWorld("Cafe", [TinyPerson(n) for n in ("Ann", "Bob", "Cy", "Dee")], seed=3)
    world.broadcast("Which coffee should we buy?")
    fork = world.fork("Cafe B")

    async def both() -> None:
        await asyncio.gather(world.arun(1), fork.arun(1))

    asyncio.run(both())
    actions = [sum(e.kind == "agent.action" for e in w.transcript) for w in (world, fork)]
    calls = [w.cost_stats()["total"]["calls"] for w in (world, fork)]
    return {"world_actions": actions[0], "fork_actions": actions[1], "world_calls": calls[0],
            "fork_calls": calls[1]}


def delivery_us(agents: int = 300, rounds: int = 10) -> float:
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    people = [TinyPerson(f"P{i}") for i in range(agents)]
    world = TinyWorld("Crowd", people)
    start = time.process_time()
    with world.recording():
        for _ in range(rounds):
            for person in people:
                person.listen("hello there", source="Bob")
    return (time.process_time() - start) / (agents * rounds) * 1e6


def main() -> None:
    first, second = rerun_requests()
    print(f"unseeded cached focus group, two processes: {first} requests, then {second} (ideal 0)")
    print("world and fork stepped concurrently:", json.dumps(fork_separation()),
          "(ideal: 8 actions and 4 calls each)")
    samples = sorted(delivery_us() for _ in range(3))
    print(f"one stimulus delivered in a world: {samples[1]:.1f} us CPU (median of 3)")


if __name__ == "__main__":
    main()
