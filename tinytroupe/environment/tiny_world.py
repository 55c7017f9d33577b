"""TinyWorld: agents in one place, stepped together under a clock, their actions routed to each other.

::

    world = TinyWorld("Chat Room", [lisa, oscar], initial_datetime=datetime(2025, 1, 6, 9), seed=7)
    world.broadcast("Discuss the new product.")
    world.run(3)                 # or world.run_hours(3), await world.arun(3)

In parallel mode (the default, ``PARALLEL_AGENT_ACTIONS``) every agent acts at once within a
step and what they did is delivered after all have acted, in the step's agent order. In
sequential mode agents act one at a time in a seeded shuffled order, each hearing what the
earlier ones did. Both give the same result for the same seed and replies. A world created
without a seed derives one from its name and the ``SEED`` setting, so the same script
shuffles the same way in every process (and a cached rerun makes no request).

Every event a world drives (its steps, its agents' stimuli and actions, their model calls)
carries the world's :attr:`TinyWorld.id`; the world's transcript and cost statistics are the
events of that id, so a world and its fork running at once keep theirs apart.
"""

from __future__ import annotations

import logging
import os
import random
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from tinytroupe import events, transactions
from tinytroupe._sync import run_sync
from tinytroupe.config import config_manager
from tinytroupe.contracts import (
    Acted,
    Agent,
    AgentFallback,
    WorldIntervention,
    WorldSkip,
    WorldStep,
    failure_of,
    register_state_kind,
)
from tinytroupe.environment import persistence
from tinytroupe.environment.clock import STEP_UNITS, SimClock, pretty_datetime
from tinytroupe.environment.compat_api import OriginalWorldAPI
from tinytroupe.environment.html_view import WorldHtmlView
from tinytroupe.environment.routing import Routing
from tinytroupe.environment.state import decode_world, encode_world
from tinytroupe.environment.transcript import WorldRecorder, load_transcript, save_transcript
from tinytroupe.errors import AuthenticationError, LLMError, NoModelConfiguredError, SimulationError
from tinytroupe.events import Event
from tinytroupe.llm import budget
from tinytroupe.llm.streaming import bound_for_agents, quiet_collector, stream_map
from tinytroupe.memory.background import current_background, memory_in_background
from tinytroupe.runtime import RegistryView, current_runtime

__all__ = ["TinyWorld"]

logger = logging.getLogger(__name__)

StepActions = dict[str, list[Any]]



def _world_ids() -> weakref.WeakValueDictionary[str, Any]:
    """id -> live world, of the current runtime."""
    return current_runtime().world_ids


def _new_id(world: Any, name: str) -> str:
    """``name``, or ``"name#2"``... when a live world already has that id (until
    :meth:`TinyWorld.clear_environments` starts afresh).

    Ids are stable across processes (the same script gives the same ids), so transcripts and
    checkpoints that carry them compare equal from one run to the next.
    """
    candidate, n = name, 2
    ids = _world_ids()
    while candidate in ids:
        candidate, n = f"{name}#{n}", n + 1
    ids[candidate] = world
    return candidate


class TinyWorld(Routing, OriginalWorldAPI, WorldHtmlView):
    """An environment that owns agents, steps them, keeps time and routes their actions."""

    # name -> world, so that worlds can be found by name as in TinyTroupe (the newest wins)
    all_environments: ClassVar[RegistryView] = RegistryView("worlds")  # the current runtime's worlds
    state_kind: ClassVar[str] = "world"
    # False marks the agents' events as not for display (the console renderer skips them)
    communication_display: ClassVar[bool] = True
    # whether agents added to the world can see each other at once (networks derive it from relations)
    _everyone_accessible_on_add: ClassVar[bool] = True
    # ...but only while the world stays room-sized: an agent joining a world that will then hold
    # more agents than this (a crowd, such as a survey) is not made accessible to everyone, since
    # that costs N^2 relations and puts every name in every prompt; make_everyone_accessible()
    # still connects a crowd on request
    max_everyone_accessible: ClassVar[int] = 50

    def __init__(self, name: str = "A TinyWorld", agents: Iterable[Agent] | None = None,
                 initial_datetime: datetime | None = None, interventions: Iterable[Any] | None = None,
                 broadcast_if_no_target: bool = True, seed: int | None = None):
        self.name = name
        self.id = _new_id(self, name)
        self._clock = SimClock(initial_datetime)
        self.broadcast_if_no_target = broadcast_if_no_target
        self.agents: list[Agent] = []
        self.name_to_agent: dict[str, Agent] = {}
        self._interventions: list[Any] = []
        if seed is None:
            seed = transactions.default_seed(f"world:{name}")
        self.seed = seed
        self._rng = random.Random(seed)
        # resolved once: how steps run when run()/step() are not told (PARALLEL_AGENT_ACTIONS)
        self.parallel_by_default = bool(config_manager.get("parallel_agent_actions"))
        self.simulation_step = 0
        self.simulation_id: str | None = None
        self._recorder = WorldRecorder(self.id)
        weakref.finalize(self, self._recorder.close)
        TinyWorld.add_environment(self)
        self.add_interventions(interventions or [])
        self.add_agents(agents or [])
        transactions.register(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, agents={[a.name for a in self.agents]})"

    # -- registry ------------------------------------------------------------------------
    @classmethod
    def add_environment(cls, environment: TinyWorld) -> None:
        """Register ``environment`` under its name. A name another world already has is not taken
        over (TinyTroupe refuses it): the newcomer is registered under its id (``"Town#2"``) and
        a warning says so, so ``get_environment_by_name("Town")`` keeps finding the first."""
        key = environment.name
        taken = TinyWorld.all_environments.get(key)
        if taken is not None and taken is not environment:
            key = environment.id if getattr(environment, "id", key) != key else f"{key}#{id(environment)}"
            logger.warning("a world named %r already exists; this one is registered as %r: give worlds distinct "
                           "names, or call TinyWorld.clear_environments() before creating them again", environment.name,
                           key)
        TinyWorld.all_environments[key] = environment

    @classmethod
    def get_environment_by_name(cls, name: str) -> TinyWorld | None:
        """The world registered as ``name``, or None."""
        return TinyWorld.all_environments.get(name)

    @classmethod
    def clear_environments(cls) -> None:
        """Forget every registered world (new worlds may take their names and ids again)."""
        TinyWorld.all_environments.clear()
        _world_ids().clear()

    # -- clock ---------------------------------------------------------------------------
    @property
    def current_datetime(self) -> datetime | None:
        """The simulated time now (None when the world has no clock yet)."""
        return self._clock.current

    @current_datetime.setter
    def current_datetime(self, value: datetime | None) -> None:
        self._clock = SimClock(value)

    def _sim_time(self) -> str | None:
        return self._clock.iso()

    @contextmanager
    def recording(self) -> Iterator[TinyWorld]:
        """Inside this block every event emitted (in this task, and tasks and threads started
        from it) belongs to this world: it lands in its transcript and its cost statistics."""
        with events.owner(self.id):
            yield self

    def restore_transcript(self, recorded: Iterable[Event]) -> None:
        """File events recorded earlier (a replayed step's) into the transcript and costs."""
        self._recorder.restore(recorded)

    # -- agents --------------------------------------------------------------------------
    def add_agents(self, agents: Iterable[Agent]) -> TinyWorld:
        """Add several agents; returns the world, for chaining."""
        batch = list(agents)
        size = len(self.agents) + len(batch)
        for agent in batch:
            self._add_agent(agent, size)
        return self

    def add_agent(self, agent: Agent) -> TinyWorld:
        """Add ``agent`` (its name must be unique here) and make the world its environment.

        In a room-sized world (see ``max_everyone_accessible``) it and everyone else become
        accessible to each other.
        """
        return self._add_agent(agent, len(self.agents) + 1)

    def _add_agent(self, agent: Agent, size_after: int) -> TinyWorld:
        """Add one agent of a batch that leaves the world with ``size_after`` agents."""
        holder = self.name_to_agent.get(agent.name)
        # the list is only scanned for an agent that says it is here (a scan per agent is N^2 for a crowd)
        if holder is agent or (getattr(agent, "environment", None) is self and agent in self.agents):
            return self
        if holder is not None:
            raise SimulationError(
                f"world {self.name!r} already has an agent named {agent.name!r}; "
                "agent names must be unique within a world: rename one of them"
            )
        agent.environment = self
        self.agents.append(agent)
        self.name_to_agent[agent.name] = agent
        if self._everyone_accessible_on_add and size_after <= self.max_everyone_accessible:
            for other in self.agents[:-1]:
                other.make_agent_accessible(agent)
                agent.make_agent_accessible(other)
        return self

    def remove_agent(self, agent: Agent) -> TinyWorld:
        """Take ``agent`` out of the world; the others can no longer reach it."""
        if agent not in self.agents:
            raise SimulationError(f"{getattr(agent, 'name', agent)!r} is not in world {self.name!r}")
        self.agents.remove(agent)
        del self.name_to_agent[agent.name]
        for other in self.agents:
            other.make_agent_inaccessible(agent)
            agent.make_agent_inaccessible(other)
        if getattr(agent, "environment", None) is self:
            agent.environment = None
        return self

    def remove_all_agents(self) -> TinyWorld:
        """Take every agent out of the world."""
        for agent in list(self.agents):
            self.remove_agent(agent)
        return self

    # -- interventions -------------------------------------------------------------------
    def add_intervention(self, intervention: Any) -> TinyWorld:
        """Check ``intervention`` at the start of every step from now on."""
        self._interventions.append(intervention)
        return self

    def add_interventions(self, interventions: Iterable[Any]) -> TinyWorld:
        for intervention in interventions:
            self.add_intervention(intervention)
        return self

    @property
    def interventions(self) -> list[Any]:
        return list(self._interventions)

    # -- running -------------------------------------------------------------------------
    async def arun(self, steps: int, timedelta_per_step: timedelta | None = None, return_actions: bool = False,
                   randomize_agents_order: bool = True, parallelize: bool | None = None) -> list[StepActions] | None:
        """Run ``steps`` steps; with ``return_actions``, one ``{agent name: actions}`` dict per step."""
        if steps < 0:
            raise SimulationError(f"run(steps={steps}): the number of steps cannot be negative")
        history: list[StepActions] = []
        with self.recording():
            async with memory_in_background():  # retrieval and consolidation off the turns' path
                for index in range(steps):
                    history.append(await self._astep(timedelta_per_step, randomize_agents_order, parallelize,
                                                     run_step=index + 1, total_steps=steps))
        return history if return_actions else None

    def run(self, steps: int, timedelta_per_step: timedelta | None = None, return_actions: bool = False,
            randomize_agents_order: bool = True, parallelize: bool | None = None) -> list[StepActions] | None:
        """Blocking twin of :meth:`arun` (works in scripts and inside a running event loop)."""
        return run_sync(self.arun(steps, timedelta_per_step, return_actions, randomize_agents_order, parallelize))

    async def astep(self, timedelta_per_step: timedelta | None = None, randomize_agents_order: bool = True,
                    parallelize: bool | None = None) -> StepActions:
        """Run one step and return ``{agent name: actions}``."""
        with self.recording():
            async with memory_in_background():
                return await self._astep(timedelta_per_step, randomize_agents_order, parallelize, 1, 1)

    def step(self, timedelta_per_step: timedelta | None = None, randomize_agents_order: bool = True,
             parallelize: bool | None = None) -> StepActions:
        """Blocking twin of :meth:`astep`."""
        return run_sync(self.astep(timedelta_per_step, randomize_agents_order, parallelize))

    @transactions.transactional("TinyWorld.skip")
    def skip(self, steps: int, timedelta_per_step: timedelta | None = None) -> None:
        """Let time pass for ``steps`` steps without anyone acting."""
        if timedelta_per_step is None:
            return
        self._clock.advance(steps * timedelta_per_step)
        with self.recording():
            events.emit(WorldSkip(self.name, steps), source=self.name, sim_time=self._sim_time())

    def _run_for(self, unit: str, amount: int, randomize_agents_order: bool, parallelize: bool | None) -> None:
        self.run(amount, STEP_UNITS[unit], randomize_agents_order=randomize_agents_order, parallelize=parallelize)

    def run_minutes(self, minutes: int, randomize_agents_order: bool = True, parallelize: bool | None = None) -> None:
        """Run one step per simulated minute."""
        self._run_for("minutes", minutes, randomize_agents_order, parallelize)

    def run_hours(self, hours: int, randomize_agents_order: bool = True, parallelize: bool | None = None) -> None:
        """Run one step per simulated hour."""
        self._run_for("hours", hours, randomize_agents_order, parallelize)

    def run_days(self, days: int, randomize_agents_order: bool = True, parallelize: bool | None = None) -> None:
        """Run one step per simulated day."""
        self._run_for("days", days, randomize_agents_order, parallelize)

    def run_weeks(self, weeks: int, randomize_agents_order: bool = True, parallelize: bool | None = None) -> None:
        """Run one step per simulated week."""
        self._run_for("weeks", weeks, randomize_agents_order, parallelize)

    def run_months(self, months: int, randomize_agents_order: bool = True, parallelize: bool | None = None) -> None:
        """Run one step per simulated month (four weeks)."""
        self._run_for("months", months, randomize_agents_order, parallelize)

    def run_years(self, years: int, randomize_agents_order: bool = True, parallelize: bool | None = None) -> None:
        """Run one step per simulated year (365 days)."""
        self._run_for("years", years, randomize_agents_order, parallelize)

    def skip_minutes(self, minutes: int) -> None:
        self.skip(minutes, STEP_UNITS["minutes"])

    def skip_hours(self, hours: int) -> None:
        self.skip(hours, STEP_UNITS["hours"])

    def skip_days(self, days: int) -> None:
        self.skip(days, STEP_UNITS["days"])

    def skip_weeks(self, weeks: int) -> None:
        self.skip(weeks, STEP_UNITS["weeks"])

    def skip_months(self, months: int) -> None:
        self.skip(months, STEP_UNITS["months"])

    def skip_years(self, years: int) -> None:
        self.skip(years, STEP_UNITS["years"])

    # -- one step ------------------------------------------------------------------------
    # each step is one operation for simulation control, whatever run()/step() call made it
    @transactions.transactional("TinyWorld.step", ignore=("run_step", "total_steps"))
    async def _astep(self, timedelta_per_step: timedelta | None, randomize_agents_order: bool,
                     parallelize: bool | None, run_step: int, total_steps: int) -> StepActions:
        args = (timedelta_per_step, randomize_agents_order, parallelize, run_step, total_steps)
        with self.recording():
            limits = budget.active()
            if limits is None:
                return await self._astep_owned(*args)
            return await self._astep_within(limits, args)

    async def _astep_within(self, limits: budget.Budget, args: tuple[Any, ...]) -> StepActions:
        """A step under a budget: refused at the boundary when it would not fit, put back whole
        when a call inside it is refused (so a run always stops between two steps)."""
        try:
            limits.begin_step(len(self.agents))
        except budget.BudgetExceededError as exc:
            exc.steps_done = self.simulation_step
            raise
        saved, recorded = self.encode_complete_state(), self._recorder.mark()
        try:
            result = await self._astep_owned(*args)
        except budget.BudgetExceededError as exc:
            with transactions.untracked():
                self.decode_complete_state(saved)
            self._recorder.rewind(recorded)
            limits.put_back()
            exc.steps_done, exc.usage = self.simulation_step, limits.usage()  # usage once the step settled
            raise
        limits.end_step()
        return result

    async def _astep_owned(self, timedelta_per_step: timedelta | None, randomize_agents_order: bool,
                           parallelize: bool | None, run_step: int, total_steps: int) -> StepActions:
        self._clock.advance(timedelta_per_step)
        self.simulation_step += 1
        when = pretty_datetime(self.current_datetime) if self.current_datetime else None
        events.emit(WorldStep(self.name, self.simulation_step, run_step, total_steps, when),
                    source=self.name, sim_time=self._sim_time())
        self._before_interventions()
        await self._apply_interventions()
        order = list(self.agents)
        if randomize_agents_order:
            self._rng.shuffle(order)
        if parallelize is None:
            parallelize = self.parallel_by_default
        acted = await (self._act_in_parallel(order) if parallelize else self._act_in_sequence(order))
        background = current_background()
        if background is not None:  # the queries embedded beside this step's requests: part of its state
            await background.aend_step()
        return acted

    def _before_interventions(self) -> None:
        """Hook run at the start of each step, before interventions (networks refresh accessibility)."""

    async def _apply_interventions(self) -> None:
        for intervention in list(self._interventions):
            if await intervention.acheck_precondition(self):
                events.emit(WorldIntervention(self.name, intervention.name, self.simulation_step,
                                                 intervention.precondition_justification()),
                            source=self.name, sim_time=self._sim_time())
                await intervention.aapply_effect(self)

    async def _act_in_sequence(self, order: list[Agent]) -> StepActions:
        result: StepActions = {}
        with self.delivery_round():
            for agent in order:
                acted = await self._act_one(agent)
                result[agent.name] = [a.to_dict() for a in acted]
                self._handle_actions(agent, [a.action for a in acted])
        return result

    async def _act_in_parallel(self, order: list[Agent]) -> StepActions:
        """Every agent acts, streamed: an agent's request leaves once its prompt is built, and only
        about the model's concurrency ceiling (plus a margin) of turns are under way at once."""
        with quiet_collector(len(order)):  # a crowd's step: its people are not scanned for cycles
            with self._recorder.hold([a.name for a in order]):
                outcomes = await stream_map(self._act_one, order, bound_for_agents(order))
            result: StepActions = {}
            with self.delivery_round():
                for agent, acted in zip(order, outcomes, strict=True):
                    result[agent.name] = [a.to_dict() for a in acted]
                    self._handle_actions(agent, [a.action for a in acted])
        return result

    async def _act_one(self, agent: Agent) -> list[Acted]:
        """Let one agent act; an LLM failure the agent did not absorb costs it its turn, not the run.

        Configuration errors (no model, a refused key) and errors of strict agents propagate.
        """
        try:
            display = None if type(self).communication_display else False
            acted = await agent.aturn(communication_display=display)
        except (NoModelConfiguredError, AuthenticationError):
            raise
        except LLMError as exc:
            if getattr(agent, "strict", False):
                raise
            failure = failure_of(exc)
            logger.warning("agent %s lost its turn in world %s: %s", agent.name, self.name, failure.reason)
            events.emit(AgentFallback(agent.name, failure.error_type, failure.reason),
                        source=agent.name, sim_time=self._sim_time())
            return []
        return list(acted or [])

    # -- transcript and costs ------------------------------------------------------------
    @property
    def transcript(self) -> list[Event]:
        """The events recorded so far (the world's and its agents'), oldest first."""
        return list(self._recorder.events)

    @property
    def transcript_position(self) -> int:
        """How many events the transcript holds now (see :meth:`transcript_since`)."""
        return self._recorder.position

    def transcript_since(self, position: int) -> list[Event]:
        """The transcript's events after ``position``, in the order they were filed."""
        return self._recorder.since(position)

    @property
    def transcript_omissions(self) -> dict[str, int]:
        """Deliveries counted but not kept in :attr:`transcript`, by kind (a crowd's broadcasts)."""
        return dict(self._recorder.omitted)

    def save_transcript(self, path: str) -> str:
        """Write the transcript as JSON lines; returns the path written."""
        return str(save_transcript(path, self.transcript))

    @staticmethod
    def load_transcript(path: str) -> list[Event]:
        """Read a transcript written by :meth:`save_transcript`."""
        return load_transcript(path)

    def cost_stats(self) -> dict[str, Any]:
        """Model calls, cached calls, tokens and cost (None: unknown) while this world ran.

        ``{"total": {...}, "agents": {name: {...}}, "by_model": {...}}``; each entry as
        :class:`~tinytroupe.llm.wrappers.usage.Tally` counts them.
        """
        snapshot = self._recorder.stats.snapshot()
        return {"total": snapshot["total"], "agents": snapshot["by_tag"].get("agent", {}),
                "by_model": snapshot["by_model"]}

    def pretty_cost_summary(self) -> str:
        """:meth:`cost_stats` as a small text table, titled with the world's name."""
        return f"{self.name}: model usage while the world ran\n" + self._recorder.stats.summary()

    # -- state ---------------------------------------------------------------------------
    def encode_complete_state(self) -> dict[str, Any]:
        """The world's whole state as plain JSON-able data (agents included)."""
        return encode_world(self)

    def decode_complete_state(self, state: dict[str, Any]) -> TinyWorld:
        """Restore the state made by :meth:`encode_complete_state`; returns the world."""
        decode_world(self, state)
        return self

    def fork(self, new_name: str) -> TinyWorld:
        """A new world named ``new_name`` in exactly this world's state, with copies of its agents.

        The copies keep their names and live only in the fork (name lookup still finds the
        originals); interventions are not copied. See :mod:`tinytroupe.environment.persistence`.
        """
        return persistence.fork_world(self, new_name)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the world's complete state (agents included) to ``path`` atomically."""
        return persistence.save_world(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> TinyWorld:
        """A world restored from a file written by :meth:`save` (same-named agents are reused)."""
        return persistence.load_world(path, cls)

    def _encode_extra(self) -> dict[str, Any]:
        """Fields a subclass adds to the encoded state."""
        return {}

    def _decode_extra(self, state: dict[str, Any]) -> None:
        """Restore the fields a subclass added in :meth:`_encode_extra`."""


register_state_kind("world", TinyWorld)
