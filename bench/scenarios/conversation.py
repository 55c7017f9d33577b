"""The long conversation: two agents talk for 50 turns each; prompt tokens of every request over time.

A world of two agents (TinyTroupe 0.6's Lisa and Oscar when the compat files are present) runs
one step per turn at 0 ms latency through the HTTP path; the loopback server records the
prompt tokens (characters / 4) of each request in arrival order. Once the episodic window is
full the prompt should stop growing: turn 50 <= 1.2 x turn 20.
"""

from __future__ import annotations

from typing import Any

from bench.scenarios.focus_group import focus_group_agents
from bench.scenarios.harness import Clock, Row, configure, fresh_simulation, http_setup, peak_rss_mib, warm_up

__all__ = ["long_conversation", "series_by_agent", "REPORT_TURNS"]

REPORT_TURNS = (1, 10, 20, 30, 40, 50)
TOPIC = "Lisa and Oscar, plan together how your two teams could share one office building next year."


def series_by_agent(bodies: list[dict[str, Any]], tokens: list[int], names: list[str]) -> dict[str, list[int]]:
    """Prompt tokens of each agent's requests, in order (an agent is known by its system prompt)."""
    series: dict[str, list[int]] = {name: [] for name in names}
    for body, count in zip(bodies, tokens, strict=False):
        first = str((body.get("messages") or [{}])[0].get("content", ""))
        for name in names:
            if first.startswith(f"You are {name}."):
                series[name].append(count)
                break
    return series


def _table(series: dict[str, list[int]], turns: int) -> str:
    rows = ["| turn | " + " | ".join(series) + " |", "|---:|" + "---:|" * len(series)]
    for t in sorted({*(x for x in REPORT_TURNS if x <= turns), turns}):
        rows.append(f"| {t} | " + " | ".join(str(v[t - 1]) if len(v) >= t else "-" for v in series.values()) + " |")
    return "\n".join(rows)


def long_conversation(turns: int = 50, in_process: bool = False) -> list[Row]:
    """Run the conversation; the row compares the prompt at the last turn with turn 20."""
    from tinytroupe.environment import TinyWorld

    configure()
    with http_setup(responder="bench.scenarios.replies:turn_reply", in_process=in_process, latency=0.0) as server:
        warm_up(server)
        agents = focus_group_agents(8)
        pair = [a for a in agents if a.name.split()[0] in ("Lisa", "Oscar")][:2] or agents[:2]
        world = TinyWorld("Conversation", pair, seed=5)
        world.broadcast(TOPIC)
        with Clock() as clock:
            world.run(turns)
        stats = server.stats(bodies=True)
    names = [a.name for a in pair]
    fresh_simulation()
    series = series_by_agent(stats["bodies"], stats["prompt_tokens_per_request"], names)
    reference = min(20, turns)
    ratios = {n: s[turns - 1] / s[reference - 1] for n, s in series.items() if len(s) >= turns}
    worst = max(ratios, key=ratios.get) if ratios else names[0]
    measured = series[worst][turns - 1] if ratios else None
    ideal = series[worst][reference - 1] if ratios else None
    passed = bool(ratios) and max(ratios.values()) <= 1.2
    return [Row(f"long conversation: prompt tokens at turn {turns} vs turn {reference}", "tokens", ideal, measured,
                target="<= 1.2 x turn 20", passed=passed, requests=stats["requests"],
                tokens=stats["prompt_tokens"] + stats["completion_tokens"], peak_rss_mib=peak_rss_mib(),
                note=f"{worst} (the larger ratio of the two); " + ", ".join(
                    f"{n}: {r:.3f}" for n, r in ratios.items()) + f"; {turns} steps took {clock.wall:.2f} s at 0 ms",
                details={"series": series, "series_table": _table(series, turns),
                         "ratios": {n: round(r, 4) for n, r in ratios.items()}})]
