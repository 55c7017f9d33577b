"""Benchmark: a crowd answering one broadcast, where every untargeted answer is heard by everyone.

``N`` agents hear one question and answer it with a TALK that names nobody. In a world with
``broadcast_if_no_target=True`` (the default, as in TinyTroupe) each answer is delivered to the
``N - 1`` others: ``N * (N - 1)`` deliveries in one step in a room-sized world; in a crowd (more
than ``max_everyone_accessible`` agents) every listener hears the step's first
``crowd_replies_heard`` answers in full and one summary of the rest. With ``False`` (the survey
form) the answers go nowhere. Each form runs in its own Python process (so peak RSS is its own) through
the scripted model at 0 ms; the difference between the two is the cost of the deliveries::

    python bench/bench_broadcast_crowd.py --agents 2000
    python bench/bench_broadcast_crowd.py --agents 300 --json

Reported: wall and CPU seconds of the step, peak RSS, deliveries counted in the agents'
memories, CPU per delivery and RSS per delivery (both as the difference to the survey form).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(agents: int, broadcast: bool) -> dict[str, Any]:
    """Build the crowd, ask, run one step; the figures of this process."""
    from bench.scenarios.harness import configure, fresh_simulation
    from bench.scenarios.replies import scripted_survey
    from bench.scenarios.survey import SURVEY_QUESTION, respondents
    from tinytroupe import llm
    from tinytroupe.environment import TinyWorld

    configure(max_concurrent_model_calls=100)
    llm.set_default_model(llm.ScriptedModel(responder=scripted_survey))
    fresh_simulation()
    before = _rss_mib()
    people = respondents(agents)
    world = TinyWorld("Crowd", people, broadcast_if_no_target=broadcast, seed=3)
    world.broadcast(SURVEY_QUESTION)
    heard_before = sum(len(p.episodic_memory.retrieve_all(role="stimulus")) for p in people)
    built = _rss_mib()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    world.run(1)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    heard = sum(len(p.episodic_memory.retrieve_all(role="stimulus")) for p in people) - heard_before
    return {"agents": agents, "broadcast_if_no_target": broadcast, "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2), "deliveries": heard, "rss_before_mib": round(before, 1),
            "rss_built_mib": round(built, 1), "peak_rss_mib": round(_rss_mib(), 1)}


def _child(agents: int, broadcast: bool) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", "--agents", str(agents),
                           "--broadcast", "1" if broadcast else "0"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(agents: int) -> dict[str, Any]:
    """Both forms, and the cost per delivery as their difference."""
    crowd, survey = _child(agents, True), _child(agents, False)
    extra = max(1, crowd["deliveries"] - survey["deliveries"])
    return {
        "agents": agents, "broadcast": crowd, "survey": survey,
        "cpu_us_per_delivery": round((crowd["cpu_s"] - survey["cpu_s"]) * 1e6 / extra, 2),
        "bytes_per_delivery": round((crowd["peak_rss_mib"] - survey["peak_rss_mib"]) * 2**20 / extra, 1),
    }


def render(result: dict[str, Any]) -> str:
    b, s = result["broadcast"], result["survey"]
    return "\n".join([
        "| form | agents | deliveries | wall | CPU | peak RSS |", "|---|---:|---:|---:|---:|---:|",
        f"| broadcast_if_no_target=True | {b['agents']:,} | {b['deliveries']:,} | {b['wall_s']} s | "
        f"{b['cpu_s']} s | {b['peak_rss_mib']:.0f} MiB |",
        f"| broadcast_if_no_target=False | {s['agents']:,} | {s['deliveries']:,} | {s['wall_s']} s | "
        f"{s['cpu_s']} s | {s['peak_rss_mib']:.0f} MiB |",
        "", f"CPU per delivery: {result['cpu_us_per_delivery']} us; "
            f"memory per delivery: {result['bytes_per_delivery']:.0f} bytes",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--broadcast", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.agents, bool(args.broadcast))))
        return
    result = compare(args.agents)
    print(json.dumps(result, indent=2) if args.json else render(result))


if __name__ == "__main__":
    main()
