"""``[[extract]]`` sections of scenario files, and the results files a run writes from them.

::

    [[extract]]
    name = "answers"                      # optional; names the results (default extract_1...)
    objective = "Would each person use the app, and how much do they like it?"
    fields = ["would_use", "rating", "reason"]
    scope = "agent"                       # or "world": one extraction over everyone
    situation = "A street survey."        # optional
    hints = { would_use = "yes or no", rating = "an integer from 1 to 5" }
    reference = "panel.csv"               # optional: real answers, one column per field (report: fidelity)

After the run, every extraction is made with :class:`~tinytroupe.extraction.ResultsExtractor`
and written to ``results.json`` (everything, with the objective and fields) and
``results.csv`` (one row per agent, the fields of every extraction as columns), beside the
transcript. A ``run.json`` manifest records the scenario, the outputs and the usage, for
``tinytroupe report``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinytroupe import events
from tinytroupe.errors import LLMError, SpecificationError

__all__ = ["ExtractSpec", "parse_extracts", "write_run_artifacts", "extraction_failures", "RESULTS_JSON", "RESULTS_CSV", "RUN_MANIFEST"]

RESULTS_JSON, RESULTS_CSV, RUN_MANIFEST = "results.json", "results.csv", "run.json"
SCOPES = ("agent", "world")
_KEYS = ("name", "objective", "fields", "hints", "scope", "situation", "reference")


@dataclass(frozen=True)
class ExtractSpec:
    """One ``[[extract]]`` entry, checked."""

    key: tuple
    name: str
    objective: str
    fields: tuple[str, ...] = ()
    hints: dict[str, Any] = field(default_factory=dict)
    scope: str = "agent"
    situation: str = ""
    reference: Path | None = None  # a CSV of real answers, one column per field (see tinytroupe.survey.fidelity)


def _entry(c: Any, data: Any, index: int) -> ExtractSpec:
    key = ("extract", index)
    if not isinstance(data, dict):
        raise c.fail(key, "expected a table; write [[extract]] with objective = \"...\" and fields = [...]")
    for name in data:
        if name not in _KEYS:
            close = difflib.get_close_matches(name, _KEYS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise c.fail((*key, name), f"unknown key; {hint}allowed here: {', '.join(_KEYS)}")
    objective = c.text_value(data, (*key, "objective"), required=True)
    fields = data.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) and f.strip() for f in fields):
        raise c.fail((*key, "fields"), "expected a list of field names, e.g. fields = [\"rating\", \"reason\"]")
    hints = data.get("hints", {})
    if not isinstance(hints, dict) or not all(isinstance(v, (str, list)) for v in hints.values()):
        raise c.fail((*key, "hints"), "expected a table of field = \"hint\", e.g. hints = { rating = \"an integer "
                                      "from 1 to 5\" }")
    try:
        from tinytroupe.extraction.fields import field_specs

        field_specs(fields, hints)
    except SpecificationError as exc:
        raise c.fail((*key, "hints"), str(exc)) from None
    scope = c.choice(data, (*key, "scope"), SCOPES, "agent") or "agent"
    name = c.text_value(data, (*key, "name")) or f"extract_{index + 1}"
    return ExtractSpec(key, name, objective or "", tuple(f.strip() for f in fields), dict(hints), scope,
                       c.text_value(data, (*key, "situation")) or "", _reference(c, data, key, fields))


def _reference(c: Any, data: dict, key: tuple, fields: list[str]) -> Path | None:
    """The checked ``reference`` CSV of real answers: it exists, reads, and has a column named after a field."""
    value = c.text_value(data, (*key, "reference"))
    if value is None:
        return None
    from tinytroupe.survey.fidelity import read_reference

    path = c.relative(value)
    try:
        columns = read_reference(path)
    except SpecificationError as exc:
        raise c.fail((*key, "reference"), f"{exc} (paths are relative to the scenario file)") from None
    if fields and not set(columns) & set(fields):
        raise c.fail((*key, "reference"), f"{path} has no column named after a field ({', '.join(fields)}); "
                                          f"its columns are {', '.join(columns)}")
    return path


def parse_extracts(c: Any, data: Any) -> tuple[ExtractSpec, ...]:
    """The checked ``[[extract]]`` entries (``c`` is the scenario checker, for line numbers)."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise c.fail(("extract",), "write each extraction as an [[extract]] table (note the double brackets)")
    specs = tuple(_entry(c, d, i) for i, d in enumerate(data))
    names = [s.name for s in specs]
    for spec in specs:
        if names.count(spec.name) > 1:
            raise c.fail((*spec.key, "name"), f"two [[extract]] entries are named {spec.name!r}; give each its own name")
    return specs


# -- after the run -----------------------------------------------------------------------
class _PurposeMeter:
    """Model usage per ``purpose`` tag while subscribed to ``llm.call`` events."""

    def __init__(self) -> None:
        self.by_purpose: dict[str, dict[str, Any]] = {}

    def __call__(self, event: events.Event) -> None:
        data = event.data
        purpose = str((data.get("tags") or {}).get("purpose") or "simulation")
        row = self.by_purpose.setdefault(purpose, {"calls": 0, "input_tokens": 0, "output_tokens": 0, "cost": 0.0})
        row["calls"] += 1
        row["input_tokens"] += int(data.get("input_tokens") or 0)
        row["output_tokens"] += int(data.get("output_tokens") or 0)
        row["cost"] += float(data.get("cost") or 0.0)


def _extract_all(specs: tuple[ExtractSpec, ...], world: Any, situation: str) -> list[dict[str, Any]]:
    from tinytroupe.extraction import ResultsExtractor

    out = []
    for spec in specs:
        extractor = ResultsExtractor()
        situation_text = spec.situation or situation
        if spec.scope == "world":
            try:
                result: Any = extractor.extract_results_from_world(world, spec.objective, situation_text,
                                                                   list(spec.fields) or None, spec.hints or None)
            except LLMError as exc:  # the run's results stand; say what could not be extracted
                result, extractor.failures[world.name] = {}, str(exc)
        else:
            rows = extractor.extract_results_from_agents(world.agents, spec.objective, situation_text,
                                                         list(spec.fields) or None, spec.hints or None)
            result = {a.name: r for a, r in zip(world.agents, rows, strict=True)}
        out.append({"name": spec.name, "scope": spec.scope, "world": world.name, "objective": spec.objective,
                    "fields": list(spec.fields), "hints": spec.hints, "results": result,
                    "failures": dict(extractor.failures), **_reference_answers(spec)})
    return out


def _reference_answers(spec: ExtractSpec) -> dict[str, Any]:
    """The real answers of ``spec.reference`` for its fields, kept in results.json for the report."""
    if spec.reference is None:
        return {}
    from tinytroupe.survey.fidelity import read_reference

    answers = read_reference(spec.reference)
    wanted = spec.fields or tuple(answers)
    return {"reference": {"file": spec.reference.name, "answers": {f: answers[f] for f in wanted if f in answers}}}


def results_rows(extractions: list[dict[str, Any]], agents: list[str]) -> list[dict[str, Any]]:
    """One row per agent with the fields of every agent extraction, and one row per world
    extraction with the group's fields (a repeated field name is prefixed with its
    extraction's name)."""
    counts: dict[str, int] = {}
    for ex in extractions:
        for f in _fields_of(ex):
            counts[f] = counts.get(f, 0) + 1
    rows = {name: {"name": name} for name in agents}
    for ex in extractions:
        if ex["scope"] == "world":  # the group's answer is one row, named after the world
            results = {ex.get("world", "(everyone)"): {k: v for k, v in (ex["results"] or {}).items()
                                                       if k != "per_agent"}}
        else:
            results = ex["results"]
        for name, result in (results or {}).items():
            row = rows.setdefault(name, {"name": name})
            for f, value in (result or {}).items():
                row[f"{ex['name']}.{f}" if counts.get(f, 0) > 1 else f] = value
    return list(rows.values())


def _fields_of(ex: dict[str, Any]) -> list[str]:
    if ex["fields"]:
        return list(ex["fields"]) + [k for k in ex["hints"] if k not in ex["fields"]]
    results = {"": ex["results"]} if ex["scope"] == "world" else ex["results"]
    seen: dict[str, None] = {}
    for r in (results or {}).values():
        for k in r or {}:
            if k != "per_agent":
                seen.setdefault(k, None)
    return list(seen)


def extraction_failures(extractions: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One entry per person (or world) an extraction could not read: step, who and the reason."""
    return [{"step": f"extraction {ex['name']!r}", "who": str(who), "reason": " ".join(str(reason).split())}
            for ex in extractions for who, reason in (ex.get("failures") or {}).items()]


def write_run_artifacts(scenario: Any, world: Any, out_dir: Path, report: Any,
                        meter: Any = None) -> dict[str, Path]:
    """Make the scenario's extractions and write results.json, results.csv and run.json into
    ``out_dir``; returns output name -> path (results only when there are extractions).

    ``meter`` (the run's usage meter) also counts the extraction calls, and the report's usage
    is taken from it afterwards, so the run's usage covers every call it made; people the
    extraction could not read are added to ``report.failures``."""
    from tinytroupe.extraction import tables

    specs = getattr(scenario, "extracts", ())
    written: dict[str, Path] = {}
    by_purpose = _PurposeMeter()
    if specs:
        stops = [events.subscribe(by_purpose, ("llm.call",))]
        if meter is not None:
            stops.append(events.subscribe(meter, meter.EVENTS))
        try:
            extractions = _extract_all(specs, world, scenario.description)
        finally:
            for stop in stops:
                stop()
        if meter is not None:
            report.usage = meter.to_dict()
        if hasattr(report, "failures"):
            report.failures.extend(extraction_failures(extractions))
        agents = [a.name for a in world.agents]
        rows = results_rows(extractions, agents)
        written["results"] = tables.write_json({"format": "tinytroupe.results", "version": 1,
                                                "title": scenario.title, "extractions": extractions,
                                                "rows": rows}, out_dir / RESULTS_JSON)
        written["results_csv"] = tables.write_csv(rows, out_dir / RESULTS_CSV)
    manifest = {
        "format": "tinytroupe.run", "version": 1, "title": scenario.title, "description": scenario.description,
        "scenario_file": str(scenario.path), "scenario": scenario.text,
        "report": report.to_dict() if hasattr(report, "to_dict") else dict(report),
        "extraction_usage": by_purpose.by_purpose,
        "files": {**{k: str(getattr(scenario.outputs, k)) for k in ("transcript", "state", "summary", "checkpoint")},
                  **{k: p.name for k, p in written.items()}},
    }
    written["run"] = tables.write_json(manifest, out_dir / RUN_MANIFEST)
    return written
