"""Benchmark: scale on one machine, against the loopback server at 200 ms, and what more would need.

Each case runs in a fresh Python process (so its peak RSS is its own) with the loopback
OpenAI-compatible server in a process of its own (200 ms per request, several hundred at once):

- ``survey``: a one-question survey (``Survey.run``) of N seeded respondents, the local executor;
- ``ray``: the same survey on the Ray executor, a cluster of W one-CPU nodes all on 127.0.0.1;
- ``world``: a world of N agents hearing one question and stepped once (local);
- ``ray_world``: the same world with its agents sharded over W Ray actors (``shard_world``), a
  cluster of W one-CPU nodes on 127.0.0.1.

Reported: wall time against the ideal (N / concurrency x latency), peak RSS, CPU per request;
then a projection from these figures of a 1M-person survey and a 100k-agent world::

    python bench/bench_scale.py --survey 10000 100000 --ray 10000 --workers 1 2 --world 10000 --ray-world 10000
    python bench/bench_scale.py --survey 10000 --write-results
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECTION = "## Scale on one machine (issue 26)"
MARKER = "@@BENCH-SCALE@@ "
LATENCY = 0.2
CONCURRENCY = 200
RESPONDER = "bench.scenarios.replies:survey_reply"
LOOPBACK = "127.0.0.1"


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _tree_usage(skip: set[int]) -> tuple[float, float]:
    """CPU seconds and the sum of peak RSS (MiB) of this process and its descendants, but ``skip``."""
    tick = os.sysconf("SC_CLK_TCK")
    cpu = hwm = 0.0
    for pid in _tree(os.getpid()):
        if pid in skip:
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / tick
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    hwm += int(line.split()[1]) / 1024
        except (OSError, IndexError, ValueError):
            continue
    return cpu, hwm


def _settings(base_url: str, concurrency: int) -> dict[str, Any]:
    return {"api_type": "openai", "base_url": base_url, "model": "loop", "display": "off",
            "cache_api_calls": False, "max_concurrent_model_calls": concurrency, "adaptive_concurrency": False}


def _ray_cluster(workers: int) -> Any:
    """A Ray cluster of ``workers`` one-CPU nodes, every one on 127.0.0.1, joined by this process."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    import ray
    from ray._private import ray_constants
    from ray.cluster_utils import Cluster

    ray_constants.ENABLE_RAY_CLUSTER = False
    node = {"num_cpus": 1, "node_ip_address": LOOPBACK, "object_store_memory": 200 * 2**20}
    nodes = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    for _ in range(workers - 1):
        nodes.add_node(**node)
    nodes.wait_for_nodes()
    ray.init(address=nodes.address, _node_ip_address=LOOPBACK, log_to_driver=False)
    return nodes


def run_survey(base_url: str, people: int, *, concurrency: int = CONCURRENCY, workers: int = 0,
               server_pid: int | None = None) -> dict[str, Any]:
    """A one-question survey of ``people`` respondents; ``workers`` > 0 runs it on a Ray cluster of that size."""
    from bench.scenarios.survey import respondents
    from tinytroupe.agent import TinyPerson
    from tinytroupe.executors import executor_named
    from tinytroupe.runtime import Runtime
    from tinytroupe.survey import LikertQuestion, Survey

    survey = Survey([LikertQuestion(text="I would pay 5 euros a month for a bicycle-sharing subscription.",
                                    name="pay")])
    nodes = _ray_cluster(workers) if workers else None
    skip = {server_pid} if server_pid else set()
    try:
        with Runtime(_settings(base_url, concurrency)):
            ex = executor_named("ray", address=nodes.address, workers=workers) if nodes else executor_named("local")
            t0 = time.perf_counter()
            survey.run(respondents(max(2, workers), seed=99), executor=ex)  # imports, HTTP client, Ray workers
            warm = time.perf_counter() - t0
            TinyPerson.clear_agents()
            b0 = time.perf_counter()
            crowd = respondents(people)
            build, rss_built = time.perf_counter() - b0, _rss_mib()
            cpu0, tree0 = time.process_time(), _tree_usage(skip)[0]
            w0 = time.perf_counter()
            result = survey.run(crowd, executor=ex)
            wall = time.perf_counter() - w0
            cpu, (tree1, tree_rss) = time.process_time() - cpu0, _tree_usage(skip)
            if nodes:
                ex._kill_services()
    finally:
        if nodes:
            import ray

            ray.shutdown()
            nodes.shutdown()
    return {"people": people, "workers": workers, "wall_s": round(wall, 3), "driver_cpu_s": round(cpu, 3),
            "tree_cpu_s": round(tree1 - tree0, 3), "tree_peak_rss_mib": round(tree_rss, 1),
            "answered": len(result.responses) - len(result.errors()), "build_s": round(build, 3),
            "warm_up_s": round(warm, 2), "rss_built_mib": round(rss_built, 1), "peak_rss_mib": round(_rss_mib(), 1)}


def run_world(people: int) -> dict[str, Any]:
    """A world of ``people`` agents, one question broadcast, stepped once (the default HTTP model)."""
    from bench.scenarios.survey import run_survey as world_step

    run = world_step(people)
    return {"people": people, "workers": 0, "wall_s": round(run["wall"], 3), "driver_cpu_s": round(run["cpu"], 3),
            "answered": run["answered"], "build_s": round(run["build_wall"], 3),
            "peak_rss_mib": round(_rss_mib(), 1)}


def run_sharded_world(base_url: str, people: int, workers: int) -> dict[str, Any]:
    """The ``world`` case with its agents held by ``workers`` Ray actors on a cluster of that many nodes
    (the model given by settings, which travel to the shards, not installed in this process)."""
    from bench.scenarios.survey import SURVEY_QUESTION, respondents
    from tinytroupe.environment import TinyWorld
    from tinytroupe.executors import executor_named, shard_world
    from tinytroupe.runtime import Runtime

    nodes = _ray_cluster(workers)
    try:
        with Runtime(_settings(base_url, CONCURRENCY)):
            ex = executor_named("ray", address=nodes.address, workers=workers)
            b0 = time.perf_counter()
            crowd = respondents(people)
            world = TinyWorld("Survey", crowd, broadcast_if_no_target=False, seed=3)
            with shard_world(world, ex, workers):
                world.broadcast(SURVEY_QUESTION)  # sent to the shards with the step's first turns
                build = time.perf_counter() - b0
                cpu0, w0 = time.process_time(), time.perf_counter()
                history = world.run(1, return_actions=True) or [{}]
                wall, cpu = time.perf_counter() - w0, time.process_time() - cpu0
            ex._kill_services()
    finally:
        import ray

        ray.shutdown()
        nodes.shutdown()
    answered = sum(1 for p in crowd if any(a["action"]["type"] == "TALK" for a in history[0].get(p.name, [])))
    return {"people": people, "workers": workers, "wall_s": round(wall, 3), "driver_cpu_s": round(cpu, 3),
            "answered": answered, "build_s": round(build, 3), "peak_rss_mib": round(_rss_mib(), 1)}


def child(kind: str, people: int, workers: int, concurrency: int) -> dict[str, Any]:
    """In a fresh process: the loopback server in its own process, then one case; its figures."""
    from bench.scenarios.harness import configure, http_setup, warm_up

    configure(max_concurrent_model_calls=concurrency, adaptive_concurrency=False)
    with http_setup(responder=RESPONDER, in_process=False, latency=LATENCY, record_bodies=False) as server:
        rss0 = _rss_mib()
        if kind in ("world", "ray_world"):
            warm_up(server)
            server.reset()
            out = run_world(people) if kind == "world" else run_sharded_world(server.base_url, people, workers)
        else:
            out = run_survey(server.base_url, people, concurrency=concurrency, workers=workers,
                             server_pid=server._proc.pid)
        stats = server.stats()
    requests = stats["requests"] - (0 if kind in ("world", "ray_world") else max(2, workers))  # less the warm-up's
    return {**out, "kind": kind, "concurrency": concurrency, "requests": requests,
            "max_in_flight": stats["max_in_flight"], "server_cpu_s": stats["server_cpu_s"],
            "server_engine": stats["server_engine"],
            "server_cpu_ms_per_request": round(stats["server_cpu_s"] * 1000 / max(1, stats["requests"]), 3),
            "rss_start_mib": round(rss0, 1), "ideal_s": round(math.ceil(people / concurrency) * LATENCY, 3)}


def measure(kind: str, people: int, workers: int = 0, concurrency: int = CONCURRENCY,
            timeout: float = 600) -> dict[str, Any]:
    """One case in a child process (bounded by ``timeout``); its figures or the error."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(people), str(workers),
           str(concurrency)]
    env = {**os.environ, "TINYTROUPE_DISPLAY": "off", "PYTHONPATH": str(ROOT)}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"kind": kind, "people": people, "workers": workers, "error": f"timed out after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
    return {"kind": kind, "people": people, "workers": workers, "error": f"exit {proc.returncode}: {tail}"}


def _label(r: dict[str, Any]) -> str:
    what = {"survey": "survey, local executor", "ray": f"survey, Ray, {r['workers']} worker(s)",
            "world": "world stepped once, local",
            "ray_world": f"world stepped once, {r['workers']} Ray shard(s)"}[r["kind"]]
    return f"{what}: {r['people']:,}"


def render(runs: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The RESULTS.md section: the table, then the projection."""
    lines = [SECTION, "", f"`python bench/bench_scale.py {meta['args']}` on {meta['machine']}, {meta['date']}; "
             f"one-minute load average {meta['load_before']} before, {meta['load_after']} after (2 cores shared "
             "with other work: compare ratios within this run). Loopback server in its own process at "
             f"{LATENCY * 1000:.0f} ms, concurrency {CONCURRENCY}; ideal = ceil(N / concurrency) x latency. "
             "CPU per request: the driver process (for Ray: driver, raylets and workers together, the "
             "server excluded); peak RSS: the driver (for Ray also the sum of every process's peak).", "",
             "| case | ideal | measured | ratio | answered | requests/s | CPU per request | server CPU per request "
             "| peak RSS | building the people |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        if "error" in r:
            lines.append(f"| {_label(r)} | | did not finish: {r['error'].replace('|', '/')} | | | | | | | |")
            continue
        req = max(1, r["requests"])
        cpu = r.get("tree_cpu_s", r["driver_cpu_s"]) if r["kind"] == "ray" else r["driver_cpu_s"]
        rss = f"{r['peak_rss_mib']:,.0f} MiB" + (f" (all {r['tree_peak_rss_mib']:,.0f})" if r["kind"] == "ray" else "")
        lines.append(f"| {_label(r)} | {r['ideal_s']:.1f} s | {r['wall_s']:.1f} s | {r['wall_s'] / r['ideal_s']:.2f} | "
                     f"{r['answered']:,}/{r['people']:,} | {req / r['wall_s']:,.0f} | {cpu * 1000 / req:.2f} ms | "
                     f"{r['server_cpu_s'] * 1000 / req:.2f} ms | {rss} | {r['build_s']:.1f} s |")
    lines += ["", *notes(runs), "", *projection(runs)]
    return "\n".join(lines) + "\n"


def notes(runs: list[dict[str, Any]]) -> list[str]:
    """What the table does not say: cold starts, retries, where the time went."""
    out = ["### Notes", "",
           "- The driver, the loopback server and (for Ray) the GCS, raylets and workers all share the same 2 "
           "cores: every ratio above is CPU-bound, not latency-bound (the server alone takes the server column "
           "per request)."]
    for r in runs:
        if "error" in r:
            continue
        extra = r["requests"] - r["people"]
        bits = [f"{extra} request(s) beyond one per person: retries under load"] if extra > 0 else []
        if r["kind"] == "ray":
            bits.append(f"a {max(2, r['workers'])}-person survey first (Ray workers starting, imports) took "
                        f"{r['warm_up_s']} s, not counted; the driver's own CPU was {r['driver_cpu_s']} s; "
                        "\"all\" sums every Ray process's peak RSS (shared pages counted more than once)")
        if bits:
            out.append(f"- **{_label(r)}**: " + "; ".join(bits) + ".")
    return out


def projection(runs: list[dict[str, Any]]) -> list[str]:
    """What a 1M-person survey and a 100k-agent world would need, from the measured figures."""
    ok = [r for r in runs if "error" not in r]
    local = max((r for r in ok if r["kind"] == "survey"), key=lambda r: r["people"], default=None)
    ray1 = next((r for r in ok if r["kind"] == "ray" and r["workers"] == 1), None)
    ray2 = next((r for r in ok if r["kind"] == "ray" and r["workers"] == 2), None)
    world = next((r for r in ok if r["kind"] == "world"), None)
    out = ["### Projection", ""]
    if local:
        per_req = local["driver_cpu_s"] / local["requests"]
        per_person = (local["peak_rss_mib"] - local["rss_start_mib"]) / local["people"]
        out.append(f"- **1M-person survey, one process**: {per_req * 1000:.2f} ms of CPU per request caps one core at "
                   f"~{1 / per_req:,.0f} requests/s, so 1M requests take >= {1e6 * per_req / 60:.0f} min of CPU "
                   f"(the latency bound at concurrency {CONCURRENCY} is {1e6 / CONCURRENCY * LATENCY / 60:.0f} min); "
                   f"memory ~{per_person * 1024:.1f} KiB per respondent -> ~{per_person * 1e6 / 1024:.1f} GiB.")
    if ray1:
        out.append(_ray_projection(ray1, ray2))
    if world:
        turn = world["driver_cpu_s"] / max(1, world["people"])
        per_agent = (world["peak_rss_mib"] - world["rss_start_mib"]) / world["people"]
        out.append(f"- **100k-agent world**: a step costs the driver {turn * 1000:.2f} ms of CPU per agent turn, so "
                   f"one step of 100k agents needs >= {1e5 * turn:.0f} s of one core (the latency bound at "
                   f"concurrency {CONCURRENCY}: {1e5 / CONCURRENCY * LATENCY:.0f} s) and ~{per_agent * 1e5 / 1024:.1f} GiB "
                   f"({per_agent * 1024:.0f} KiB per agent: the peak RSS above the process start, per agent)."
                   + _sharded_world_note(world, [r for r in ok if r["kind"] == "ray_world"]))
    return out


def _sharded_world_note(world: dict[str, Any], sharded: list[dict[str, Any]]) -> str:
    """What the sharded-world rows say beside the local world, or how to measure them."""
    if not sharded:
        return (" Sharded over Ray actors (shard_world), the agents' memories and turns leave the driver; "
                "measure it with --ray-world N.")
    bits = [f"{r['workers']} shard(s) {r['wall_s']:.1f} s (driver CPU {r['driver_cpu_s'] * 1000 / max(1, r['people']):.2f} "
            f"ms per agent)" for r in sharded]
    return (f" Sharded over Ray actors, a step of {sharded[0]['people']:,} agents took " + ", ".join(bits)
            + f" (the local step of {world['people']:,} agents: driver CPU "
            f"{world['driver_cpu_s'] * 1000 / max(1, world['people']):.2f} ms per agent); the driver still routes every delivery and files "
            "every event, so its CPU per agent bounds a step whatever the shard count.")


def _ray_projection(ray1: dict[str, Any], ray2: dict[str, Any] | None) -> str:
    """Workers and time for a 1M-person survey on Ray, from the one-worker (and two-worker) runs."""
    rate1 = ray1["requests"] / ray1["wall_s"]
    per_core = ray1["requests"] / max(1e-9, ray1["tree_cpu_s"])  # all of Ray's processes, one core's worth
    provider = CONCURRENCY / LATENCY
    need = math.ceil(provider / per_core)
    scale = (f"; 2 workers {ray2['requests'] / ray2['wall_s']:,.0f}/s ({ray1['wall_s'] / ray2['wall_s']:.2f} x, "
             "the same 2 shared cores)") if ray2 else ""
    driver = (ray1["peak_rss_mib"] - ray1["rss_start_mib"]) / ray1["people"]
    return (f"- **1M-person survey on Ray**: one worker answered {rate1:,.0f} requests/s{scale}. Counting every Ray "
            f"process's CPU, a request costs {1000 / per_core:.1f} ms, so one dedicated core carries ~{per_core:,.0f}/s. "
            f"A provider taking {CONCURRENCY} at {LATENCY * 1000:.0f} ms serves {provider:,.0f}/s: ~{need} workers "
            f"(a core each, plus the driver's) saturate it, and 1M then takes ~{1e6 / provider / 60:.0f} min; with W "
            f"workers below that, ~{1e6 / per_core / 60:.0f} / W min. The driver holds and encodes every respondent "
            f"({driver * 1024:.0f} KiB each at {ray1['people']:,}: ~{driver * 1e6 / 1024:.0f} GiB at 1M) and one "
            f"survey call cuts the population into W shards at once; at 1M, run it as several calls of ~100k "
            "(or build the people on the workers), which the survey API does not do by itself.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survey", type=int, nargs="*", default=[10_000], help="local-executor survey sizes")
    parser.add_argument("--ray", type=int, default=0, help="survey size on Ray (0: skip)")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2], help="Ray cluster sizes")
    parser.add_argument("--world", type=int, default=0, help="world size stepped once (0: skip)")
    parser.add_argument("--ray-world", type=int, default=0, help="world size stepped once on Ray shards (0: skip)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per case")
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--server-engine", choices=("asyncio", "threads"), default=None,
                        help="the loopback server's engine (default asyncio, or $BENCH_SERVER_ENGINE)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.server_engine:
        os.environ["BENCH_SERVER_ENGINE"] = args.server_engine  # the cases' processes read it
    if args.child:
        kind, people, workers, conc = args.child
        print(MARKER + json.dumps(child(kind, int(people), int(workers), int(conc))), flush=True)
        return 0
    from bench.scenarios.harness import load_average

    meta = {"args": " ".join(sys.argv[1:]), "load_before": load_average(), "date": time.strftime("%Y-%m-%d %H:%M"),
            "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"}
    sizes = sorted(args.survey)  # the largest local survey last: it is the one most likely to run out of time
    cases = [("survey", n, 0) for n in sizes[:1]] + [("ray", args.ray, w) for w in (args.workers if args.ray else [])]
    cases += ([("world", args.world, 0)] if args.world else [])
    cases += [("ray_world", args.ray_world, w) for w in (args.workers if args.ray_world else [])]
    cases += [("survey", n, 0) for n in sizes[1:]]
    runs = []
    for kind, n, w in cases:
        print(f"running {kind} {n} workers={w} ...", flush=True)
        runs.append(measure(kind, n, w, timeout=args.timeout))
        print("  " + json.dumps(runs[-1]), flush=True)
    meta["load_after"] = load_average()
    text = render(runs, meta)
    print(text)
    if args.write_results:
        from bench.bench_first_call import write_section

        write_section(text)
    return 1 if any("error" in r for r in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
