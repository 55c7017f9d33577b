"""``tinytroupe demo``: three shipped personas discuss a product concept for two steps.

The demo is a built-in scenario run by the same machinery as ``tinytroupe run``. On the
embedded model it keeps prompts and turns short (brief personas, one action per turn, short
replies) so that it ends in about a minute on two CPU cores; on a configured provider it
runs the full personas as any scenario does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tinytroupe import llm
from tinytroupe.cli.output import Output
from tinytroupe.config import config_manager

__all__ = ["demo", "DEMO_SCENARIO", "demo_scenario"]

DEMO_SCENARIO = """
title = "Demo: a focus group on a product concept"
description = "Lisa, Oscar and Marcos, three personas shipped with tinytroupe, react to a product idea."

[[agents]]
example = "lisa"
[[agents]]
example = "oscar"
[[agents]]
example = "marcos"

[world]
name = "Focus group room"
start = 2025-05-12T10:00:00
minutes_per_step = 10

[[script]]
broadcast = \"\"\"Welcome to our focus group. The concept: ShelfLife, a small kitchen scanner that reads the \
labels of what you buy and tells you, each evening, which food to eat first before it goes off. \
It costs 39 euros and needs no subscription. Would you use it? Say so in one or two sentences.\"\"\"

[[script]]
run = 2
"""

DEFAULT_OUT = Path("tinytroupe-out/demo")
# local_threads 1: llama.cpp's worker threads wait for each other busily, so two threads on two
# cores crawl (measured 100x slower generation) as soon as any other process wants a core.
_LOCAL_SETTINGS = {"max_actions_per_turn": 2, "temperature": 0.7,
                   "episodic_memory_lookback_length": 8, "local_threads": 1}


_BRIEF_FIELDS = ("name", "age", "nationality", "residence", "occupation", "style", "personality", "preferences")


def brief_persona(persona: dict[str, Any]) -> dict[str, Any]:
    """The persona cut to who the person is and what they like: a short prompt for a tiny model."""
    brief = {k: persona[k] for k in _BRIEF_FIELDS if k in persona}
    if isinstance(brief.get("occupation"), dict):
        brief["occupation"] = {k: v for k, v in brief["occupation"].items() if k in ("title", "organization")}
    if isinstance(brief.get("personality"), dict):
        brief["personality"] = {"traits": list(brief["personality"].get("traits") or [])[:2]}
    if isinstance(brief.get("preferences"), dict):
        brief["preferences"] = {k: list(v)[:2] for k, v in brief["preferences"].items()
                                if k in ("likes", "dislikes") and isinstance(v, list)}
    return brief


def demo_scenario(steps: int = 2):
    """The demo as a checked Scenario (``steps`` world steps)."""
    from tinytroupe.cli.scenario import parse_scenario

    text = DEMO_SCENARIO.replace("run = 2", f"run = {steps}")
    return parse_scenario(text, Path("tinytroupe-demo.toml"))


def demo(
    ctx: typer.Context,
    steps: Annotated[int, typer.Option("--steps", min=1, max=20, help="How many steps the group talks.")] = 2,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the transcript, final state and summary.")]
    = DEFAULT_OUT,
) -> None:
    """A three-person focus group on a product idea, on the embedded model or your provider."""
    from tinytroupe.cli.models import provider_in_use
    from tinytroupe.cli.run import announce_model, report_run
    from tinytroupe.cli.runner import ScenarioRun

    output: Output = ctx.obj
    scenario = demo_scenario(steps)
    tiny = provider_in_use() == "local"
    if tiny:
        for name, value in _LOCAL_SETTINGS.items():
            if config_manager.source_of(name) == "default":
                config_manager.update(name, value)
        llm.reset_default_model()  # rebuilt with these settings (the weights are not loaded yet)
    output.say(scenario.title, style="bold")
    announce_model(output)
    run = ScenarioRun(scenario, output, out_dir=out, persona_filter=brief_persona if tiny else None)
    report = run.execute()
    report_run(output, report)
    if report.interrupted:
        raise typer.Exit(130)
