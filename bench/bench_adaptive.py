"""Adaptive concurrency: a 100-respondent survey against providers with and without a limit.

The loopback server (its own process) answers at 200 ms; in the limited case it takes at most
N requests at once and answers a 429 (Retry-After 0.2 s) to any request above that, as a
rate-limited account would. The client runs with the default settings (MAX_CONCURRENT_MODEL_CALLS
is the ceiling, the window adapts). Ideal: one latency per wave of N requests (limited), one
latency for everyone (unlimited). The first survey of the process discovers the limit; later
surveys start from the learnt window.

    python bench/bench_adaptive.py [--respondents 100] [--limit 20] [--write-results]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_first_call import write_section  # noqa: E402

SECTION = "## Adaptive concurrency"
TARGET = 1.5


def survey_runs(respondents: int, latency: float, limit: int | None, repeats: int) -> dict:
    from bench.scenarios.harness import configure, fresh_simulation, http_setup, warm_up
    from bench.scenarios.survey import run_survey
    from tinytroupe import llm
    from tinytroupe.llm.wrappers import LimitedModel

    configure(max_attempts=10)
    kwargs = {"concurrency_limit": limit, "retry_after": 0.2} if limit else {}
    walls, windows, refused, answered = [], [], [], []
    with http_setup(responder="bench.scenarios.replies:survey_reply", in_process=False, latency=latency,
                    **kwargs) as server:
        warm_up(server)
        for _ in range(repeats):
            server.reset()
            run = run_survey(respondents)
            stats = server.stats()
            window = llm.default_model().find(LimitedModel).concurrency.stats()
            walls.append(round(run["wall"], 3))
            windows.append(window["window"])
            refused.append(sum(1 for f in stats["faults_served"] if f == "429"))
            answered.append(run["answered"])
            fresh_simulation()
        ceiling = window["ceiling"]
    waves = math.ceil(respondents / limit) if limit else 1
    return {"respondents": respondents, "latency_s": latency, "provider_limit": limit, "ceiling": ceiling,
            "ideal_s": round(waves * latency, 3), "walls_s": walls, "windows": windows, "refused": refused,
            "answered": answered, "first_s": walls[0],
            "later_median_s": statistics.median(walls[1:]) if len(walls) > 1 else None}


def section(results: list[dict]) -> str:
    lines = [SECTION, "",
             "Command: `python bench/bench_adaptive.py --write-results`. A survey of "
             f"{results[0]['respondents']} respondents (one question, one step) against the loopback server in its own "
             f"process at {results[0]['latency_s'] * 1000:.0f} ms, default settings (ceiling "
             f"MAX_CONCURRENT_MODEL_CALLS = {results[0]['ceiling']}, adaptive window); "
             f"load average {os.getloadavg()[0]:.1f} on 2 shared cores.", "",
             "| provider | run | ideal | measured | ratio | window after | 429s | answered | target | |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in results:
        who = f"takes {r['provider_limit']} at once (429 above)" if r["provider_limit"] else "takes everything"
        for i, wall in enumerate(r["walls_s"]):
            label = "first (discovers the limit)" if i == 0 else f"later #{i}"
            ratio = wall / r["ideal_s"]
            met = "met" if ratio <= TARGET and r["answered"][i] == r["respondents"] else "**missed**"
            lines.append(f"| {who} | {label} | {r['ideal_s']:.3f} s | {wall:.3f} s | {ratio:.2f} | "
                         f"{r['windows'][i]} | {r['refused'][i]} | {r['answered'][i]}/{r['respondents']} | "
                         f"<= {TARGET} x ideal | {met} |")
    lines += ["", "- Before the adaptive window, the ceiling was a fixed 32 calls: a provider that takes all 100 "
              "at once still got four waves (~0.8 s at 200 ms), and a limited one got bursts of 32 at every step.",
              "- The window after a run is the limiter's own (reported by `usage_stats().snapshot()['concurrency']`); "
              "it settles near the provider's limit, dipping to ~0.8 x the load that was refused and growing by about "
              "one call per window of successes (four times slower near the load last refused).",
              "- A provider that takes everything gets all 100 calls in one wave; the gap to the 200 ms ideal there "
              "is the cost of 100 simultaneous HTTP exchanges on 2 shared cores (client and thread-per-connection "
              "server), the same as the suite's 100-respondent survey row, not the limiter's.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    results = [survey_runs(args.respondents, args.latency, args.limit, args.repeats),
               survey_runs(args.respondents, args.latency, None, args.repeats)]
    print(json.dumps(results, indent=2))
    if args.write_results:
        write_section(section(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
