"""Benchmark: what simulation control costs per step, what a replay saves, and how checkpoints grow.

A world of ``--agents`` TinyPersons runs ``--steps`` parallel steps against the scripted
model (replies computed from the prompt, no latency), so the times measured are the
library's own work. It is run four ways: without control; inside ``control.begin(path)``;
with ``auto_checkpoint=True``; and again from the file (every step replayed). Usage::

    python bench/bench_control.py --agents 20 --steps 30
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from tinytroupe import control, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.testing.agent_replies import talk_responder


def run(agents: int, steps: int, path: Path | None, auto: bool = False) -> dict:
    """One run of the scenario; returns seconds, requests and the checkpoint's size per step."""
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    model = llm.ScriptedModel(responder=talk_responder())
    llm.set_default_model(model)
    if path is not None:
        control.begin(path, auto_checkpoint=auto)
    world = TinyWorld("Hall", [TinyPerson(f"Person {i}") for i in range(agents)],
                      initial_datetime=datetime(2025, 1, 6, 9), seed=1)
    world.broadcast("Discuss the town's new bus timetable.")
    sizes, start = [], time.perf_counter()
    for _ in range(steps):
        world.run(1, timedelta(minutes=5), parallelize=True)
        if auto:
            sizes.append(path.stat().st_size)
    elapsed = time.perf_counter() - start
    if path is not None:
        control.end()
    return {"seconds": elapsed, "requests": model.calls, "sizes": sizes,
            "final_size": path.stat().st_size if path is not None else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        plain = run(args.agents, args.steps, None)
        recorded = run(args.agents, args.steps, Path(folder) / "recorded.json")
        auto = run(args.agents, args.steps, Path(folder) / "auto.json", auto=True)
        replayed = run(args.agents, args.steps, Path(folder) / "recorded.json")
    per_step = {name: round(1000 * r["seconds"] / args.steps, 1)
                for name, r in (("plain", plain), ("recorded", recorded), ("auto_checkpoint", auto),
                                ("replayed", replayed))}
    half = auto["sizes"][args.steps // 2 - 1]
    print(json.dumps({
        "agents": args.agents, "steps": args.steps, "ms_per_step": per_step,
        "requests": {"plain": plain["requests"], "replayed": replayed["requests"]},
        "checkpoint_bytes": recorded["final_size"],
        "checkpoint_growth_second_half_vs_first": round((auto["sizes"][-1] - half) / half, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
