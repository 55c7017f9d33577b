"""The focus group with 20% of requests faulty: it completes, every agent acts, every retry is counted.

The loopback server is given a seeded script in which exactly ``fault_share`` of the requests
fail, in an even mix: HTTP 429 with Retry-After, HTTP 500, a reply whose JSON is cut in half,
a stall past the client's timeout, and a dropped connection. Afterwards the server's count of
requests must equal the client's answered calls plus its retries (and give-ups), the
transport faults must equal the retries, and the truncated replies must have been repaired.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

from bench.scenarios.focus_group import run_focus_group
from bench.scenarios.harness import Row, configure, fresh_simulation, http_setup, peak_rss_mib, warm_up

__all__ = ["FAULT_KINDS", "fault_script", "focus_group_faults", "account"]

FAULT_KINDS = ("429", "500", "truncated", "stall", "drop")
TRANSPORT_FAULTS = ("429", "500", "stall", "drop")


def fault_script(length: int, share: float, seed: int = 8) -> list[str]:
    """``length`` entries, ``share`` of them faults cycling through FAULT_KINDS, in seeded order."""
    faulty = round(length * share)
    script = [FAULT_KINDS[i % len(FAULT_KINDS)] for i in range(faulty)] + ["ok"] * (length - faulty)
    random.Random(seed).shuffle(script)
    return script


def account(served: list[str], usage: dict[str, Any], retries: int, gave_up: int, repairs: int) -> dict[str, Any]:
    """Check the client's counters against what the server served; the checks and their figures."""
    kinds = Counter(served)
    transport = sum(kinds[k] for k in TRANSPORT_FAULTS)
    checks = {
        "requests = answered calls + retries + give-ups": len(served) == usage["calls"] + retries + gave_up,
        "transport faults = retries + give-ups": transport == retries + gave_up,
        "truncated replies = repair re-asks": kinds["truncated"] == repairs,
        "usage tally retries = retry wrapper retries": usage["retries"] == retries,
    }
    return {"checks": checks, "served": dict(kinds), "calls": usage["calls"], "retries": retries,
            "gave_up": gave_up, "repairs": repairs}


def _retry_counters() -> tuple[int, int]:
    from tinytroupe import llm
    from tinytroupe.llm.wrappers import RetryingModel

    model = llm.default_model()
    retrying = model.find(RetryingModel) if hasattr(model, "find") else None
    return (retrying.retries, retrying.gave_up) if retrying is not None else (0, 0)


def focus_group_faults(agents: int = 8, steps: int = 3, latency: float = 0.2, fault_share: float = 0.2,
                       timeout: float = 1.5, stall_seconds: float = 3.0, in_process: bool = False) -> list[Row]:
    """Run the focus group against a faulty server; one row saying whether it all held together."""
    from tinytroupe import events
    from tinytroupe.llm.wrappers.usage import global_usage

    configure()
    # each fault costs one more request, so this many entries make ``fault_share`` of all requests
    script = fault_script(math.ceil(agents * steps / (1 - fault_share)), fault_share)
    with http_setup(responder="bench.scenarios.replies:turn_reply", in_process=in_process, latency=latency,
                    retry_after=0.2, stall_seconds=stall_seconds, timeout=timeout) as server:
        warm_up(server)
        base_retries, base_gave_up = _retry_counters()
        global_usage.reset()
        server.script(*script)
        with events.collect(["llm.repair", "llm.retry", "agent.fallback"]) as seen:
            run = run_focus_group(agents, steps)
        stats = server.stats()
        retries, gave_up = _retry_counters()
    usage = global_usage.snapshot()["total"]
    fresh_simulation()
    served = script[: stats["requests"]] + ["ok"] * max(0, stats["requests"] - len(script))
    books = account(served, usage, retries - base_retries, gave_up - base_gave_up, len(seen.of_kind("llm.repair")))
    acted = all(n > 0 for n in run["actions_per_agent"].values())
    ok = acted and run["fallbacks"] == 0 and all(books["checks"].values())
    faults = sum(v for k, v in books["served"].items() if k != "ok")
    wrong = [name for name, good in books["checks"].items() if not good]
    return [Row(f"faults: focus group with {fault_share:.0%} faulty requests", "s", steps * latency,
                round(run["wall"], 3), target="completes; all act; counters add up", passed=ok,
                requests=stats["requests"], tokens=stats["prompt_tokens"] + stats["completion_tokens"],
                peak_rss_mib=peak_rss_mib(),
                note=f"{faults} of {stats['requests']} requests faulty ({_mix(books['served'])}); "
                     f"{books['calls']} answered calls, {books['retries']} retries, {books['gave_up']} give-ups, "
                     f"{books['repairs']} repairs, {run['fallbacks']} fallback turns; every agent acted: {acted}; "
                     + ("all counters add up" if not wrong else "MISMATCH: " + "; ".join(wrong))
                     + f" (client timeout {timeout:g} s, stalls {stall_seconds:g} s)",
                details={"accounting": books, "actions_per_agent": run["actions_per_agent"]})]


def _mix(served: dict[str, int]) -> str:
    return ", ".join(f"{k}: {served.get(k, 0)}" for k in FAULT_KINDS)
