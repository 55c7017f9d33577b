"""Running a checked :class:`~tinytroupe.cli.scenario.Scenario`: agents, world, script, outputs.

Used by ``tinytroupe run`` and ``tinytroupe demo``. Steps run one at a time so that a Ctrl-C
(see :mod:`tinytroupe.cli.interrupt`) stops the run after the current step; the transcript,
final state and summary are written whether the run finished or was stopped. A resumed run
replays what the checkpoint recorded: the replayed steps' transcript events come back from
it (the transcript equals an uninterrupted run's) and their model usage is reported apart.

A scenario's ``[model]`` table (temperature, max_tokens, seed) becomes the settings of a
runtime derived for the run (:meth:`tinytroupe.runtime.Runtime.derive`): every request of
the run carries them, and nothing is written into the process-wide configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

from tinytroupe import contracts, events
from tinytroupe.agent import TinyPerson
from tinytroupe.agent.persona import read_specification
from tinytroupe.cli.interrupt import StopRequest
from tinytroupe.cli.models import describe_model
from tinytroupe.cli.output import Output
from tinytroupe.cli.progress import RunProgress, UsageMeter
from tinytroupe.cli.scenario import AgentSource, Scenario, ScriptStep
from tinytroupe.cli.summary import RunReport, fallback_failures, markdown_summary, relative_to_cwd, utterances
from tinytroupe.cli.toml_lines import format_path
from tinytroupe.cli.view import ConversationView
from tinytroupe.config import config_manager
from tinytroupe.contracts import ControlHit
from tinytroupe.environment import TinySocialNetwork, TinyWorld
from tinytroupe.errors import SimulationError
from tinytroupe.executors import shard_world
from tinytroupe.llm import budget
from tinytroupe.runtime import Runtime, current_runtime

__all__ = ["ScenarioRun", "apply_model_spec", "model_settings"]

_STIMULI = {"conversation": "listen", "visual": "see", "thought": "think", "goal": "internalize_goal"}


def model_settings(scenario: Scenario, seed_given: bool, model_given: bool = False) -> dict[str, Any]:
    """The settings of the scenario's [model] table (a ``--seed`` or ``--model`` given on the
    command line wins)."""
    from tinytroupe.cli.models import PROVIDER_NAMES

    spec = scenario.model
    settings: dict[str, Any] = {}
    if spec.name and spec.name not in PROVIDER_NAMES and not model_given:
        settings["model"] = spec.name
    if spec.temperature is not None:
        settings["temperature"] = spec.temperature
    if spec.max_tokens is not None:
        settings["max_completion_tokens"] = spec.max_tokens
    if spec.seed is not None and not seed_given:
        settings["seed"] = spec.seed
    settings.update(spec.sampling)
    return settings


def apply_model_spec(scenario: Scenario, seed_given: bool) -> dict[str, Any]:
    """The scenario's [model] settings, as :class:`ScenarioRun` applies them to its run's runtime;
    the process-wide configuration is left as it is."""
    return model_settings(scenario, seed_given)


def _model_given(scenario: Scenario) -> bool:
    """Whether MODEL was chosen in code or with ``--model`` (other than by this scenario's name)."""
    return config_manager.source_of("model") == "update()" and config_manager.get("model") != scenario.model.name


def _seed_given() -> bool:
    """Whether SEED was set in code or with ``--seed``/TINYTROUPE_SEED (which win over [model])."""
    return config_manager.source_of("seed") in ("update()",) or config_manager.source_of("seed").startswith("env ")


def _fragment_path(scenario: Scenario, name: str) -> Path | str:
    if "/" in name or name.endswith(".json"):
        path = Path(name).expanduser()
        return path if path.is_absolute() else scenario.path.parent / path
    from tinytroupe.examples import example_fragment_path

    return example_fragment_path(name)


class ReplayMeter:
    """Sums the model usage that replayed operations saved (from ``control.hit`` events)."""

    def __init__(self) -> None:
        self.operations = 0
        self.calls = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost = 0.0

    def __call__(self, event: events.Event) -> None:
        hit: ControlHit = event.payload
        replayed = hit.replayed or {}
        self.operations += 1
        self.calls += int(replayed.get("calls") or 0)
        self.input_tokens += int(replayed.get("input_tokens") or 0)
        self.output_tokens += int(replayed.get("output_tokens") or 0)
        self.cost += float(replayed.get("cost") or 0.0)
        limits = budget.active()
        if limits is not None:  # the budgets hold for the whole run, replayed steps included
            limits.carry(replayed)

    def to_dict(self) -> dict[str, Any]:
        return {"operations": self.operations, "calls": self.calls, "input_tokens": self.input_tokens,
                "output_tokens": self.output_tokens, "cost": round(self.cost, 6)}


class ScenarioRun:
    """One run of a scenario: ``ScenarioRun(scenario, output).execute()`` returns a RunReport."""

    def __init__(self, scenario: Scenario, output: Output, out_dir: Path | None = None,
                 max_steps: int | None = None,
                 persona_filter: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                 resume: bool = False, settings: Mapping[str, Any] | None = None):
        """``persona_filter`` rewrites the persona of example and file agents before they are made;
        ``resume`` replays what the checkpoint in the output folder recorded instead of starting afresh;
        ``settings`` are the run's own settings (default: the scenario's [model] table)."""
        self.scenario = scenario
        own = settings if settings is not None else model_settings(scenario, _seed_given(), _model_given(scenario))
        self.runtime: Runtime | None = (current_runtime().derive(own, name=f"scenario {scenario.path.name}")
                                        if own else None)
        self.output = output
        self.out_dir = out_dir if out_dir is not None else scenario.outputs.dir
        self.max_steps = max_steps
        self.persona_filter = persona_filter
        self.resume = resume
        self.replayed = 0
        self.agents: list[TinyPerson] = []
        self.world: TinyWorld | None = None
        self.steps_run = 0
        self.stop = StopRequest(on_request=self._on_stop)
        self.view: ConversationView | None = None
        self.replay_meter = ReplayMeter()
        self.failures: list[dict[str, str]] = []  # per-person steps that failed (see RunReport.failures)

    # -- building ----------------------------------------------------------------------
    def _load(self, source: AgentSource) -> list[TinyPerson]:
        if source.example is not None or source.file is not None:
            if source.example is not None:
                from tinytroupe.examples import example_agent_path

                path = example_agent_path(source.example)
            else:
                path = source.file
            doc = read_specification(path)
            if self.persona_filter is not None:
                doc["persona"] = self.persona_filter(doc["persona"])
            people = [TinyPerson.load_specification(doc, auto_rename=True)]
        else:
            people = self._generate(source)
        for person in people:
            for fragment in source.fragments:
                person.import_fragment(_fragment_path(self.scenario, fragment))
        return people

    def _generate(self, source: AgentSource) -> list[TinyPerson]:
        from tinytroupe.factory import TinyPersonFactory

        spec = source.factory
        assert spec is not None
        if spec.demography is not None:
            factory = TinyPersonFactory.create_factory_from_demography(
                spec.demography, spec.n, additional_demographic_specification=spec.describe, context=spec.context)
        else:
            factory = TinyPersonFactory(context=spec.context, total_population_size=spec.n,
                                        sampling_space_description=spec.describe)
        self.output.say(f"Generating {spec.n} people with the factory...", style="dim")
        def failed(event: events.Event) -> None:  # a person the factory could not make: part of the result
            self.failures.append({"step": "generating people", "who": f"person {event.data.get('batch_position')}",
                                  "reason": str(event.data.get("error") or "")})

        stop = events.subscribe(failed, ("factory.failed",))
        with RunProgress(self.output, spec.n, "generating people", count_events=("factory.person",)):
            try:
                people = factory.generate_people(spec.n, agent_particularities=spec.particularities)
            finally:
                stop()
        if not people:
            raise SimulationError(f"{self.scenario.path}: the factory of {format_path(source.key)} got no usable "
                                  "persona from the model; try a stronger model (--model) or a simpler description")
        return people

    def _agent_named(self, name: str, key: tuple) -> TinyPerson:
        assert self.world is not None
        agent = self.world.resolve_target(name)
        if agent is None:
            known = ", ".join(a.name for a in self.agents)
            raise self.scenario.error(key, f"no agent named {name!r}; this scenario's agents are: {known}")
        return agent

    def _scope(self) -> Any:
        """The run's runtime made current (nothing to do when the scenario sets no [model] values)."""
        return self.runtime if self.runtime is not None else nullcontext()

    def build(self) -> TinyWorld:
        """Create the agents and the world, and check the names the scenario refers to."""
        with self._scope():
            return self._build()

    def _build(self) -> TinyWorld:
        spec = self.scenario.world
        for source in self.scenario.agents:
            self.agents.extend(self._load(source))
        cls = TinySocialNetwork if spec.kind == "social_network" else TinyWorld
        seed = int(config_manager.get("seed") or 0) or None
        self.world = cls(spec.name, initial_datetime=spec.start, seed=seed,
                         broadcast_if_no_target=spec.broadcast_if_no_target)
        self.world.add_agents(self.agents)
        for relation in spec.relations:
            members = [self._agent_named(n, (*relation.key, "agents")) for n in relation.agents]
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    self.world.add_relation(a, b, relation.name)  # type: ignore[attr-defined]
        for step in self.scenario.script:
            if step.action == "stimulus":
                self._agent_named(step.value["to"], (*step.key, "stimulus", "to"))
        return self.world

    # -- running -----------------------------------------------------------------------
    def _on_stop(self) -> None:
        self.output.err.print("\nStopping after the current step (press Ctrl-C again to quit at once)...",
                              style="yellow")

    def _perform(self, step: ScriptStep, progress: RunProgress) -> bool:
        """Do one script entry; False when the run must stop (Ctrl-C or the step limit)."""
        world = self.world
        assert world is not None
        if step.action in ("broadcast", "think", "goal"):
            method = {"broadcast": world.broadcast, "think": world.broadcast_thought,
                      "goal": world.broadcast_internal_goal}[step.action]
            with self._addressed_to("everyone"):
                method(step.value)
        elif step.action == "context":
            world.broadcast_context_change(list(step.value))
        elif step.action == "stimulus":
            agent = self._agent_named(step.value["to"], (*step.key, "stimulus", "to"))
            if step.value.get("image"):  # a visual stimulus with an image: the description is its content
                agent.see(image=step.value["image"], description=step.value["content"])
            else:
                getattr(agent, _STIMULI[step.value["type"]])(step.value["content"])  # owned by its world
        elif step.action == "run":
            return self._run_steps(int(step.value), progress)
        return True

    def _addressed_to(self, label: str) -> Any:
        return self.view.addressed_to(label) if self.view is not None else nullcontext()

    def _run_steps(self, n: int, progress: RunProgress) -> bool:
        world = self.world
        assert world is not None
        minutes = self.scenario.world.minutes_per_step
        for _ in range(n):
            if self.stop.requested or (self.max_steps is not None and self.steps_run >= self.max_steps):
                return False
            progress.describe(f"step {self.steps_run + 1} of {self._planned_steps()}")
            world.run(1, timedelta(minutes=minutes) if minutes else None,
                      parallelize=self.scenario.world.parallel)
            self.steps_run += 1
            progress.advance()
        return True

    def _planned_steps(self) -> int:
        total = self.scenario.total_steps
        return min(total, self.max_steps) if self.max_steps is not None else total

    def execute(self) -> RunReport:
        """Build, run the script under a checkpointing simulation scope, write the outputs."""
        with self._scope():
            return self._execute()

    def _execute(self) -> RunReport:
        from tinytroupe import control

        checkpoint = self.scenario.outputs.paths(self.out_dir)["checkpoint"]
        if not self.resume:
            checkpoint.unlink(missing_ok=True)
        simulation = control.begin(checkpoint, auto_checkpoint=True)
        self.view = self.output.conversation()
        meter = UsageMeter()  # every call of the run, the factory's included
        stop_metering = events.subscribe(meter, meter.EVENTS)
        self.replay_meter = ReplayMeter()
        stop_replay_metering = events.subscribe(self.replay_meter, ("control.hit",))
        progress = RunProgress(self.output, self._planned_steps(), "steps", meter=meter)
        try:
            world = self.build()
            with self.stop, progress, shard_world(world):  # its agents on Ray actors under --executor ray
                for step in self.scenario.script:
                    if not self._perform(step, progress):
                        break
        except BaseException:
            self._close_simulation(simulation, keep=self.steps_run > 0)
            if self.steps_run > 0 and self.world is not None:
                self._save_after_failure(progress, resumable=simulation.damaged is None)
            raise
        finally:
            stop_metering()
            stop_replay_metering()
            if self.view is not None:
                self.view.close()
        self.replayed = simulation.cache_hits
        self._close_simulation(simulation, keep=True)
        return self._write_outputs(world, progress)

    def _save_after_failure(self, progress: RunProgress, resumable: bool = True) -> None:
        """Write what ran before a failure, so the steps already paid for are not lost."""
        assert self.world is not None
        try:
            report = self._write_outputs(self.world, progress)
        except Exception:  # the original error matters more
            return
        self.output.err.print(f"Saved what ran ({self.steps_run} of {self._planned_steps()} steps): "
                              f"{report.outputs['transcript']}, "
                              f"{report.outputs['state']}"
                              + ("; --resume carries on from the checkpoint." if resumable else "."),
                              style="yellow", soft_wrap=True)

    @staticmethod
    def _close_simulation(simulation: Any, keep: bool) -> None:
        from tinytroupe import control

        if control.current_simulation() is not simulation:
            return
        if keep:
            control.end()  # the checkpoint: `--resume` carries on from it
        else:
            control.reset()

    # -- outputs -----------------------------------------------------------------------
    def _write_outputs(self, world: TinyWorld, progress: RunProgress) -> RunReport:
        paths = self.scenario.outputs.paths(self.out_dir)
        transcript = world.transcript
        world.save_transcript(str(paths["transcript"]))
        world.save(paths["state"])
        report = RunReport(
            title=self.scenario.title, model=describe_model(), seed=world.seed,
            agents=[a.name for a in world.agents], steps_run=self.steps_run, total_steps=self._planned_steps(),
            interrupted=self.stop.requested and self.steps_run < self._planned_steps(),
            outputs={k: relative_to_cwd(p) for k, p in paths.items()}, replayed_operations=self.replayed,
            usage=progress.meter.to_dict(), utterances=utterances(transcript),
            replayed_usage=self.replay_meter.to_dict() if self.replay_meter.operations else {},
            omitted_events=world.transcript_omissions,

            failures=self.failures + fallback_failures(transcript))
        from tinytroupe.cli.extract_spec import write_run_artifacts  # [[extract]] results and run.json

        for name, path in write_run_artifacts(self.scenario, world, self.out_dir, report, progress.meter).items():
            report.outputs[name] = relative_to_cwd(path)
        bios = {a.name: a.minibio(extended=False) for a in world.agents}
        paths["summary"].parent.mkdir(parents=True, exist_ok=True)
        paths["summary"].write_text(markdown_summary(report, self.scenario.description, bios, transcript),
                                    encoding="utf-8")
        events.emit(contracts.payload_for("cli.run_saved", report.outputs), source="cli")
        return report
