"""What a run folder holds, read for the report: manifest, transcript, final state, results.

A run folder is what ``tinytroupe run`` writes: ``run.json`` (the manifest: scenario, usage,
file names), the transcript (JSON lines of events), the final state (a world file with every
agent) and, when the scenario has ``[[extract]]`` sections, ``results.json``. Only the
transcript is required; what is missing is left out of the report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinytroupe.errors import SpecificationError

__all__ = ["RunData", "load_run", "Step", "group_steps"]

_DEFAULT_FILES = {"transcript": "transcript.jsonl", "state": "state.json", "summary": "summary.md",
                  "results": "results.json"}


@dataclass
class Step:
    """The events of one simulation step (step 0: what happened before the first step)."""

    number: int
    time: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RunData:
    """A run folder, read."""

    folder: Path
    title: str
    description: str = ""
    scenario_text: str = ""
    scenario_file: str = ""
    usage: dict[str, Any] = field(default_factory=dict)
    extraction_usage: dict[str, dict[str, Any]] = field(default_factory=dict)
    model: str = ""
    seed: Any = None
    steps: list[Step] = field(default_factory=list)
    personas: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, Any] | None = None
    experiment: dict[str, Any] | None = None  # experiment.json of a scenario with [[arms]]
    failures: list[dict[str, Any]] = field(default_factory=list)  # per-person steps that failed: step, who, reason

    @property
    def event_count(self) -> int:
        return sum(len(s.events) for s in self.steps)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SpecificationError(f"{path}: the {what} cannot be read ({exc}); run the scenario again to rewrite it") \
            from None


def group_steps(events: Iterable[dict[str, Any]]) -> list[Step]:
    """Transcript events (as dicts) grouped by step: each ``world.step`` event opens the next step."""
    steps = [Step(0)]
    for event in events:
        if event.get("kind") == "world.step":
            data = event.get("data") or {}
            steps.append(Step(int(data.get("step") or len(steps)), str(data.get("time") or "")))
        else:
            steps[-1].events.append(event)
    return [s for s in steps if s.events or s.number]


def _events(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError:
                raise SpecificationError(f"{path}, line {number}: not a JSON event; the transcript is damaged") from None


def _steps(path: Path) -> list[Step]:
    return group_steps(_events(path))


def load_run(folder: str | Path) -> RunData:
    """Read the run folder ``folder`` (see the module docstring)."""
    root = Path(folder)
    if not root.is_dir():
        raise SpecificationError(f"{root} is not a folder; give the output folder of a `tinytroupe run`")
    manifest = _read_json(root / "run.json", "run manifest") if (root / "run.json").is_file() else {}
    files = {**_DEFAULT_FILES, **(manifest.get("files") or {})}
    transcript = root / files["transcript"]
    experiment = root / "experiment.json"
    if not transcript.is_file() and not experiment.is_file():
        raise SpecificationError(f"{root} has no {files['transcript']}; give the output folder of a "
                                 "`tinytroupe run` (where its transcript was saved)")
    report = manifest.get("report") or {}
    data = RunData(folder=root, title=manifest.get("title") or root.name,
                   description=manifest.get("description") or "", scenario_text=manifest.get("scenario") or "",
                   scenario_file=manifest.get("scenario_file") or "", usage=report.get("usage") or {},
                   extraction_usage=manifest.get("extraction_usage") or {}, model=report.get("model") or "",
                   seed=report.get("seed"), steps=_steps(transcript) if transcript.is_file() else [],
                   failures=[f for f in report.get("failures") or [] if isinstance(f, dict)])
    if experiment.is_file():
        data.experiment = _read_json(experiment, "experiment file")
    state = root / files["state"]
    if state.is_file():
        world = (_read_json(state, "final state").get("world") or {})
        data.personas = [a.get("persona") or {} for a in world.get("agents") or [] if isinstance(a, dict)]
    results = root / files.get("results", "results.json")
    if results.is_file():
        data.results = _read_json(results, "results file")
    return data
