"""Framework overhead: the focus group at 0 ms latency, CPU seconds per agent turn, and where they go.

The model is the scripted model inside the usual wrappers (retry, limits, usage), answering at
once, so the CPU measured is the library's own work per turn: building the prompt, the
structured-output request and its validation, memory, events, routing. The same focus group
through the real HTTP client at 0 ms is reported beside it (the ``openai`` client's own work
included; the server is in another process). A cProfile of one run shows where the time goes.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import time
from pathlib import Path
from typing import Any

from bench.scenarios.focus_group import QUESTION, focus_group_agents, run_focus_group
from bench.scenarios.harness import Clock, Row, configure, fresh_simulation, http_setup, peak_rss_mib, warm_up

__all__ = ["framework_overhead", "profile_table", "TARGET_MS"]

TARGET_MS = 2.0
_ROOTS = (str(Path(__file__).resolve().parents[2]), "site-packages")


def _short(filename: str) -> str:
    for root in _ROOTS:
        if root in filename:
            return filename.split(root, 1)[1].lstrip("/")
    return Path(filename).name


def profile_table(profile: cProfile.Profile, top: int, per: int) -> str:
    """The ``top`` functions by own time: calls, own ms and cumulative ms per turn (``per`` turns)."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    entries = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    total = sum(v[2] for v in stats.values())
    lines = [f"{'calls/turn':>10} {'own ms/turn':>11} {'cum ms/turn':>11}  function",
             f"{'':>10} {total * 1000 / per:>11.3f} {'':>11}  (all functions)"]
    for (filename, line, name), (_cc, calls, own, cum, _callers) in entries:
        lines.append(f"{calls / per:>10.1f} {own * 1000 / per:>11.3f} {cum * 1000 / per:>11.3f}  "
                     f"{_short(filename)}:{line}({name})")
    return "\n".join(lines)


def _repeat(agents: int, steps: int, repeats: int) -> dict[str, Any]:
    cpu = wall = 0.0
    actions = turns = 0
    for _ in range(repeats):
        fresh_simulation()
        run = run_focus_group(agents, steps)
        cpu, wall = cpu + run["cpu"], wall + run["wall"]
        actions += sum(p.actions_count for p in run["agents"])
        turns += agents * steps
    return {"cpu": cpu, "wall": wall, "actions": actions, "turns": turns}


def _profiled_run(agents: int, steps: int) -> cProfile.Profile:
    """One focus group run in this thread (arun), so cProfile sees the whole turn."""
    from tinytroupe.environment import TinyWorld

    fresh_simulation()
    world = TinyWorld("Focus Group", focus_group_agents(agents), seed=11)
    world.broadcast(QUESTION)
    profile = cProfile.Profile(time.thread_time)  # CPU time: other processes' load does not count
    profile.enable()
    asyncio.run(world.arun(steps))
    profile.disable()
    return profile


def _scripted() -> None:
    from bench.scenarios.replies import scripted_turn
    from tinytroupe import llm

    llm.set_default_model(llm.ScriptedModel(responder=scripted_turn))


def framework_overhead(agents: int = 8, steps: int = 3, repeats: int = 10, top: int = 15,
                       in_process: bool = False) -> list[Row]:
    """CPU ms per agent turn at 0 ms (scripted model; then the HTTP client), with a profile."""
    configure()
    _scripted()
    warm_up()
    with Clock():
        scripted = _repeat(agents, steps, repeats)
    profile = _profiled_run(agents, steps)
    per_turn = scripted["cpu"] * 1000 / scripted["turns"]
    per_action = scripted["cpu"] * 1000 / max(1, scripted["actions"])
    rows = [Row("overhead: framework CPU per agent turn at 0 ms (scripted model)", "ms", TARGET_MS,
                round(per_turn, 3), target=f"<= {TARGET_MS:g} ms per agent action", passed=per_turn <= TARGET_MS,
                requests=scripted["turns"], peak_rss_mib=peak_rss_mib(),
                note=f"{scripted['turns']} turns ({repeats} x {agents} agents x {steps} steps), "
                     f"{per_action:.3f} ms per recorded action ({scripted['actions']} actions besides DONE); "
                     f"wall {scripted['wall'] * 1000 / scripted['turns']:.3f} ms per turn",
                details={"profile": profile_table(profile, top, agents * steps), "per_action_ms": round(per_action, 3)})]
    fresh_simulation()
    with http_setup(responder="bench.scenarios.replies:turn_reply", in_process=in_process, latency=0.0) as server:
        warm_up(server)
        http = _repeat(agents, steps, max(1, repeats // 3))
        stats = server.stats()
    fresh_simulation()
    http_per_turn = http["cpu"] * 1000 / http["turns"]
    where = "server in this process" if in_process else "server in another process"
    rows.append(Row("overhead: CPU per agent turn at 0 ms through the HTTP client", "ms", None,
                    round(http_per_turn, 3), target="(informative)", requests=stats["requests"],
                    tokens=stats["prompt_tokens"] + stats["completion_tokens"], peak_rss_mib=peak_rss_mib(),
                    note=f"the openai client's own request/response handling included ({where}); "
                         f"{http['turns']} turns, wall {http['wall'] * 1000 / http['turns']:.2f} ms per turn"))
    return rows
