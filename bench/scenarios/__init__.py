"""The benchmark scenarios of issue 8, run together by ``python bench/run_all.py``.

Each scenario is a function taking its sizes as keyword arguments and returning a list of
:class:`~bench.scenarios.harness.Row` (one table row each: ideal, measured, ratio, requests,
tokens, peak memory, target). ``SCENARIOS`` names them with their full and toy sizes; the
smoke test runs the toy sizes so the benchmark code cannot rot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Scenario", "SCENARIOS", "get_scenario"]


@dataclass(frozen=True)
class Scenario:
    """A named benchmark: where its function lives, with full and toy keyword arguments."""

    name: str
    module: str
    function: str
    full: dict[str, Any] = field(default_factory=dict)
    toy: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def load(self) -> Callable[..., list[Any]]:
        """The scenario function (imported on demand, so one scenario's imports stay its own)."""
        import importlib

        return getattr(importlib.import_module(self.module), self.function)


_P = "bench.scenarios."

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("focus_group", _P + "focus_group", "focus_group_latency",
             full={"agents": 8, "steps": 3, "latency": 0.2},
             toy={"agents": 3, "steps": 2, "latency": 0.01, "repeats": 2, "in_process": True},
             description="8 agents, 3 parallel steps, 200 ms per request, real HTTP path"),
    Scenario("survey_100", _P + "survey", "survey_latency",
             full={"respondents": 100, "latency": 0.2, "concurrency": 100},
             toy={"respondents": 5, "latency": 0.01, "concurrency": 5, "repeats": 1, "in_process": True},
             description="100 respondents, one broadcast question, one step, concurrency 100"),
    Scenario("survey_1000", _P + "survey", "survey_latency",
             full={"respondents": 1000, "latency": 0.2, "concurrency": 100},
             toy={"respondents": 12, "latency": 0.01, "concurrency": 4, "repeats": 1, "in_process": True},
             description="1,000 respondents, one broadcast question, one step, concurrency 100"),
    Scenario("conversation", _P + "conversation", "long_conversation",
             full={"turns": 50}, toy={"turns": 3, "in_process": True},
             description="2 agents, 50 turns each, prompt tokens of each request"),
    Scenario("cached_rerun", _P + "cached", "cached_rerun",
             full={"agents": 8, "steps": 3, "latency": 0.2},
             toy={"agents": 3, "steps": 1, "latency": 0.01, "repeats": 1, "in_process": True},
             description="the focus group twice with the call cache on, then inside control.begin()"),
    Scenario("overhead", _P + "overhead", "framework_overhead",
             full={"agents": 8, "steps": 3, "repeats": 12, "top": 15},
             toy={"agents": 2, "steps": 1, "repeats": 1, "top": 3},
             description="the focus group at 0 ms: CPU per agent turn, with a profile"),
    Scenario("large", _P + "survey", "large_survey",
             full={"respondents": 10_000}, toy={"respondents": 20},
             description="10,000-agent survey at 0 ms through the scripted model: peak memory"),
    Scenario("large_http", _P + "survey", "large_survey",
             full={"respondents": 1000, "http": True}, toy={"respondents": 6, "http": True, "in_process": True},
             description="the survey at 0 ms through the HTTP path: peak memory and CPU"),
    Scenario("faults", _P + "faults", "focus_group_faults",
             full={"agents": 8, "steps": 3, "latency": 0.2, "fault_share": 0.2},
             toy={"agents": 3, "steps": 1, "latency": 0.0, "fault_share": 0.5, "in_process": True,
                  "timeout": 0.5, "stall_seconds": 1.0},
             description="the focus group with 20% faulty requests"),
)


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name``."""
    for scenario in SCENARIOS:
        if scenario.name == name:
            return scenario
    raise KeyError(f"no benchmark scenario {name!r}; known: {', '.join(s.name for s in SCENARIOS)}")
