"""``tinytroupe run SCENARIO.toml``: run a scenario file and write its transcript, state and summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tinytroupe.cli.output import Output
from tinytroupe.cli.summary import RunReport, who_said_what

__all__ = ["run", "report_run", "announce_model"]


def announce_model(output: Output) -> str:
    """Say which model runs (and, for the embedded one, that it is only a demo model); returns its description."""
    from tinytroupe.cli.models import describe_embeddings, describe_model

    described = describe_model()
    output.say(f"Model: {described}", style="dim")
    output.say(f"Embeddings: {describe_embeddings()}", style="dim")
    if described.startswith("local: SmolLM2"):
        output.note("Note: the embedded SmolLM2-135M is a tiny demo model: fine for trying things, not for "
                    "research results. For real work point tinytroupe at a provider: set OPENAI_API_KEY "
                    "(OpenAI), or OPENAI_BASE_URL for Ollama, vLLM or any OpenAI-compatible server, and "
                    "choose the model with --model (see README.md).")
    return described


def report_run(output: Output, report: RunReport) -> None:
    """Print the end of a run: who said what, model usage, where the files are (or the JSON report)."""
    if output.json:
        output.emit_json(report.to_dict())
        return
    if output.chatty:
        output.out.print()
        output.out.print(who_said_what(report.utterances))
        usage = report.usage
        output.say(f"Model: {report.model} · {usage.get('calls', 0)} calls · "
                   f"{usage.get('input_tokens', 0):,} tokens in / {usage.get('output_tokens', 0):,} out",
                   style="dim")
    if report.replayed_operations:
        output.say(f"{report.replayed_operations} operations replayed from the checkpoint (no model calls).",
                   style="dim")
    if report.interrupted:
        output.result(f"Stopped after step {report.steps_run} of {report.total_steps} (Ctrl-C); "
                      "what happened so far is saved. Run again with --resume to carry on.", style="yellow")
    output.result(f"Transcript saved to {report.outputs['transcript']}")
    output.result(f"Final state saved to {report.outputs['state']}")
    output.result(f"Summary saved to {report.outputs['summary']}")
    if "results_csv" in report.outputs:
        output.result(f"Results saved to {report.outputs['results_csv']} and {report.outputs['results']}")
    output.result(f"Checkpoint saved to {report.outputs['checkpoint']}", style="dim")


def run(
    ctx: typer.Context,
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO", help="A scenario file (.toml).")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the outputs to this folder instead of the one the scenario names.")] = None,
    max_steps: Annotated[int | None, typer.Option("--max-steps", min=1, help="Run at most this many steps.")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Carry on from the checkpoint of an earlier run (replays what it recorded).")] = False,
    check: Annotated[bool, typer.Option("--check", help="Only check the scenario file, run nothing.")] = False,
) -> None:
    """Run a scenario file: agents, a world, a script; writes transcript, state and summary."""
    from tinytroupe.cli.models import apply_model_choice
    from tinytroupe.cli.runner import ScenarioRun, apply_model_spec
    from tinytroupe.cli.scenario import load_scenario
    from tinytroupe.cli.scenario_arms import has_arms, parse_arms, run_arms

    output: Output = ctx.obj
    scenario = load_scenario(scenario_file)
    experiment = has_arms(scenario) and parse_arms(scenario)  # checks [experiment] and [[arms]] too
    if out is not None and out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{out} is a file, not a folder; name a folder for the outputs", param_hint="--out")
    crowd = scenario.crowd_note()
    if crowd:
        output.note(f"Note: {crowd}")
    if check:
        output.result(f"{scenario_file}: OK ({len(scenario.agents)} agent entries, "
                      f"{len(scenario.script)} script entries, {scenario.total_steps} steps)")
        return
    if scenario.model.provider or scenario.model.name:
        if not ctx.parent or ctx.parent.params.get("model") is None:  # --model on the command line wins
            apply_model_choice(scenario.model.name, scenario.model.provider)
    apply_model_spec(scenario, seed_given=bool(ctx.parent and ctx.parent.meta.get("seed_given")))
    output.say(f"{scenario.title}", style="bold")
    announce_model(output)
    if experiment:  # an experiment: the script runs once per arm and seed
        run_arms(scenario, output, out_dir=out, resume=resume, max_steps=max_steps)
        return
    runner = ScenarioRun(scenario, output, out_dir=out, max_steps=max_steps, resume=resume)
    report = runner.execute()
    report_run(output, report)
    if report.interrupted:
        raise typer.Exit(130)
