"""What a run produced, in human form: the who-said-what table and the Markdown summary file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from tinytroupe.cli.bill import bill_markdown
from tinytroupe.contracts import AgentAction, AgentFallback, AgentStimulus, WorldStep
from tinytroupe.events import Event

__all__ = ["Utterance", "utterances", "who_said_what", "markdown_summary", "RunReport", "fallback_failures",
           "failure_line"]

SHOWN_ACTIONS = ("TALK", "THINK", "REACH_OUT")


@dataclass(frozen=True)
class Utterance:
    """One thing an agent did that others may care about (TALK, THINK, REACH_OUT)."""

    step: int
    agent: str
    type: str
    content: str
    target: str = ""


@dataclass
class RunReport:
    """The outcome of a run, as the CLI reports it (and prints with ``--json``)."""

    title: str
    model: str
    seed: int | None
    agents: list[str]
    steps_run: int
    total_steps: int
    interrupted: bool = False
    outputs: dict[str, str] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    utterances: list[Utterance] = field(default_factory=list)
    replayed_operations: int = 0
    replayed_usage: dict[str, Any] = field(default_factory=dict)  # what replayed steps had cost
    omitted_events: dict[str, int] = field(default_factory=dict)  # deliveries counted, not kept in the transcript
    failures: list[dict[str, str]] = field(default_factory=list)  # per-person steps that failed: step, who, reason

    def whole_run_calls(self) -> int:
        """Model calls of the whole run: made now, and replayed from the checkpoint."""
        return int(self.usage.get("calls", 0)) + int(self.replayed_usage.get("calls", 0))

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "model": self.model, "seed": self.seed, "agents": self.agents,
                "steps_run": self.steps_run, "total_steps": self.total_steps, "interrupted": self.interrupted,
                "outputs": self.outputs, "usage": self.usage, "replayed_operations": self.replayed_operations,
                "replayed_usage": self.replayed_usage, "whole_run_calls": self.whole_run_calls(),
                "omitted_events": self.omitted_events,
                "failures": self.failures,
                "utterances": [u.__dict__ for u in self.utterances]}


def utterances(transcript: Iterable[Event]) -> list[Utterance]:
    """The TALK, THINK and REACH_OUT actions of a transcript, with the step they happened in."""
    step, found = 0, []
    for event in transcript:
        payload = event.payload
        if isinstance(payload, WorldStep):
            step = int(payload.step or step + 1)
        elif isinstance(payload, AgentAction) and payload.type in SHOWN_ACTIONS:
            found.append(Utterance(step, str(payload.agent or event.source), payload.type,
                                   str(payload.content or ""), str(payload.target or "")))
    return found


def fallback_failures(transcript: Iterable[Event]) -> list[dict[str, str]]:
    """One entry per agent turn the model could not give (recorded as a fallback, the run went on)."""
    return [{"step": f"step {step} turn", "who": p.agent, "reason": p.error}
            for step, p in _with_steps(transcript, AgentFallback)]


def _with_steps(transcript: Iterable[Event], kind: type) -> list[tuple[int, Any]]:
    step, found = 0, []
    for event in transcript:
        if isinstance(event.payload, WorldStep):
            step = int(event.payload.step or step + 1)
        elif isinstance(event.payload, kind):
            found.append((step, event.payload))
    return found


def failure_line(failures: Sequence[dict[str, str]], people: int, where: str = "the summary") -> str:
    """One line for the terminal: how many people a step failed for, and the first reason."""
    who = list(dict.fromkeys(f["who"] for f in failures))
    steps = ", ".join(dict.fromkeys(f["step"] for f in failures))
    first = failures[0]
    return (f"Partial result: {len(who)} of {max(people, len(who))} failed in {steps}; first reason "
            f"({first['who']}): {_clip(first['reason'], 200)}. Every reason is in {where}.")


def _failure_lines(report: RunReport) -> list[str]:
    if not report.failures:
        return []
    lines = ["", "## Not completed", "", "The run went on without these; their results are missing or stand-ins.", ""]
    lines += [f"- {f['step']}, **{f['who']}**: {_clip(f['reason'], 600)}" for f in report.failures]
    return lines


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def who_said_what(said: Sequence[Utterance], limit: int = 160, max_rows: int = 40) -> Table:
    """A rich table of what each agent said (TALK only), step by step; long runs show the last rows."""
    table = Table(title="Who said what", title_justify="left", show_lines=False, expand=False)
    table.add_column("step", justify="right", style="dim")
    table.add_column("who", style="bold")
    table.add_column("to", style="dim")
    table.add_column("said")
    talks = [u for u in said if u.type == "TALK"]
    if len(talks) > max_rows:
        table.add_row("…", "", "", f"({len(talks) - max_rows} earlier lines: see the summary file)")
        talks = talks[-max_rows:]
    for u in talks:
        table.add_row(str(u.step), u.agent, u.target or "everyone", _clip(u.content, limit))
    if not table.row_count:
        table.add_row("-", "-", "-", "(nobody spoke: see the transcript for thoughts and fallbacks)")
    return table


def _conversation(transcript: Sequence[Event]) -> list[str]:
    lines: list[str] = []
    last_broadcast = None
    for event in transcript:
        p = event.payload
        if isinstance(p, WorldStep):
            when = f" ({event.sim_time})" if event.sim_time else ""
            lines += ["", f"### Step {p.step}{when}", ""]
        elif isinstance(p, AgentStimulus) and not p.sender and p.type == "CONVERSATION":
            if p.content != last_broadcast:
                lines.append(f"- *Said to the group*: {_clip(str(p.content), 600)}")
            last_broadcast = p.content
        elif isinstance(p, AgentAction) and p.type in SHOWN_ACTIONS:
            arrow = f" → {p.target}" if p.target else ""
            verb = {"THINK": " *(thinks)*", "REACH_OUT": " *(reaches out)*"}.get(p.type, "")
            lines.append(f"- **{p.agent}**{arrow}{verb}: {_clip(str(p.content), 600)}")
        elif isinstance(p, AgentFallback):
            lines.append(f"- **{p.agent}** could not act normally ({_clip(p.error, 200)})")
    return lines


def _replayed_lines(report: RunReport) -> list[str]:
    replayed = report.replayed_usage
    if not replayed:
        return []
    cost = f", ${replayed['cost']:.4f}" if replayed.get("cost") else ""
    return [f"- Replayed from the checkpoint: {replayed.get('operations', 0)} operations, "
            f"{replayed.get('calls', 0)} calls ({replayed.get('input_tokens', 0):,} tokens in, "
            f"{replayed.get('output_tokens', 0):,} out{cost}) not made again; "
            f"whole run: {report.whole_run_calls()} calls"]


def _usage_section(report: RunReport) -> list[str]:
    """The usage tables: calls made in this run, and those a resume replayed from the checkpoint."""
    bill, replayed = bill_markdown(report.usage), report.replayed_usage
    if not bill and not replayed.get("calls"):
        return []
    lines = ["", "## Model usage", ""]
    if bill:
        lines += ["Calls and tokens that reached the provider, by model and by purpose; "
                  "calls answered by the call cache are counted apart and cost nothing.", "", *bill]
    else:
        lines.append("No call reached the provider in this run: every step was replayed from the checkpoint.")
    if replayed.get("calls"):
        cost = f"${replayed['cost']:.4f}" if replayed.get("cost") else "-"
        lines += ["", "| replayed from the checkpoint | operations | calls | tokens in | tokens out | cost |",
                  "|---|---:|---:|---:|---:|---:|",
                  f"| earlier runs | {replayed.get('operations', 0)} | {replayed.get('calls', 0)} | "
                  f"{replayed.get('input_tokens', 0):,} | {replayed.get('output_tokens', 0):,} | {cost} |"]
    return lines


def _omitted_lines(report: RunReport) -> list[str]:
    if not report.omitted_events:
        return []
    counts = ", ".join(f"{n:,} {kind}" for kind, n in sorted(report.omitted_events.items()))
    return [f"- Left out of the transcript: {counts} events (deliveries of what was said to each listener, "
            "past the transcript's bound); every action is kept and shown below"]


def markdown_summary(report: RunReport, description: str, bios: dict[str, str],
                     transcript: Sequence[Event]) -> str:
    """The Markdown summary file of a run."""
    status = "interrupted after" if report.interrupted else "ran"
    usage = report.usage
    lines = [f"# {report.title}", ""]
    if description:
        lines += [description, ""]
    lines += [
        f"- Model: {report.model}; seed: {report.seed if report.seed is not None else 'none'}",
        f"- Steps: {status} {report.steps_run} of {report.total_steps}",
        f"- Model usage{' in this run' if report.replayed_usage else ''}: {usage.get('calls', 0)} calls, "
        f"{usage.get('input_tokens', 0):,} tokens in, {usage.get('output_tokens', 0):,} out, "
        f"cost {usage.get('cost_text', 'unknown')}",
        *_replayed_lines(report),
        *_omitted_lines(report),
        "", "## Agents", "",
    ]
    lines += [f"- **{name}**: {bios.get(name, '')}" for name in report.agents]
    lines += _usage_section(report)
    lines += _failure_lines(report)
    lines += ["", "## Conversation", *_conversation(transcript), "", "## Files", ""]
    lines += [f"- {kind}: `{path}`" for kind, path in report.outputs.items()]
    return "\n".join(lines) + "\n"


def relative_to_cwd(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())
