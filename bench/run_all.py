"""Run the whole benchmark suite and rewrite bench/RESULTS.md and bench/results.json.

::

    python bench/run_all.py                 # everything (under 10 minutes on 2 cores)
    python bench/run_all.py --only survey_1000 faults
    python bench/run_all.py --toy --no-write  # toy sizes, a quick check that it all runs
    python bench/run_all.py --with-slow       # also the embedded-model benchmark (minutes more)

Each scenario of :mod:`bench.scenarios` runs in its own Python process, so its peak memory
(``ru_maxrss``) is its own and no state leaks between scenarios. The other benchmark scripts
in ``bench/`` (``bench_*.py``) run too: those that take ``--write-results`` keep their own
sections of RESULTS.md up to date; the output of the others is kept in a section here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scenarios import SCENARIOS, get_scenario  # noqa: E402
from bench.scenarios.harness import Row, load_average  # noqa: E402

RESULTS_MD = ROOT / "bench" / "RESULTS.md"
RESULTS_JSON = ROOT / "bench" / "results.json"
SECTION = "## Benchmark suite (issue 8)"
SCRIPTS_SECTION = "## Other benchmark scripts"
MARKER = "@@BENCH-RESULT@@ "
SCENARIO_TIMEOUT = 420
SCRIPT_TIMEOUT = 180


def run_scenario_here(name: str, toy: bool) -> list[Row]:
    """Run one scenario in this process and return its rows."""
    scenario = get_scenario(name)
    kwargs = scenario.toy if toy else scenario.full
    return scenario.load()(**kwargs)


def _child_main(name: str, toy: bool) -> int:
    rows = run_scenario_here(name, toy)
    print(MARKER + json.dumps([r.to_dict() for r in rows]), flush=True)
    return 0


def run_scenario_process(name: str, toy: bool, timeout: float = SCENARIO_TIMEOUT) -> dict[str, Any]:
    """Run one scenario in a child process; its rows (or the error) with wall seconds."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name] + (["--toy"] if toy else [])
    env = {**os.environ, "TINYTROUPE_DISPLAY": "off", "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"name": name, "rows": [], "error": f"timed out after {timeout:.0f} s",
                "seconds": round(time.perf_counter() - start, 1)}
    seconds = round(time.perf_counter() - start, 1)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARKER):
            rows = [Row.from_dict(d) for d in json.loads(line[len(MARKER):])]
            return {"name": name, "rows": rows, "error": None, "seconds": seconds}
    tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-12:]
    return {"name": name, "rows": [], "error": f"exit {proc.returncode}: " + " | ".join(tail), "seconds": seconds}


# How the other scripts run: (arguments, keeps its own RESULTS.md section, slow). A script not
# listed runs without arguments (with --write-results when it takes it) and, unless it writes
# its own section, its output is kept in SCRIPTS_SECTION. Slow ones run only with --with-slow;
# their sections stay as they are otherwise.
SCRIPTS: dict[str, tuple[list[str], bool, bool]] = {
    "bench_prompt_growth.py": (["--turns", "50", "--write-results"], True, False),
    "bench_factory.py": (["--write-results"], True, False),
    "bench_foundation.py": ([], True, True),  # the embedded model takes minutes on 2 cores
    "bench_control.py": ([], False, False),
    "bench_world_step.py": ([], False, False),
    "bench_broadcast_crowd.py": (["--agents", "2000"], False, True),  # minutes: 4 million deliveries
    "bench_adaptive.py": (["--processes", "2", "--write-results"], True, False),
    # 10,000 agents per process; its RESULTS.md section (with the code before beside it) is written by hand
    "bench_request_cost.py": (["--respondents", "10000", "--repeats", "1"], False, True),
    # minutes (a Ray cluster, 10,000 people at 200 ms); its RESULTS.md section is written when it runs on its
    # own with --write-results (1 and 2 workers and a 100,000-person survey: about 15 minutes on 2 cores)
    "bench_scale.py": (["--survey", "10000", "--ray", "10000", "--workers", "2", "--world", "10000"], False, True),
}


def _script_plan(script: Path) -> tuple[list[str], bool, bool]:
    if script.name in SCRIPTS:
        return SCRIPTS[script.name]
    writes = "--write-results" in script.read_text(encoding="utf-8")
    return (["--write-results"] if writes else []), writes, False


def run_other_scripts(with_slow: bool = False, timeout: float = SCRIPT_TIMEOUT) -> list[dict[str, Any]]:
    """Run bench/bench_*.py; those that keep their own RESULTS.md section update it themselves."""
    outputs = []
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        args, own, slow = _script_plan(script)
        if slow and not with_slow:
            outputs.append({"script": script.name, "args": args, "returncode": None, "seconds": 0.0,
                            "output": "skipped (slow; run_all.py --with-slow runs it)", "own_section": own,
                            "skipped": True})
            continue
        print(f"running {script.name} {' '.join(args)} ...", flush=True)
        start = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                                  timeout=timeout, cwd=ROOT, env={**os.environ, "TINYTROUPE_DISPLAY": "off"})
            output, code = (proc.stdout + proc.stderr).strip(), proc.returncode
        except subprocess.TimeoutExpired:
            output, code = f"timed out after {timeout:.0f} s", None
        outputs.append({"script": script.name, "args": args, "returncode": code, "output": output[-4000:],
                        "seconds": round(time.perf_counter() - start, 1), "own_section": own, "skipped": False})
    return outputs


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.3f} s"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}" + (f" {unit}" if unit else "")
    return f"{value:.3g}" + (f" {unit}" if unit else "")


def _verdict(row: Row) -> str:
    return {True: "met", False: "**missed**", None: "-"}[row.passed]


def render_table(rows: list[Row]) -> str:
    """The results table: scenario, ideal, measured, ratio, requests, tokens, peak memory, target."""
    lines = ["| scenario | ideal | measured | ratio | requests | tokens | peak RSS | target | |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in rows:
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
        rss = "-" if r.peak_rss_mib is None else f"{r.peak_rss_mib:,.0f} MiB"
        lines.append(f"| {r.scenario} | {_fmt(r.ideal, r.unit)} | {_fmt(r.measured, r.unit)} | {ratio} | "
                     f"{_fmt(r.requests)} | {_fmt(r.tokens)} | {rss} | {r.target} | {_verdict(r)} |")
    return "\n".join(lines)


def render_section(report: dict[str, Any]) -> str:
    """The RESULTS.md section of this suite: how it ran, the table, notes, profile."""
    rows = [Row.from_dict(d) for d in report["rows"]]
    out = [SECTION, "",
           f"`python bench/run_all.py` on {report['machine']}, {report['date']}; the whole suite took "
           f"{report['total_seconds']:.0f} s; one-minute load average {report['load_before']} before, "
           f"{report['load_after']} after (other work shares these cores; compare ratios within one run). "
           "Ideal = the latency-bound time with everything that can overlap overlapped. The loopback "
           "OpenAI-compatible server runs in its own process; the client is the real OpenAI provider "
           "with the usual wrappers.", "", render_table(rows), "", "### Notes", ""]
    out += [f"- **{r.scenario}**: {r.note}" for r in rows if r.note]
    for failure in report["errors"]:
        out.append(f"- **{failure['name']}** did not finish: {failure['error']}")
    for r in rows:
        profile = r.details.get("profile")
        if profile:
            out += ["", f"### Where the CPU goes ({r.scenario})", "",
                    "cProfile of one focus-group run with a CPU-time clock; the profiler's own cost inflates "
                    "every figure (compare the total with the measured value above), so read the shares.", "",
                    "```", profile.rstrip(), "```"]
        series = r.details.get("series_table")
        if series:
            out += ["", f"### Prompt tokens per request over time ({r.scenario})", "", series]
    return "\n".join(out) + "\n"


def render_scripts_section(outputs: list[dict[str, Any]]) -> str:
    """The section holding the output of benchmark scripts that do not write their own."""
    out = [SCRIPTS_SECTION, "", "Raw output of the scripts that do not write a section of their own, from the "
           "latest `python bench/run_all.py`."]
    for item in outputs:
        if item.get("skipped"):
            out += ["", f"- `bench/{item['script']}`: {item['output']}; it keeps its own section when run on its own."]
            continue
        if item["own_section"]:
            continue
        out += ["", f"`python bench/{item['script']}` (exit {item['returncode']}, {item['seconds']} s):", "",
                "```", item["output"].rstrip() or "(no output)", "```"]
    return "\n".join(out) + "\n"


def replace_section(text: str, heading: str, body: str, *, first: bool = False) -> str:
    """``text`` with the ``## heading`` section replaced by ``body`` (added when missing)."""
    pattern = re.compile(r"^" + re.escape(heading) + r"\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(lambda _: body.rstrip("\n") + "\n\n", text)
    if first:
        head, sep, rest = text.partition("\n## ")
        return head.rstrip("\n") + "\n\n" + body.rstrip("\n") + "\n\n" + (("## " + rest) if sep else "")
    return text.rstrip("\n") + "\n\n" + body


def write_results(report: dict[str, Any], outputs: list[dict[str, Any]], md: Path = RESULTS_MD,
                  js: Path = RESULTS_JSON) -> None:
    """Rewrite this suite's sections of ``md`` (others' sections are kept) and write ``js``."""
    text = md.read_text(encoding="utf-8") if md.is_file() else "# Benchmark results\n"
    text = replace_section(text, SECTION, render_section(report), first=True)
    if any(not o["own_section"] or o.get("skipped") for o in outputs):
        text = replace_section(text, SCRIPTS_SECTION, render_scripts_section(outputs))
    md.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    js.write_text(json.dumps({**report, "scripts": outputs}, indent=2) + "\n", encoding="utf-8")


def run_suite(names: list[str], toy: bool, with_scripts: bool,
              with_slow: bool = False) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the named scenarios (each in a child process) and, optionally, the other scripts."""
    start = time.perf_counter()
    load_before = load_average()
    rows: list[dict[str, Any]] = []
    errors, timings = [], {}
    for name in names:
        print(f"running {name} ...", flush=True)
        result = run_scenario_process(name, toy)
        timings[name] = result["seconds"]
        print(f"  ({result['seconds']:.0f} s)", flush=True)
        for row in result["rows"]:
            rows.append(row.to_dict())
            print(f"  {row.scenario}: measured {_fmt(row.measured, row.unit)}, ideal {_fmt(row.ideal, row.unit)}"
                  f" -> {_verdict(row)}" + (f"\n    {row.note}" if row.note else ""), flush=True)
        if result["error"]:
            errors.append({"name": name, "error": result["error"]})
            print(f"  FAILED: {result['error']}", flush=True)
    outputs = run_other_scripts(with_slow) if with_scripts else []
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "toy": toy,
              "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}",
              "load_before": load_before, "load_after": load_average(), "scenario_seconds": timings,
              "total_seconds": round(time.perf_counter() - start, 1), "rows": rows, "errors": errors}
    return report, outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="SCENARIO", help="run only these scenarios")
    parser.add_argument("--toy", action="store_true", help="toy sizes (a quick check, not a measurement)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--no-scripts", action="store_true", help="skip the other bench_*.py scripts")
    parser.add_argument("--with-slow", action="store_true", help="also run slow scripts (the embedded model)")
    parser.add_argument("--child", metavar="SCENARIO", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child_main(args.child, args.toy)
    names = args.only or [s.name for s in SCENARIOS]
    for name in names:
        get_scenario(name)  # unknown names fail before anything runs
    report, outputs = run_suite(names, args.toy, with_scripts=not (args.no_scripts or args.only or args.toy),
                                with_slow=args.with_slow)
    print(f"total {report['total_seconds']:.0f} s")
    if not args.no_write:
        write_results(report, outputs)
        print(f"wrote {RESULTS_MD.relative_to(ROOT)} and {RESULTS_JSON.relative_to(ROOT)}")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
