"""Client CPU per model request: a survey at 0 ms latency through the real HTTP path, profiled.

Each measurement is a fresh Python process running the survey scenario (N seeded respondents,
one question, one step) against the loopback server in a process of its own, at 0 ms, so the
step's CPU time is the client's own work: preparing each agent's turn, building and sending
the request, reading and checking the reply, accounting for it. ``--baseline DIR`` runs the
same measurement on another source tree (e.g. the code before a change, unpacked with
``git archive``) alternately with this one, so both figures come from one run on one machine.
``--profile`` adds a cProfile of this tree's run: the share of the step in each part of the
request path.

    python bench/bench_request_cost.py [--respondents 10000] [--repeats 3] [--baseline DIR]
                                       [--profile] [--write-results]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TREE = os.environ.get("BENCH_TREE", str(ROOT))  # the source tree a child measures
if TREE not in sys.path:
    sys.path.insert(0, TREE)

SECTION = "## Client CPU per request (issue 25)"
TARGET_MS = 0.5
MARKER = "@@REQUEST-COST@@ "

# Parts of the request path, each the cumulative time of the functions named (file suffix, function).
PARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "HTTP client (connection, send, read the reply)": (("llm/providers/plain_http.py", "_send"),),
    "building the request body (params, JSON)": (("llm/providers/openai_compat.py", "request_params"),
                                                 ("llm/providers/plain_http.py", "post_json")),
    "pydantic model_dump": (("pydantic/main.py", "model_dump"),),
    "request settings wrapper": (("llm/wrappers/defaults.py", "complete"),),
    "price lookup and usage accounting": (("llm/wrappers/usage.py", "_record"),
                                          ("llm/wrappers/pricing.py", "price_for"),
                                          ("llm/wrappers/pricing.py", "cost_of")),
    "reading the reply (JSON, Completion)": (("llm/providers/openai_compat.py", "_completion"),
                                             ("llm/providers/plain_http.py", "json")),
    "structured output (schema, parse, validate)": (("llm/structured.py", "complete_structured"),),
    "adaptive window and retry": (("llm/wrappers/limits.py", "complete"), ("llm/wrappers/retry.py", "complete")),
}


def child(respondents: int, profile: str | None) -> None:
    """In a fresh process: one survey at 0 ms over HTTP; prints one JSON line after MARKER."""
    from bench.scenarios.harness import configure, http_setup, warm_up
    from bench.scenarios.survey import run_survey

    configure(max_concurrent_model_calls=100)
    with http_setup(responder="bench.scenarios.replies:survey_reply", in_process=False, latency=0.0) as server:
        warm_up(server)
        server.reset()
        profiler = _loop_profiler() if profile else None
        run = run_survey(respondents)
        if profiler is not None:
            _on_loop(profiler.disable)
            profiler.dump_stats(profile)
        stats = server.stats()
    result = {"respondents": respondents, "requests": stats["requests"], "answered": run["answered"],
              "step_cpu_s": round(run["cpu"], 3), "step_wall_s": round(run["wall"], 3),
              "build_s": round(run["build_wall"], 3),
              "cpu_ms_per_request": round(run["cpu"] * 1000 / max(1, stats["requests"]), 4)}
    print(MARKER + json.dumps(result), flush=True)


def _on_loop(function: Any) -> None:
    """Call ``function`` on the thread of the event loop that runs the sync facades."""
    import asyncio

    from tinytroupe._sync import _background_loop

    async def call() -> None:
        function()

    asyncio.run_coroutine_threadsafe(call(), _background_loop()).result()


def _loop_profiler() -> Any:
    """A cProfile profiler enabled on the event loop's thread (where the step runs)."""
    import cProfile

    profiler = cProfile.Profile()
    _on_loop(profiler.enable)
    return profiler


def _run_child(tree: Path, respondents: int, profile: str | None = None) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--respondents", str(respondents)]
    if profile:
        cmd += ["--profile-to", profile]
    env = {**os.environ, "TINYTROUPE_DISPLAY": "off", "PYTHONPATH": str(tree), "BENCH_TREE": str(tree),
           "TINYTROUPE_HOME": os.environ.get("TINYTROUPE_HOME", str(Path("/tmp") / "tt-bench-home"))}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env, cwd=tree)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    raise RuntimeError(f"the measurement in {tree} failed: {(proc.stderr or proc.stdout)[-2000:]}")


def profile_parts(path: str) -> dict[str, Any]:
    """Share of the profiled step spent in each part of :data:`PARTS` (cumulative, so parts may nest)."""
    import pstats

    stats = pstats.Stats(path)
    total = stats.total_tt
    found = {name: 0.0 for name in PARTS}
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        for name, functions in PARTS.items():
            if any(filename.endswith(suffix) and function == fn for suffix, fn in functions):
                found[name] += cumulative
    return {"profiled_total_s": round(total, 3),
            "shares": {name: round(value / total, 4) for name, value in found.items()}}


def measure(respondents: int, repeats: int, baseline: Path | None, profile: bool) -> dict[str, Any]:
    """Alternate this tree and the baseline tree ``repeats`` times; medians, and a profile of ours."""
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for _ in range(repeats):
        if baseline is not None:
            theirs.append(_run_child(baseline, respondents))
        ours.append(_run_child(ROOT, respondents))
    result: dict[str, Any] = {"respondents": respondents, "repeats": repeats, "load_average": _load(),
                              "after": _summary(ours)}
    if baseline is not None:
        result["before"] = _summary(theirs)
    if profile:
        path = str(Path("/tmp") / f"request_cost_{os.getpid()}.prof")
        for label, tree in (("after", ROOT), ("before", baseline)):
            if tree is None:
                continue
            _run_child(tree, respondents, profile=path)
            result[f"profile_{label}"] = profile_parts(path)
    return result


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"cpu_ms_per_request": statistics.median(r["cpu_ms_per_request"] for r in runs),
            "runs_cpu_ms_per_request": [r["cpu_ms_per_request"] for r in runs],
            "requests": runs[0]["requests"], "answered": runs[0]["answered"],
            "step_wall_s": statistics.median(r["step_wall_s"] for r in runs)}


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 1)
    except OSError:
        return None


def section(result: dict[str, Any]) -> str:
    """The RESULTS.md section for ``result``."""
    n = result["respondents"]
    after = result["after"]
    before = result.get("before")
    lines = [SECTION, "",
             f"Command: `python bench/bench_request_cost.py --respondents {n} --repeats {result['repeats']} "
             "--baseline DIR --profile --write-results` (DIR: the code before the change, from `git archive`). "
             f"A {n:,}-respondent survey at 0 ms through the OpenAI-compatible provider and the plain-HTTP client, "
             "the loopback server in its own process; the step's CPU time (this process, every thread) divided by "
             f"the requests made; median of {result['repeats']} runs, the two trees alternating; load average "
             f"{result['load_average']} on 2 shared cores.", "",
             "| code | ideal | measured | ratio | runs | answered | target | |",
             "|---|---:|---:|---:|---|---:|---|---|"]
    for label, row in (("before", before), ("after", after)):
        if row is None:
            continue
        ms = row["cpu_ms_per_request"]
        met = "met" if ms <= TARGET_MS and row["answered"] == n else "**missed**"
        lines.append(f"| {label} | {TARGET_MS} ms | {ms:.3f} ms | {ms / TARGET_MS:.2f} | "
                     f"{', '.join(f'{v:.3f}' for v in row['runs_cpu_ms_per_request'])} | {row['answered']:,}/{n:,} | "
                     f"<= {TARGET_MS} ms | {met} |")
    if "profile_after" in result:
        lines += ["", "Profile (cProfile of one run each; cumulative share of the step, so parts may nest; "
                  "cProfile's own overhead inflates every share alike):", "",
                  "| part of the request path | before | after |", "|---|---:|---:|"]
        shares_b = result.get("profile_before", {}).get("shares", {})
        for name, share in result["profile_after"]["shares"].items():
            was = shares_b.get(name)
            lines.append(f"| {name} | {'' if was is None else f'{was * 100:.1f}%'} | {share * 100:.1f}% |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another source tree to measure alternately (before)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.respondents, args.profile_to)
        return 0
    started = time.perf_counter()
    result = measure(args.respondents, args.repeats, args.baseline, args.profile)
    result["bench_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))
    if args.write_results:
        from bench.bench_first_call import write_section

        write_section(section(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
