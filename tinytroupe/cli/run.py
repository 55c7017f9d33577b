"""``tinytroupe run SCENARIO.toml``: run a scenario file and write its transcript, state and summary.

``--estimate`` runs the scenario's mechanics against the scripted model (no request leaves
the process) and prints the calls, tokens and price the run would have. ``--max-cost``,
``--max-tokens`` and ``--max-calls`` set the run's budgets (over the scenario's ``[model]``
and the settings): a run that would go over stops between two steps, saves what it did, and
exits with code 3 (:data:`EXIT_BUDGET`); ``--resume`` with a larger budget carries on, and the
calls paid for in the step that was put back are answered from the file saved beside the
checkpoint, so none is paid twice.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from tinytroupe.cli.bill import bill_table
from tinytroupe.cli.output import Output
from tinytroupe.cli.summary import RunReport, failure_line, who_said_what

__all__ = ["run", "report_run", "announce_model", "estimate_scenario", "EXIT_BUDGET", "EXIT_PARTIAL"]

EXIT_BUDGET = 3
EXIT_PARTIAL = 4  # the run finished, but a per-person step (an extraction, a turn) failed for someone
_BUDGET_OPTIONS = {"max_cost": "max_cost_per_run", "max_tokens": "max_tokens_per_run", "max_calls": "max_calls_per_run"}


def announce_model(output: Output, embeddings: bool = True) -> str:
    """Say which model runs (and, for the embedded one, that it is only a demo model); returns its description."""
    from tinytroupe.cli.models import describe_embeddings, describe_model

    described = describe_model()
    output.say(f"Model: {described}", style="dim")
    if embeddings:
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
        if usage.get("by_purpose"):
            output.out.print(bill_table(usage))
    if report.replayed_operations:
        saved = report.replayed_usage.get("calls", 0)
        output.say(f"{report.replayed_operations} operations replayed from the checkpoint ({saved} model calls "
                   f"not made again; {report.whole_run_calls()} in the whole run).", style="dim")
    if report.interrupted:
        output.result(f"Stopped after step {report.steps_run} of {report.total_steps} (Ctrl-C); "
                      "what happened so far is saved. Run again with --resume to carry on.", style="yellow")
    output.result(f"Transcript saved to {report.outputs['transcript']}")
    output.result(f"Final state saved to {report.outputs['state']}")
    output.result(f"Summary saved to {report.outputs['summary']}")
    if "results_csv" in report.outputs:
        output.result(f"Results saved to {report.outputs['results_csv']} and {report.outputs['results']}")
    if "people_table" in report.outputs:
        output.result(f"Tables saved to {Path(report.outputs['people_table']).parent} (transcript, actions, "
                      f"people, results; {Path(report.outputs['people_table']).suffix.lstrip('.')})")
    output.result(f"Checkpoint saved to {report.outputs['checkpoint']}", style="dim")
    if report.failures:
        output.err.print(failure_line(report.failures, len(report.agents), report.outputs.get("summary", "the summary")),
                         style="yellow", soft_wrap=True, markup=False)


def run(
    ctx: typer.Context,
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO", help="A scenario file (.toml).")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the outputs to this folder instead of the one the scenario names.")] = None,
    max_steps: Annotated[int | None, typer.Option("--max-steps", min=1, help="Run at most this many steps.")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Carry on from the checkpoint of an earlier run (replays what it recorded).")] = False,
    check: Annotated[bool, typer.Option("--check", help="Only check the scenario file, run nothing.")] = False,
    estimate: Annotated[bool, typer.Option(
        "--estimate", help="Say what the run would cost (calls, tokens, dollars) without calling the model.")] = False,
    max_cost: Annotated[float | None, typer.Option(
        "--max-cost", min=0, help="Budget in dollars for this run (MAX_COST_PER_RUN; 0: no limit).")] = None,
    max_tokens: Annotated[int | None, typer.Option(
        "--max-tokens", min=0, help="Budget in tokens for this run (MAX_TOKENS_PER_RUN).")] = None,
    max_calls: Annotated[int | None, typer.Option(
        "--max-calls", min=0, help="Budget in model calls for this run (MAX_CALLS_PER_RUN).")] = None,
    table_format: Annotated[str | None, typer.Option(
        "--format", help="Also write the run's tables (transcript, actions, people, results) into RUN/tables/ "
                         "as parquet, csv or json.")] = None,
    executor: Annotated[str | None, typer.Option(
        "--executor", help="Where the work fans out: local (default) or ray (see the scenario's [executor]).")] = None,
    address: Annotated[str | None, typer.Option(
        "--address", help="The Ray cluster: auto, or ray://host:10001 (default: a Ray instance on this machine).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Shards per fan-out (default: the cluster's CPUs).")] = None,
) -> None:
    """Run a scenario file: agents, a world, a script; writes transcript, state and summary."""
    from tinytroupe.cli.extras import check_scenario_extras
    from tinytroupe.cli.models import apply_model_choice
    from tinytroupe.cli.runner import ScenarioRun, apply_model_spec
    from tinytroupe.cli.scenario import load_scenario
    from tinytroupe.cli.scenario_arms import has_arms, parse_arms, run_arms

    output: Output = ctx.obj
    scenario = load_scenario(scenario_file)
    experiment = has_arms(scenario) and parse_arms(scenario)  # checks [experiment] and [[arms]] too
    check_scenario_extras(scenario)  # before --check says OK, and before any model call
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
    _apply_budgets(scenario, {"max_cost": max_cost, "max_tokens": max_tokens, "max_calls": max_calls})
    output.say(f"{scenario.title}", style="bold")
    if estimate:
        found = estimate_scenario(scenario, max_steps=max_steps, experiment=bool(experiment))
        if output.json:
            output.emit_json(found.to_dict())
        else:
            output.result(f"Estimate: {found.text()}")
        return
    _check_format(table_format, bool(experiment))
    announce_model(output)
    from tinytroupe.cli.executor_option import run_on_executor

    run_on_executor(ctx, scenario, executor, address, workers)  # current until the command ends
    if experiment:  # an experiment: the script runs once per arm and seed
        run_arms(scenario, output, out_dir=out, resume=resume, max_steps=max_steps)
        return
    runner = ScenarioRun(scenario, output, out_dir=out, max_steps=max_steps, resume=resume)
    paid = _paid_calls_file(scenario, out)
    if resume:
        _answer_from(paid)
    from tinytroupe.llm import budget
    from tinytroupe.llm.budget import BudgetExceededError

    budget.start_run()
    try:
        report = runner.execute()
    except BudgetExceededError as exc:
        _save_paid_calls(paid, exc)
        _report_budget_stop(output, runner, exc)
        raise typer.Exit(EXIT_BUDGET) from None
    paid.unlink(missing_ok=True)
    if table_format:
        _write_tables(report, runner.out_dir, table_format)
    report_run(output, report)
    if report.interrupted:
        raise typer.Exit(130)
    if report.failures:
        raise typer.Exit(EXIT_PARTIAL)


def _check_format(table_format: str | None, experiment: bool) -> None:
    """Refuse a ``--format`` that cannot be written, before the run starts."""
    from tinytroupe.extraction.frames import FORMATS, require_pyarrow

    if table_format is None:
        return
    if table_format not in FORMATS:
        raise typer.BadParameter(f"{table_format!r} is not a table format; use one of: {', '.join(FORMATS)}",
                                 param_hint="--format")
    if experiment:
        raise typer.BadParameter("a scenario with [[arms]] writes no run tables yet; run it without --format "
                                 "(its experiment.json and each arm's files are written as usual)", param_hint="--format")
    if table_format == "parquet":
        require_pyarrow()


def _write_tables(report: Any, out_dir: Path, table_format: str) -> None:
    """Write the run's tables into ``out_dir/tables`` and name them in the report's outputs."""
    from tinytroupe.cli.summary import relative_to_cwd
    from tinytroupe.extraction.frames import write_tables

    for name, path in write_tables(out_dir, out_dir / "tables", table_format).items():
        report.outputs[f"{name}_table"] = relative_to_cwd(path)


def _apply_budgets(scenario: Any, given: dict[str, float | None]) -> None:
    """The scenario's [model] budgets, then the command line's (which win)."""
    from tinytroupe.config import config_manager

    settings = dict(scenario.model.budgets)
    settings.update({_BUDGET_OPTIONS[k]: v for k, v in given.items() if v is not None})
    if settings:
        config_manager.update_multiple(settings)


def estimate_scenario(scenario: Any, *, max_steps: int | None = None, experiment: bool = False) -> Any:
    """Run ``scenario`` (every arm and seed of an experiment) against the scripted model in a
    scratch folder; its :class:`~tinytroupe.estimate.Estimate`."""
    from tinytroupe.cli.runner import ScenarioRun
    from tinytroupe.cli.scenario_arms import run_arms
    from tinytroupe.config import config_manager
    from tinytroupe.estimate import estimating

    model = str(config_manager.get("model"))
    quiet = Output(quiet=True, out=Console(file=io.StringIO()), err=Console(file=io.StringIO()))  # says nothing
    with tempfile.TemporaryDirectory(prefix="tinytroupe-estimate-") as scratch, estimating() as scripted:
        if experiment:
            run_arms(scenario, quiet, out_dir=Path(scratch), resume=False, max_steps=max_steps)
        else:
            ScenarioRun(scenario, quiet, out_dir=Path(scratch), max_steps=max_steps).execute()
    return scripted.tally(model)


def _paid_calls_file(scenario: Any, out: Path | None) -> Path:
    checkpoint = scenario.outputs.paths(out if out is not None else scenario.outputs.dir)["checkpoint"]
    return checkpoint.with_name(checkpoint.stem + ".paid-calls.sqlite")


def _save_paid_calls(path: Path, exc: Any) -> None:
    """Keep the replies paid for in the step that was put back, for ``--resume``."""
    from tinytroupe.llm import budget
    from tinytroupe.llm.cache import CallCache

    current = budget.active()
    journal = {**current.replay, **current.journal} if current is not None else {}
    if not journal:
        return
    cache = CallCache(path)
    try:
        for key, value in journal.items():
            cache.put(key, value)
    finally:
        cache.close()


def _answer_from(path: Path) -> None:
    """Answer the requests paid for before a budget stop from ``path`` (just inside usage accounting)."""
    if not path.is_file():
        return
    from tinytroupe import llm
    from tinytroupe.llm.cache import CachedModel, CallCache
    from tinytroupe.llm.wrappers.usage import UsageTracker

    tracker = llm.default_model()
    if isinstance(tracker, UsageTracker):
        tracker.inner = CachedModel(tracker.inner, CallCache(path))


def _report_budget_stop(output: Output, runner: Any, exc: Any) -> None:
    usage = exc.usage
    steps = getattr(runner, "steps_run", 0)
    kind = exc.budget.split("_")[1].lower()  # MAX_CALLS_PER_RUN -> calls
    larger = (f"--max-{kind} N" if exc.budget.endswith("_PER_RUN")
              else f"a larger {exc.budget} (TINYTROUPE_{exc.budget}=N or the scenario's [model])")
    output.error(f"stopped by the budget {exc.budget}: {exc}")
    how = (f"tinytroupe run {runner.scenario.path} --resume {larger}" if larger.startswith("--")
           else f"{larger}, then tinytroupe run {runner.scenario.path} --resume")
    output.result(f"The run stopped after step {steps} ({usage.get('calls', 0)} paid calls, "
                  f"{usage.get('tokens', 0):,} tokens, ${usage.get('cost', 0.0):.4f}); what ran is saved. "
                  f"Carry on with a larger budget: {how}", style="yellow")
