"""Experiments in one process: fork a world or population into arms, run them concurrently over seeds.

::

    runner = ExperimentRunner(
        "ad test", world,
        arms=[Arm("control", lambda w: w.broadcast(AD_A)), Arm("treatment", lambda w: w.broadcast(AD_B))],
        metrics={"buy": survey_metric(LikertQuestion(text="Would you buy it?"))},
        steps=1, seeds=[1, 2, 3], state_path="ad_test.experiment.json")
    result = runner.run()              # every (arm, seed) run, concurrently
    table = result.comparison_table()   # per arm: n, mean, sd; per treatment: difference, p-value

Each run starts from a fork of the base (a world via ``world.fork``; a list of people is
copied into a fresh world), applies its arm's change, runs ``steps`` steps and collects
every metric (a function of the run's world returning one value or a list, e.g. one per
person). Each run's model requests carry the run's seed (providers that take a seed use it,
and the call cache keeps runs apart) and ``arm``/``seed`` tags. With ``state_path``, every
finished run is written to a versioned JSON document at once (atomically); running again
skips the runs found there, so an experiment killed midway resumes without repeating
finished arms. Statistics compare the control arm (the first) with each treatment, pooled
over seeds (:class:`StatisticalTester`).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinytroupe import contracts, events, fanout, llm
from tinytroupe.errors import SpecificationError, StateError
from tinytroupe.experimentation.statistical_tests import StatisticalTester
from tinytroupe.fanout import ShardExecutor
from tinytroupe.llm import purposes
from tinytroupe.llm.base import ChatRequest, Completion, LLMModel, ModelWrapper
from tinytroupe.state.files import read_document, write_document

__all__ = ["Arm", "ExperimentRunner", "ExperimentResult", "SeededModel", "survey_metric", "proposition_metric",
           "EXPERIMENT_FORMAT"]

EXPERIMENT_FORMAT = "tinytroupe.experiment"
EXPERIMENT_VERSION = 1

Metric = Callable[[Any], Any]


@dataclass
class Arm:
    """One arm: a name and the change applied to its fork (``apply(world)`` or ``apply(world, seed)``,
    plain or async; None for an unchanged control)."""

    name: str
    apply: Callable[..., Any] | None = None
    description: str = ""


class SeededModel(ModelWrapper):
    """A model whose requests carry a run's seed and tags (unless they set a seed themselves).

    It is the agents' model, so a request that comes without a purpose is counted as an agent
    turn; a purpose the request has is kept.
    """

    def __init__(self, inner: LLMModel, seed: int, tags: dict[str, str]):
        super().__init__(inner)
        self.seed = seed
        self.tags = tags

    async def complete(self, request: ChatRequest) -> Completion:
        tags = {**request.tags, **self.tags}
        if purposes.KEY not in request.tags:
            tags[purposes.KEY] = purposes.AGENT_TURN
        changes: dict[str, Any] = {"tags": tags}
        if request.seed is None:
            changes["seed"] = self.seed
        return await self.inner.complete(request.with_changes(**changes))

    async def aclose(self) -> None:
        return None


async def _call(func: Callable[..., Any], *args: Any) -> Any:
    """``func(*args)``: awaited when async, in a worker thread when plain (it may block on the model)."""
    if inspect.iscoroutinefunction(func):
        return await func(*args)
    result = await asyncio.to_thread(func, *args)
    return await result if inspect.isawaitable(result) else result


def _accepts(func: Callable[..., Any], n: int) -> bool:
    try:
        params = [p for p in inspect.signature(func).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    except (TypeError, ValueError):
        return False
    return len(params) >= n or any(p.kind == p.VAR_POSITIONAL for p in params)


def _values(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    return list(value) if isinstance(value, (list, tuple)) else [value]


@dataclass
class ExperimentResult:
    """The metrics of every run, pooled per arm, and the statistics of each treatment against the control."""

    name: str
    arms: list[str]
    seeds: list[int]
    runs: dict[str, dict[str, list[Any]]] = field(default_factory=dict)  # "arm/seed" -> metric -> values
    statistics: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    resumed: list[str] = field(default_factory=list)  # runs read back from the state file
    worlds: dict[str, Any] = field(default_factory=dict, repr=False)  # "arm/seed" -> world, for runs made here

    def metrics(self, arm: str) -> dict[str, list[Any]]:
        """``{metric: values}`` of ``arm``, pooled over its seeds."""
        pooled: dict[str, list[Any]] = {}
        for seed in self.seeds:
            for metric, values in self.runs.get(f"{arm}/{seed}", {}).items():
                pooled.setdefault(metric, []).extend(values)
        return pooled

    def comparison_rows(self) -> list[dict[str, Any]]:
        """One row per arm and metric: n, mean, sd, and for treatments the difference and p-value."""
        rows = []
        control = self.arms[0]
        for arm in self.arms:
            for metric, values in self.metrics(arm).items():
                nums = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
                n = len(nums)
                mean = sum(nums) / n if n else float("nan")
                sd = (sum((x - mean) ** 2 for x in nums) / (n - 1)) ** 0.5 if n > 1 else 0.0
                row = {"arm": arm, "metric": metric, "n": n, "mean": mean, "sd": sd}
                stat = self.statistics.get(arm, {}).get(metric)
                if arm != control and stat:
                    row.update(difference=stat.get("mean_difference"), p_value=stat.get("p_value"),
                               effect_size=stat.get("effect_size"), significant=stat.get("significant"))
                rows.append(row)
        return rows

    def comparison_table(self) -> str:
        """The comparison as a Markdown table."""
        lines = [f"# {self.name}: {len(self.arms)} arms x {len(self.seeds)} seeds", "",
                 "| arm | metric | n | mean | sd | difference vs control | p-value | effect size | significant |",
                 "|---|---|---|---|---|---|---|---|---|"]
        for r in self.comparison_rows():
            lines.append(f"| {r['arm']} | {r['metric']} | {r['n']} | {r['mean']:.3f} | {r['sd']:.3f} | "
                         f"{_cell(r, 'difference')} | {_cell(r, 'p_value', '.4f')} | {_cell(r, 'effect_size')} | "
                         f"{_cell(r, 'significant')} |")
        control = self.arms[0]
        lines += ["", f"Control: {control}. Runs: {len(self.runs)}"
                  + (f" ({len(self.resumed)} read back from an earlier run)." if self.resumed else ".")]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The comparison table and each metric's means by arm, drawn by the report layer."""
        from tinytroupe.providers import need

        return need("html_view").experiment_html(self)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "arms": self.arms, "seeds": self.seeds, "runs": self.runs,
                "statistics": self.statistics, "comparison": self.comparison_rows(), "resumed": self.resumed}


class ExperimentRunner:
    """Runs arms x seeds from one base world or population; see the module docstring."""

    def __init__(self, name: str, base: Any, arms: Sequence[Arm], metrics: dict[str, Metric], *,
                 steps: int = 1, seeds: Sequence[int] = (0,), state_path: str | Path | None = None,
                 test_type: str = "welch_t_test", alpha: float = 0.05, max_concurrent_runs: int | None = None,
                 model: LLMModel | None = None, run: Callable[..., Any] | None = None):
        if len(arms) < 2:
            raise SpecificationError(f"experiment {name!r} needs at least two arms (a control and a treatment)")
        if len({a.name for a in arms}) != len(arms):
            raise SpecificationError(f"experiment {name!r}: arm names must be unique")
        if not metrics:
            raise SpecificationError(f"experiment {name!r} needs at least one metric")
        self.name = name
        self.base = base
        self.arms = list(arms)
        self.metrics = dict(metrics)
        self.steps = int(steps)
        self.seeds = [int(s) for s in seeds]
        self.state_path = Path(state_path) if state_path is not None else None
        self.test_type = test_type
        self.alpha = alpha
        self.max_concurrent_runs = max_concurrent_runs
        self.model = model
        self.custom_run = run
        self._lock = asyncio.Lock()

    # -- state -----------------------------------------------------------------------------
    def _header(self) -> dict[str, Any]:
        return {"name": self.name, "arms": [a.name for a in self.arms], "seeds": self.seeds, "steps": self.steps,
                "metrics": sorted(self.metrics)}

    def _load_finished(self) -> dict[str, dict[str, list[Any]]]:
        if self.state_path is None or not self.state_path.exists():
            return {}
        doc = read_document(self.state_path, EXPERIMENT_FORMAT, EXPERIMENT_VERSION, "experiment state file")
        if doc.get("experiment") != self._header():
            raise StateError(f"{self.state_path}: written by a different experiment (arms, seeds, steps or metrics "
                             "changed); delete it or choose another state_path to start afresh")
        return {k: v for k, v in (doc.get("runs") or {}).items() if isinstance(v, dict)}

    async def _save(self, runs: dict[str, dict[str, list[Any]]]) -> None:
        if self.state_path is None:
            return
        async with self._lock:
            write_document(self.state_path, EXPERIMENT_FORMAT, EXPERIMENT_VERSION,
                           {"experiment": self._header(), "runs": runs}, indent=1)

    # -- one run ---------------------------------------------------------------------------
    def _fork(self, arm: Arm, seed: int) -> Any:
        label = f"{self.name}/{arm.name}/seed{seed}"
        if isinstance(getattr(self.base, "agents", None), list) and callable(getattr(self.base, "fork", None)):
            world = self.base.fork(label)
        else:
            from tinytroupe.agent.person_files import fork_person
            from tinytroupe.environment import TinyWorld

            world = TinyWorld(label, [fork_person(p) for p in self.base], seed=seed)
        rng = getattr(world, "_rng", None)
        if isinstance(rng, random.Random):
            rng.seed(f"{self.name}/{seed}")
        tags = {"experiment": self.name, "arm": arm.name, "seed": str(seed)}
        for agent in world.agents:
            agent.model = SeededModel(self.model or agent.model or llm.default_model(), seed, tags)
        return world

    async def _one(self, arm: Arm, seed: int, worlds: dict[str, Any]) -> dict[str, list[Any]]:
        world = self._fork(arm, seed)
        worlds[f"{arm.name}/{seed}"] = world
        if arm.apply is not None:
            await _call(arm.apply, *((world, seed) if _accepts(arm.apply, 2) else (world,)))
        if self.custom_run is not None:
            await _call(self.custom_run, world)
        elif self.steps:
            await world.arun(self.steps)
        out: dict[str, list[Any]] = {}
        for metric, func in self.metrics.items():
            out[metric] = _values(await _call(func, world))
        return json.loads(json.dumps(out, default=str))

    # -- the experiment --------------------------------------------------------------------
    async def arun(self, *, executor: ShardExecutor | None = None) -> ExperimentResult:
        """Run every unfinished (arm, seed) concurrently, then the statistics.

        With ``executor`` (see :mod:`tinytroupe.executors`) each run is a task on its workers
        (see :mod:`tinytroupe.experimentation.shards`); finished runs are saved as they come
        back, as in one process. ``result.worlds`` holds only the worlds run in this process.
        """
        finished = self._load_finished()
        runs: dict[str, dict[str, list[Any]]] = dict(finished)
        worlds: dict[str, Any] = {}
        limit = asyncio.Semaphore(self.max_concurrent_runs or len(self.arms) * len(self.seeds))
        shared = None
        executor = fanout.chosen(executor)
        if executor is not None:
            from tinytroupe.experimentation import shards

            shared = shards.shared_part(executor, self)

        async def job(arm: Arm, seed: int) -> None:
            key = f"{arm.name}/{seed}"
            async with limit:
                events.emit(contracts.ExperimentRun(self.name, arm.name, seed, "started"), source=self.name)
                if executor is None:
                    metrics = await self._one(arm, seed, worlds)
                else:
                    metrics = await shards.run_on(executor, self, self.arms.index(arm), seed, worlds, shared)
                runs[key] = metrics
                await self._save(runs)
                events.emit(contracts.ExperimentRun(self.name, arm.name, seed, "finished"), source=self.name)

        todo = [(a, s) for a in self.arms for s in self.seeds if f"{a.name}/{s}" not in finished]
        await asyncio.gather(*(job(a, s) for a, s in todo))
        result = ExperimentResult(self.name, [a.name for a in self.arms], self.seeds,
                                  {f"{a.name}/{s}": runs[f"{a.name}/{s}"] for a in self.arms for s in self.seeds},
                                  resumed=sorted(finished), worlds=worlds)
        result.statistics = self._statistics(result)
        return result

    def run(self, *, executor: ShardExecutor | None = None) -> ExperimentResult:
        """Blocking twin of :meth:`arun`."""
        from tinytroupe._sync import run_sync

        return run_sync(self.arun(executor=executor))

    def _statistics(self, result: ExperimentResult) -> dict[str, dict[str, dict[str, Any]]]:
        control = _numeric(result.metrics(result.arms[0]))
        treatments = {arm: _numeric(result.metrics(arm)) for arm in result.arms[1:]}
        usable = {m for m, v in control.items() if len(v) >= 2}
        if not usable:
            return {}
        tester = StatisticalTester({m: control[m] for m in usable},
                                   {a: {m: v for m, v in d.items() if m in usable and len(v) >= 2}
                                    for a, d in treatments.items()})
        return tester.run_test(self.test_type, self.alpha)


def _cell(row: dict[str, Any], key: str, fmt: str = ".3f") -> str:
    value = row.get(key)
    if value is None:
        return ""
    return ("yes" if value else "no") if isinstance(value, bool) else format(value, fmt)


def _numeric(metrics: dict[str, list[Any]]) -> dict[str, list[float]]:
    return {m: [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
            for m, values in metrics.items()}


def survey_metric(question: Any, **survey_options: Any) -> Callable[[Any], Awaitable[list[Any]]]:
    """A metric: every person of the run answers ``question`` (a survey question); their answers."""
    from tinytroupe import providers

    Survey = providers.need("Survey")  # tinytroupe.survey, which builds on this package  # noqa: N806

    async def metric(world: Any) -> list[Any]:
        result = await Survey([question], **survey_options).arun(world)
        return result.answers(result.questions[0].name)

    return metric


def proposition_metric(claim: str, per_agent: bool = True, **options: Any) -> Callable[[Any], Awaitable[list[int]]]:
    """A metric: the 0-9 score of ``claim`` for each person of the run (or for the whole world)."""
    from tinytroupe.experimentation.proposition import Proposition

    async def metric(world: Any) -> list[int]:
        targets = world.agents if per_agent else [world]
        scores = await asyncio.gather(*(Proposition(claim, target=t, **options).ascore() for t in targets))
        return list(scores)

    return metric
