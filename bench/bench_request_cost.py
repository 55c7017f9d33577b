"""Client CPU per model request: a survey at 0 ms latency through the real HTTP path, profiled.

Each measurement is a fresh Python process running the survey scenario (N seeded respondents,
one question, one step) against the loopback server in a process of its own, at 0 ms, so the
step's CPU time is the client's own work: preparing each agent's turn, building and sending
the request, reading and checking the reply, accounting for it. ``--baseline DIR`` runs the
same measurement on another source tree (e.g. the code before a change, unpacked with
``git archive``) alternately with this one, so both figures come from one run on one machine.
``--profile`` adds one more run of each tree under py-spy (sampling, so it costs the run
nothing): the share of the step in each part of the request path.

    python bench/bench_request_cost.py [--respondents 10000] [--repeats 3] [--baseline DIR]
                                       [--profile] [--write-results]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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

# Parts of a step, each a list of frame patterns: a sample is in the part when its stack has a frame
# containing the first string with, further in, a frame containing the next (parts may nest).
PARTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "HTTP exchange (write, read the reply)": (("PlainHTTPClient._send",),),
    "serialising the request body": (("encode_body",), ("post_json", "dumps")),
    "request parameters": (("OpenAIModel.request_params",),),
    "request copies (with_changes)": (("ChatRequest.with_changes",),),
    "capabilities look-ups": (("capabilities_of",),),
    "price look-up": (("price_for",),),
    "usage records and llm.call events": (("UsageStats.record_call",), ("UsageTracker.complete", "emit (")),
    "budget guard (finding the active budget)": (("active (tinytroupe/llm/budget.py",),),
    "adaptive window": (("AdaptiveWindow.",),),
    "reading the reply (JSON, Completion)": (("OpenAIModel._completion",), ("HTTPReply.json",)),
    "structured output: building the request": (("_build_request",),),
    "structured output: parsing and validating": (("structured.py:", "_validate"),),
    "agent: turn schema": (("turn_schema",),),
    "agent: prompt": (("TurnPrompt.messages",),),
    "agent: applying the turn": (("_apply_turn",),),
}


def child(respondents: int) -> None:
    """In a fresh process: one survey at 0 ms over HTTP; prints one JSON line after MARKER."""
    from bench.scenarios.harness import configure, http_setup, warm_up
    from bench.scenarios.survey import run_survey

    configure(max_concurrent_model_calls=100)
    with http_setup(responder="bench.scenarios.replies:survey_reply", in_process=False, latency=0.0,
                    record_bodies=False) as server:
        warm_up(server)
        server.reset()
        run = run_survey(respondents)
        stats = server.stats()
    result = {"respondents": respondents, "requests": stats["requests"], "answered": run["answered"],
              "step_cpu_s": round(run["cpu"], 3), "step_wall_s": round(run["wall"], 3),
              "build_s": round(run["build_wall"], 3),
              "cpu_ms_per_request": round(run["cpu"] * 1000 / max(1, stats["requests"]), 4),
              "server_engine": stats["server_engine"],
              "server_cpu_ms_per_request": round(stats["server_cpu_s"] * 1000 / max(1, stats["requests"]), 4)}
    print(MARKER + json.dumps(result), flush=True)


def _run_child(tree: Path, respondents: int, profile: str | None = None) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--respondents", str(respondents)]
    if profile:  # sampled, so the profile costs the measured code nothing
        cmd = ["py-spy", "record", "-r", "200", "-f", "raw", "-o", profile, "--"] + cmd
    env = {**os.environ, "TINYTROUPE_DISPLAY": "off", "PYTHONPATH": str(tree), "BENCH_TREE": str(tree),
           "TINYTROUPE_HOME": os.environ.get("TINYTROUPE_HOME", str(Path("/tmp") / "tt-bench-home"))}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env, cwd=tree)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    raise RuntimeError(f"the measurement in {tree} failed: {(proc.stderr or proc.stdout)[-2000:]}")


def _frames_match(frames: list[str], pattern: tuple[str, ...]) -> bool:
    at = 0
    for needle in pattern:
        while at < len(frames) and needle not in frames[at]:
            at += 1
        if at == len(frames):
            return False
        at += 1
    return True


def profile_parts(path: str) -> dict[str, Any]:
    """Share of the step's samples (the event loop's thread) in each part of :data:`PARTS`."""
    total = 0
    found = dict.fromkeys(PARTS, 0)
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if "run_forever" not in stack or not count.isdigit():
            continue
        frames = stack.split(";")
        total += int(count)
        for name, patterns in PARTS.items():
            if any(_frames_match(frames, p) for p in patterns):
                found[name] += int(count)
    return {"samples": total, "shares": {name: round(n / max(1, total), 4) for name, n in found.items()}}


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
        if shutil.which("py-spy") is None:
            raise SystemExit("--profile samples with py-spy: pip install py-spy")
        path = str(Path(tempfile.gettempdir()) / f"request_cost_{os.getpid()}.txt")
        for label, tree in (("after", ROOT), ("before", baseline)):
            if tree is None:
                continue
            _run_child(tree, respondents, profile=path)
            result[f"profile_{label}"] = profile_parts(path)
    return result


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"cpu_ms_per_request": statistics.median(r["cpu_ms_per_request"] for r in runs),
            "min_cpu_ms_per_request": min(r["cpu_ms_per_request"] for r in runs),
            "runs_cpu_ms_per_request": [r["cpu_ms_per_request"] for r in runs],
            "requests": runs[0]["requests"], "answered": runs[0]["answered"],
            "step_wall_s": statistics.median(r["step_wall_s"] for r in runs),
            "server_engine": runs[0].get("server_engine", "threads"),  # a baseline tree may predate engines
            "server_cpu_ms_per_request": runs[0].get("server_cpu_ms_per_request")}


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
             "| code | ideal | measured (median) | ratio | least of the runs | runs | answered | target | |",
             "|---|---:|---:|---:|---:|---|---:|---|---|"]
    for label, row in (("before", before), ("after", after)):
        if row is None:
            continue
        ms = row["cpu_ms_per_request"]
        met = "met" if ms <= TARGET_MS and row["answered"] == n else "**missed**"
        lines.append(f"| {label} | {TARGET_MS} ms | {ms:.3f} ms | {ms / TARGET_MS:.2f} | "
                     f"{row['min_cpu_ms_per_request']:.3f} ms | "
                     f"{', '.join(f'{v:.3f}' for v in row['runs_cpu_ms_per_request'])} | {row['answered']:,}/{n:,} | "
                     f"<= {TARGET_MS} ms | {met} |")
    if "profile_after" in result:
        lines += ["", "Profile: py-spy samples (200 per second) of one more run of each code, the event loop's "
                  "thread (where the step runs); the share of the step's samples in each part (parts may nest), "
                  "and that share of the CPU per request measured above:", "",
                  "| part of the step | before | after | before, ms per request | after, ms per request |",
                  "|---|---:|---:|---:|---:|"]
        shares_b = result.get("profile_before", {}).get("shares", {})
        ms_b = before["cpu_ms_per_request"] if before else None
        for name, share in result["profile_after"]["shares"].items():
            was = shares_b.get(name)
            was_txt = "" if was is None else f"{was * 100:.1f}%"
            was_ms = "" if was is None or ms_b is None else f"{was * ms_b:.3f}"
            lines.append(f"| {name} | {was_txt} | {share * 100:.1f}% | {was_ms} | {share * after['cpu_ms_per_request']:.3f} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another source tree to measure alternately (before)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.respondents)
        return 0
    started = time.perf_counter()
    result = measure(args.respondents, args.repeats, args.baseline, args.profile)
    result["bench_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))
    if args.write_results:
        from bench.run_all import RESULTS_MD, replace_section  # the section keeps its place in the file

        text = RESULTS_MD.read_text(encoding="utf-8")
        RESULTS_MD.write_text(replace_section(text, SECTION, section(result)).rstrip("\n") + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
