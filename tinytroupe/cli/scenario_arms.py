"""Scenario files with arms: the same script run as control and treatments, over seeds, compared.

A scenario becomes an experiment when it declares ``[[arms]]``. Each arm names values for
``{{placeholders}}`` of the script's texts; every arm runs the whole script on its own fork
of the scenario's world, for each seed of ``[experiment]``, concurrently; then each person
answers ``[experiment].question`` (or the judge scores ``[experiment].proposition`` for each
person), and the arms are compared::

    [experiment]
    seeds = [1, 2, 3]
    question = { name = "buy", text = "How likely are you to buy it?", points = 5 }

    [[arms]]
    name = "plain"
    vars = { ad = "Gazpacho in a bottle." }

    [[arms]]
    name = "summer"
    vars = { ad = "Summer in a bottle: fresh gazpacho, no cooking." }

``tinytroupe run`` writes ``comparison.md`` (the table), ``experiment.json`` (every run's
values and the statistics) and ``experiment.state.json`` (finished runs: ``--resume`` skips
them) in the output folder.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from tinytroupe.cli.output import Output
from tinytroupe.cli.scenario import Scenario, ScriptStep

__all__ = ["ArmsSpec", "has_arms", "parse_arms", "run_arms"]

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_EXPERIMENT_KEYS = ("seeds", "question", "proposition", "test", "alpha", "mode", "max_concurrent_runs")
_QUESTION_KEYS = ("name", "text", "points", "labels", "anchors")
_ARM_KEYS = ("name", "vars", "description")


@dataclass(frozen=True)
class ArmsSpec:
    """The checked ``[experiment]`` table and ``[[arms]]`` entries of a scenario."""

    arms: tuple[tuple[str, dict[str, str]], ...]
    seeds: tuple[int, ...] = (1, 2, 3)
    question: dict[str, Any] | None = None
    proposition: str | None = None
    test: str = "welch_t_test"
    alpha: float = 0.05
    mode: str = "direct"
    max_concurrent_runs: int | None = None
    placeholders: frozenset[str] = field(default_factory=frozenset)


def has_arms(scenario: Scenario) -> bool:
    """Whether the scenario declares arms (or an experiment)."""
    data = tomllib.loads(scenario.text)
    return "arms" in data or "experiment" in data


def _unknown(scenario: Scenario, table: dict[str, Any], key: tuple, allowed: tuple[str, ...]) -> None:
    for name in table:
        if name not in allowed:
            raise scenario.error((*key, name), f"unknown key; allowed here: {', '.join(allowed)}")


def parse_arms(scenario: Scenario) -> ArmsSpec:
    """Check the experiment part of ``scenario``; a mistake is a ScenarioError naming the line."""
    from tinytroupe.experimentation.statistical_tests import TESTS

    data = tomllib.loads(scenario.text)
    exp = data.get("experiment", {})
    if not isinstance(exp, dict):
        raise scenario.error(("experiment",), "expected a table [experiment]")
    _unknown(scenario, exp, ("experiment",), _EXPERIMENT_KEYS)
    arms_data = data.get("arms")
    if not isinstance(arms_data, list) or len(arms_data) < 2:
        raise scenario.error(("arms",) if "arms" in data else ("experiment",),
                             "an experiment needs at least two [[arms]] entries (a control first, then treatments)")
    placeholders = frozenset(_placeholders(scenario.script))
    arms = []
    for i, arm in enumerate(arms_data):
        if not isinstance(arm, dict):
            raise scenario.error(("arms", i), "expected a table [[arms]]")
        _unknown(scenario, arm, ("arms", i), _ARM_KEYS)
        name = arm.get("name")
        if not isinstance(name, str) or not name.strip():
            raise scenario.error(("arms", i, "name"), 'each arm needs a name, e.g. name = "control"')
        values = arm.get("vars", {})
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise scenario.error(("arms", i, "vars"), 'write vars as a table of texts, e.g. vars = { ad = "..." }')
        missing = placeholders - set(values)
        if missing:
            raise scenario.error(("arms", i, "vars"), f"no value for {', '.join(sorted(missing))} "
                                                      "(used as {{...}} in the script)")
        arms.append((name.strip(), dict(values)))
    if len({n for n, _ in arms}) != len(arms):
        raise scenario.error(("arms",), "arm names must be unique")
    seeds = exp.get("seeds", [1, 2, 3])
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) and not isinstance(s, bool)
                                                         for s in seeds):
        raise scenario.error(("experiment", "seeds"), "write the seeds as a list of whole numbers, e.g. [1, 2, 3]")
    question, proposition = exp.get("question"), exp.get("proposition")
    if (question is None) == (proposition is None):
        raise scenario.error(("experiment",), "give exactly one metric: question = { text = \"...\" } or "
                                              "proposition = \"...\"")
    if question is not None:
        if not isinstance(question, dict) or not isinstance(question.get("text"), str):
            raise scenario.error(("experiment", "question"), 'write question = { text = "...", points = 5 }')
        _unknown(scenario, question, ("experiment", "question"), _QUESTION_KEYS)
    test = exp.get("test", "welch_t_test")
    if test not in TESTS:
        raise scenario.error(("experiment", "test"), f"unknown test {test!r}; choose one of {', '.join(TESTS)}")
    mode = exp.get("mode", "direct")
    if mode not in ("direct", "semantic"):
        raise scenario.error(("experiment", "mode"), "mode is direct or semantic")
    return ArmsSpec(tuple(arms), tuple(seeds), question, proposition, test, float(exp.get("alpha", 0.05)), mode,
                    exp.get("max_concurrent_runs"), placeholders)


def _texts(step: ScriptStep) -> list[str]:
    value = step.value
    if step.action == "stimulus":
        return [value["content"]]
    if step.action == "context":
        return list(value)
    return [value] if isinstance(value, str) else []


def _placeholders(script: tuple[ScriptStep, ...]) -> set[str]:
    return {name for step in script for text in _texts(step) for name in _PLACEHOLDER.findall(text)}


def _fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


_STIMULI = {"conversation": "listen", "visual": "see", "thought": "think", "goal": "internalize_goal"}


def _perform(scenario: Scenario, world: Any, values: dict[str, str], max_steps: int | None = None) -> None:
    """Run the scenario's script on ``world`` with the arm's values (blocking; runs in a worker thread)."""
    minutes = scenario.world.minutes_per_step
    budget = max_steps if max_steps is not None else scenario.total_steps
    for step in scenario.script:
        if step.action == "broadcast":
            world.broadcast(_fill(step.value, values))
        elif step.action == "think":
            world.broadcast_thought(_fill(step.value, values))
        elif step.action == "goal":
            world.broadcast_internal_goal(_fill(step.value, values))
        elif step.action == "context":
            world.broadcast_context_change([_fill(t, values) for t in step.value])
        elif step.action == "stimulus":
            agent = world.resolve_target(step.value["to"])
            getattr(agent, _STIMULI[step.value["type"]])(_fill(step.value["content"], values))
        elif step.action == "run":
            n = min(int(step.value), budget)
            budget -= n
            if n:
                world.run(n, timedelta(minutes=minutes) if minutes else None, parallelize=scenario.world.parallel)


def _utterances(world: Any) -> list[dict[str, Any]]:
    return [{"agent": agent.name, "type": e.type, "content": e.content, "target": e.target}
            for agent in getattr(world, "agents", []) for e in agent.episodic_memory.retrieve_all(role="action")
            if e.type in ("TALK", "THINK")]


def run_arms(scenario: Scenario, output: Output, out_dir: Path | None = None, resume: bool = False,
             max_steps: int | None = None) -> Path:
    """Run every arm x seed of ``scenario``; write the comparison; returns the comparison file."""
    import json

    from tinytroupe.cli.runner import ScenarioRun
    from tinytroupe.experimentation.runner import Arm, ExperimentRunner, proposition_metric, survey_metric

    spec = parse_arms(scenario)
    folder = out_dir if out_dir is not None else scenario.outputs.dir
    folder.mkdir(parents=True, exist_ok=True)
    state = folder / "experiment.state.json"
    if not resume:
        state.unlink(missing_ok=True)
    base = ScenarioRun(scenario, output, out_dir=folder).build()
    if spec.question is not None:
        from tinytroupe.survey import LikertQuestion

        metric_name = spec.question.get("name") or "answer"
        metric = survey_metric(LikertQuestion(**{**spec.question, "name": metric_name}), mode=spec.mode)
    else:
        metric_name, metric = "score", proposition_metric(spec.proposition or "")

    def arm_of(name: str, values: dict[str, str]) -> Arm:
        return Arm(name, lambda world: _perform(scenario, world, values, max_steps))

    runner = ExperimentRunner(scenario.title, base, [arm_of(n, v) for n, v in spec.arms], {metric_name: metric},
                              steps=0, seeds=spec.seeds, state_path=state, test_type=spec.test, alpha=spec.alpha,
                              max_concurrent_runs=spec.max_concurrent_runs, run=lambda world: None)
    output.say(f"Running {len(spec.arms)} arms x {len(spec.seeds)} seeds concurrently...", style="dim")
    result = runner.run()
    table = result.comparison_table()
    comparison = folder / "comparison.md"
    comparison.write_text(table + "\n", encoding="utf-8")
    details = folder / "experiment.json"
    details.write_text(json.dumps(result.to_dict(), indent=1, default=str), encoding="utf-8")
    manifest = {"title": scenario.title, "description": scenario.description, "scenario": scenario.text,
                "scenario_file": str(scenario.path), "files": {"experiment": details.name, "comparison": comparison.name}}
    (folder / "run.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")  # for `tinytroupe report`
    steps = min(scenario.total_steps, max_steps) if max_steps is not None else scenario.total_steps
    if output.json:
        first = result.worlds.get(f"{spec.arms[0][0]}/{spec.seeds[0]}")
        output.emit_json({"title": scenario.title, "arms": [n for n, _ in spec.arms], "seeds": list(spec.seeds),
                          "agents": [a.name for a in base.agents], "steps_run": steps,
                          "comparison": result.comparison_rows(),
                          "outputs": {"comparison": str(comparison), "experiment": str(details), "state": str(state)},
                          "utterances": _utterances(first) if first is not None else []})
    else:
        output.result(table)
        output.result(f"Comparison saved to {comparison}")
    return comparison
