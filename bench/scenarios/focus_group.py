"""The focus group: 8 agents discuss a product for 3 parallel steps, the way a user would run it.

The agents are TinyTroupe 0.6's own example personas (the compat files, when present) topped
up with this project's examples, so prompt sizes compare with the original's. The latency
scenario talks to the loopback server through the real OpenAI provider; the ideal is one
latency per step, since every agent of a step can call the model at once.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from bench.scenarios.harness import (
    Clock,
    Row,
    configure,
    fresh_simulation,
    http_setup,
    peak_rss_mib,
    spread,
    timed_repeats,
    warm_up,
)

__all__ = ["QUESTION", "focus_group_agents", "run_focus_group", "focus_group_latency", "persona_coverage",
           "ORIGINAL_PROMPT_TOKENS", "ORIGINAL_FIRST_TOKENS", "SCHEMA_CHARS_PER_TOKEN"]

ROOT = Path(__file__).resolve().parents[2]
COMPAT_AGENTS = ROOT.parent / "shared" / "compat" / "tinytroupe-0.6.0" / "agents"
ORIGINAL_PROMPT_TOKENS = 4100  # TinyTroupe 0.6 per call in this scenario (issue 8)
ORIGINAL_FIRST_TOKENS = 4900  # ... and before any conversation
SCHEMA_CHARS_PER_TOKEN = 4
QUESTION = ("We are designing a compact electric bicycle for city commuters: it folds, weighs 14 kg "
            "and costs 1,900 euros. What would make you buy it, and what would stop you? "
            "Discuss it with the others here.")


def _agent_files() -> list[Path]:
    from tinytroupe.examples import example_agent_path, list_example_agents

    compat = sorted(COMPAT_AGENTS.glob("*.agent.json")) if COMPAT_AGENTS.is_dir() else []
    return compat + [example_agent_path(name) for name in list_example_agents()]


def focus_group_agents(count: int) -> list[Any]:
    """``count`` agents from the persona files (names made unique where files repeat one)."""
    from tinytroupe.agent import TinyPerson

    files = _agent_files()
    return [TinyPerson.load_specification(files[i % len(files)], auto_rename=True) for i in range(count)]


def run_focus_group(agents: int, steps: int, *, seed: int = 11) -> dict[str, Any]:
    """Build the world, ask the question, run ``steps`` steps; wall/CPU seconds and what each agent did."""
    from tinytroupe.environment import TinyWorld

    people = focus_group_agents(agents)
    world = TinyWorld("Focus Group", people, seed=seed)
    world.broadcast(QUESTION)
    with Clock() as clock:
        history = world.run(steps, return_actions=True) or []
    per_agent = {p.name: sum(len(step.get(p.name, [])) for step in history) for p in people}
    return {"wall": clock.wall, "cpu": clock.cpu, "actions_per_agent": per_agent, "world": world,
            "agents": people, "fallbacks": sum(p.fallback_count for p in people)}


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    if value is None or isinstance(value, bool) or value == "":
        return []
    return [" ".join(str(value).split())]


def persona_coverage(persona: dict[str, Any], prompt: str) -> tuple[int, int]:
    """(persona values found in ``prompt``, persona values): every value should be there."""
    text = " ".join(prompt.split())
    leaves = _leaves(persona)
    return sum(1 for leaf in leaves if leaf in text), len(leaves)


def _system_prompts(bodies: list[dict[str, Any]]) -> list[str]:
    return [str(b["messages"][0].get("content", "")) for b in bodies if b.get("messages")]


def _schema_tokens(bodies: list[dict[str, Any]]) -> float:
    import json

    sizes = [len(json.dumps(b.get("response_format") or {}, separators=(",", ":"))) for b in bodies]
    return sum(sizes) / max(1, len(sizes)) / SCHEMA_CHARS_PER_TOKEN


def _token_rows(stats: dict[str, Any], agents: list[Any], turns: int) -> list[Row]:
    bodies = stats["bodies"]
    per_request = stats["prompt_tokens_per_request"]
    messages = sum(per_request) / max(1, len(per_request))
    first_turns = per_request[: len(agents)]  # every agent's first turn, before anyone spoke
    before = sum(first_turns) / max(1, len(first_turns))
    schema = _schema_tokens(bodies)
    found = total = 0
    prompts = _system_prompts(bodies)
    for agent in agents:
        mine = [p for p in prompts if p.startswith(f"You are {agent.name}.")]
        f, t = persona_coverage(agent.persona, mine[0] if mine else "")
        found, total = found + f, total + t
    measured = round(messages)
    calls = stats["requests"] / max(1, turns)
    kept = f"persona values in the prompt: {found}/{total}"
    return [
        Row("tokens: prompt per agent turn (focus group)", "tokens", ORIGINAL_PROMPT_TOKENS / 2, measured,
            target="<= half the original's ~4,100", passed=measured <= ORIGINAL_PROMPT_TOKENS / 2 and found == total,
            requests=stats["requests"], tokens=stats["prompt_tokens"],
            note=f"mean over {len(per_request)} calls, messages only (chars/4, as the server counts them; "
                 f"the JSON schema sent beside them adds ~{schema:.0f}); {kept}; largest {max(per_request, default=0)}; "
                 "each TALK of the simulated model is ~400 characters",
            details={"messages_tokens": round(messages, 1), "schema_tokens": round(schema, 1),
                     "persona_values_found": found, "persona_values": total}),
        Row("tokens: prompt before any conversation (first turns)", "tokens", ORIGINAL_FIRST_TOKENS / 2, round(before),
            target="<= half the original's ~4,900", passed=before <= ORIGINAL_FIRST_TOKENS / 2 and found == total,
            requests=len(first_turns), note=f"persona and instructions alone; {kept}"),
        Row("calls per agent turn (quality checks off)", "calls", 1.0, round(calls, 3), target="= 1",
            passed=abs(calls - 1.0) < 1e-9, requests=stats["requests"],
            note=f"{stats['requests']} requests for {turns} agent turns"),
    ]


def focus_group_latency(agents: int = 8, steps: int = 3, latency: float = 0.2, repeats: int = 3,
                        in_process: bool = False) -> list[Row]:
    """Wall time of the focus group against ``steps`` latencies (median of ``repeats`` runs), and
    its tokens and calls per turn (first run)."""
    configure()
    with http_setup(responder="bench.scenarios.replies:turn_reply", in_process=in_process,
                    latency=latency) as server:
        cold = warm_up(server)
        run, stats, walls = timed_repeats(server, repeats, lambda: run_focus_group(agents, steps), bodies=True)
        trips = server.round_trips.mean_ms() if server.round_trips else 0.0
    fresh_simulation()
    ideal = steps * latency
    turns = agents * steps
    wall = round(statistics.median(walls), 3)
    rows = [Row(f"focus group: {agents} agents, {steps} steps, {latency * 1000:.0f} ms", "s", ideal, wall,
                target="<= 1.15 x ideal", passed=wall <= 1.15 * ideal, requests=stats["requests"],
                tokens=stats["prompt_tokens"] + stats["completion_tokens"], peak_rss_mib=peak_rss_mib(),
                note=f"{spread(walls)}; max {stats['max_in_flight']} requests in flight; round trip {trips:.0f} ms on average "
                     f"(at that round trip the ideal would be {steps * trips / 1000:.3f} s, ratio "
                     f"{wall / max(1e-9, steps * trips / 1000):.2f}); "
                     f"CPU {run['cpu'] * 1000 / turns:.1f} ms per agent turn (server process "
                     f"{stats['server_cpu_s'] * 1000 / max(1, stats['requests']):.1f} ms per request); "
                     f"cold start before it (imports, HTTP client) {cold:.2f} s, not counted",
                details={"cpu_s": round(run["cpu"], 3), "max_in_flight": stats["max_in_flight"], "round_trip_ms": trips,
                         "walls_s": [round(w, 3) for w in walls],
                         "cold_start_s": cold, "actions_per_agent": run["actions_per_agent"]})]
    for row in _token_rows(stats, run["agents"], turns):
        row.peak_rss_mib = peak_rss_mib()
        rows.append(row)
    return rows
