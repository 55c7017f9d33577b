"""TinyPersonFactory: one person or thousands, matching a population, reproducibly.

The factory holds the population's dimensions (from Python, a demography file, or one model
call on a free-text description) and a seeded RNG. Each person's characteristics are drawn
in Python, independently or by quota; the model then writes one persona per person (one
call each) consistent with them, and the drawn values are written into the persona as drawn.
Names stay unique across the factory and the process; see :mod:`tinytroupe.factory.naming`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tinytroupe import contracts, events, fanout, transactions
from tinytroupe._sync import run_sync
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.errors import LLMError, SpecificationError, StateError
from tinytroupe.factory.demography import read_demography
from tinytroupe.factory.fit import FitResult, chi_square_gof
from tinytroupe.factory.generation import Job, Outcome, draft_persona, run_waves
from tinytroupe.factory.naming import NameBook
from tinytroupe.factory.original_api import OriginalFactoryAPI
from tinytroupe.factory.persona_schema import DETAILS, FIXABLE_FIELDS
from tinytroupe.factory.planning import propose_dimensions
from tinytroupe.factory.population import Dimension, dimensions_from_mapping
from tinytroupe.factory.prompting import MAX_AVOID_NAMES, PersonRequest
from tinytroupe.factory.sampler import CharacteristicSampler
from tinytroupe.factory.tiny_factory import TinyFactory
from tinytroupe.fanout import ShardExecutor
from tinytroupe.llm.base import LLMModel, capabilities_of
from tinytroupe.not_provided import warn_once
from tinytroupe.state import files as state_files
from tinytroupe.state.schema import check_document

logger = logging.getLogger(__name__)

__all__ = ["TinyPersonFactory"]

FAILED_DRAFT_RETRIES = 1
"""A person whose reply failed outright (after the LLM layer's own retries) is tried once more."""

STATE_FILE = "factory_state.json"


def _set_path(persona: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = persona
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def _penalties_note(frequency_penalty: float, presence_penalty: float) -> None:
    if frequency_penalty or presence_penalty:
        warn_once("factory.penalties", "TinyPersonFactory: frequency_penalty and presence_penalty are accepted and "
                                       "not sent (each persona is one structured reply); vary people with "
                                       "agent_particularities or temperature instead.")


def _file_stem(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_") or "person"


class TinyPersonFactory(TinyFactory, OriginalFactoryAPI):
    """Generates distinct :class:`~tinytroupe.agent.TinyPerson` agents for a population."""

    def __init__(self, context: str | None = None, sampling_space_description: str | None = None,
                 total_population_size: int | None = None, seed: int | None = None,
                 dimensions: Mapping[str, Any] | Iterable[Dimension] | None = None, *,
                 quota: bool | None = None, concurrency: int | None = None,
                 model: LLMModel | None = None, detail: str = "auto",
                 enforce_usage_of_all_dimensions: bool = False, simulation_id: str | None = None,
                 name: str | None = None):
        """``dimensions``: see :func:`~tinytroupe.factory.population.dimensions_from_mapping`;
        when None and ``sampling_space_description`` is given, the model proposes them once.
        ``quota`` (default: on when ``total_population_size`` is known) draws exact counts.
        ``concurrency`` bounds calls in flight (default: MAX_CONCURRENT_MODEL_CALLS).
        ``detail``: ``"full"`` personas, ``"compact"`` ones (fewer, shorter fields, for small
        models), or ``"auto"`` (compact on the embedded local model, else full).
        ``enforce_usage_of_all_dimensions`` and ``simulation_id`` are the original's: every
        dimension is always used here, and control owns factories through ``control.begin``.
        """
        if detail not in ("auto", *DETAILS):
            raise SpecificationError(f"detail must be auto, full or compact, got {detail!r}.")
        if total_population_size is not None and total_population_size < 1:
            raise SpecificationError(f"total_population_size must be at least 1, got {total_population_size}.")
        super().__init__(simulation_id=simulation_id, name=name)
        self.enforce_usage_of_all_dimensions = enforce_usage_of_all_dimensions
        self.context = context
        self.sampling_space_description = sampling_space_description
        self.total_population_size = total_population_size
        label = f"factory:{context or ''}:{sampling_space_description or ''}"
        self.seed = seed if seed is not None else transactions.default_seed(label)
        self.quota = quota
        self.concurrency = concurrency
        self.model = model
        self.detail = detail
        self._rng = random.Random(self.seed)
        self._dimensions = None if dimensions is None else dimensions_from_mapping(dimensions)
        self._plan: list[dict[str, Any]] = []
        self._next_entry = 0
        self._names = NameBook()
        self._plan_task: asyncio.Task | None = None
        self._committed = 0
        self.generated_people: list[TinyPerson] = []
        self.generated_names: list[str] = []
        self.generated_minibios: list[str] = []
        transactions.register(self)

    # -- the population plan -----------------------------------------------------------
    @classmethod
    def create_factory_from_demography(cls, demography_description_or_file_path: str | os.PathLike | Mapping[str, Any],
                                       population_size: int | None = None,
                                       additional_demographic_specification: str | None = None,
                                       context: str | None = None, seed: int | None = None,
                                       dimensions: Sequence[str] | None = None,
                                       quota: bool | None = None, **kwargs: Any) -> TinyPersonFactory:
        """A factory for ``population_size`` people of a demography file (e.g. usa.json).

        ``dimensions`` keeps only those distributions (``["age", "gender"]``); the others stay
        in the population text as shares. The additional specification joins that text.
        """
        source = demography_description_or_file_path
        if not isinstance(source, (str, os.PathLike, Mapping)):
            raise SpecificationError(
                "create_factory_from_demography: the demography must be either a string or a dictionary "
                f"(a demography file's path, or its content as a dict), not {type(source).__name__}."
            )
        if population_size is None:
            raise SpecificationError("create_factory_from_demography: population_size must be specified "
                                     "(how many people the factory is to make).")
        demography = read_demography(source)
        if dimensions is not None:
            demography = demography.select(dimensions)
        text = demography.context_text()
        if additional_demographic_specification:
            text += f"\nAdditional specification: {additional_demographic_specification.strip()}"
        return cls(context=context, sampling_space_description=text, total_population_size=population_size,
                   seed=seed, dimensions=list(demography.dimensions), quota=quota, **kwargs)

    @property
    def sampling_dimensions(self) -> list[Dimension]:
        """The dimensions people are drawn on (empty until planned, or when there are none)."""
        return list(self._dimensions or [])

    @property
    def sampling_plan(self) -> list[dict[str, Any]]:
        """Every characteristics dict drawn so far, in order (quota blocks are drawn whole)."""
        return [dict(e) for e in self._plan]

    def _uses_quota(self) -> bool:
        return self.quota if self.quota is not None else self.total_population_size is not None

    @transactions.transactional("TinyPersonFactory.plan_sampling")
    async def aplan_sampling(self) -> list[Dimension]:
        """Settle the dimensions: one model call when only a description was given."""
        if self._dimensions is None and not self.sampling_space_description:
            self._dimensions = []
        if self._dimensions is None:
            if self._plan_task is None or self._plan_task.get_loop() is not asyncio.get_running_loop():
                self._plan_task = asyncio.ensure_future(propose_dimensions(
                    self._model(), self.sampling_space_description or "", self.context,
                    seed=self._rng.randrange(2**31)))
            dims = await asyncio.shield(self._plan_task)
            if self._dimensions is None:
                self._dimensions = dims
        return self.sampling_dimensions

    def plan_sampling(self) -> list[Dimension]:
        """Blocking twin of :meth:`aplan_sampling`."""
        return run_sync(self.aplan_sampling())

    def _extend_plan(self, n: int) -> None:
        """Draw characteristics until ``n`` unused entries are planned."""
        sampler = CharacteristicSampler(self.sampling_dimensions, self._rng)
        missing = n - (len(self._plan) - self._next_entry)
        if missing > 0:
            if self._uses_quota():
                self._plan.extend(sampler.quota(max(missing, self.total_population_size or 0)))
            else:
                self._plan.extend(sampler.draw_many(missing))

    def _take_entries(self, n: int) -> list[dict[str, Any]]:
        self._extend_plan(n)
        entries = self._plan[self._next_entry:self._next_entry + n]
        self._next_entry += n
        return [dict(e) for e in entries]

    # -- generation --------------------------------------------------------------------
    def _model(self) -> LLMModel:
        if self.model is not None:
            return self.model
        from tinytroupe.llm import default_model

        return default_model()

    def _new_jobs(self, n: int) -> list[Job]:
        entries = self._take_entries(n)
        recent = self.generated_names[-MAX_AVOID_NAMES:]
        jobs = []
        for i, entry in enumerate(entries):
            fixed = {d.field: entry[d.key] for d in self.sampling_dimensions
                     if d.field in FIXABLE_FIELDS and d.key in entry}
            jobs.append(Job(index=i, characteristics=entry, seed=self._rng.randrange(2**31),
                            fixed=fixed, avoid_names=list(recent)))
        return jobs

    def _request(self, job: Job, particularities: str | None) -> PersonRequest:
        return PersonRequest(characteristics=job.characteristics, context=self.context,
                             population=self.sampling_space_description, particularities=particularities,
                             avoid_names=job.avoid_names, problem=job.problem,
                             dimensions=self.sampling_dimensions)

    def _as_drawn(self, job: Job, persona: dict[str, Any]) -> dict[str, Any]:
        for dim in self.sampling_dimensions:
            if dim.key in job.characteristics:
                _set_path(persona, dim.field, job.characteristics[dim.key])
        return persona

    def _problem_with(self, persona: dict[str, Any]) -> str | None:
        name = persona["name"]
        if self._names.is_taken(name):
            return f"the name {name!r} is already used by someone else; give this person another full name."
        if self._names.is_near_duplicate(persona):
            return (f"another person is already a {persona.get('age')}-year-old "
                    f"{persona.get('occupation', {}).get('title')} living in {persona.get('residence')}; "
                    "make this person clearly different (another occupation or place of residence).")
        return None

    def _commit(self, job: Job, persona: dict[str, Any], post: Callable[[TinyPerson], Any] | None,
                verbose: bool, total: int) -> tuple[TinyPerson, str]:
        persona["name"] = self._names.disambiguate(persona["name"], job.seed)
        person = TinyPerson(persona["name"])
        person.define(persona)
        if post is not None:
            post(person)
            persona = person.persona
        self._names.add(persona)
        bio = person.minibio()
        self._committed += 1
        events.emit(contracts.FactoryPerson(person.name, self._committed, job.index + 1, total, job.attempts_used,
                                          bio, verbose), source="factory")
        return person, bio

    def _record(self, done: Sequence[tuple[contracts.Agent, str] | None]) -> None:
        """Add a finished batch to the generated lists, in plan order."""
        for item in done:
            if item is not None:
                self.generated_people.append(item[0])
                self.generated_names.append(item[0].name)
                self.generated_minibios.append(item[1])

    async def _generate(self, n: int, particularities: str | None, temperature: float, attempts: int,
                        parallelize: bool, post: Callable[[TinyPerson], Any] | None,
                        verbose: bool, executor: ShardExecutor | None = None) -> list[TinyPerson | None]:
        await self.aplan_sampling()
        jobs = self._new_jobs(n)
        results: list[tuple[TinyPerson, str] | None] = [None] * n
        model = self._model()
        limit = asyncio.Semaphore(self._concurrency(parallelize))
        temperature = min(2.0, max(0.0, float(temperature)))
        tags = {"component": "factory", "purpose": "generation"}
        detail = self.detail if self.detail != "auto" else ("compact" if capabilities_of(model).small else "full")

        async def draft(job: Job) -> Outcome:
            return await draft_persona(model, self._request(job, particularities), job, detail=detail,
                                       temperature=temperature, limit=limit, tags=tags)

        def settle(job: Job, outcome: Outcome, last_chance: bool) -> bool:
            if isinstance(outcome, LLMError):
                job.failures += 1
                if job.failures <= FAILED_DRAFT_RETRIES and not last_chance:
                    return False
                events.emit(contracts.FactoryFailed(job.index + 1, str(outcome)[:300]), source="factory")
                return True
            persona = self._as_drawn(job, outcome.to_persona())
            problem = self._problem_with(persona)
            if problem is not None and not last_chance:
                job.problem = problem
                job.avoid_names = (job.avoid_names + [persona["name"]])[-MAX_AVOID_NAMES:]
                events.emit(contracts.FactoryRetry(job.index + 1, problem), source="factory")
                return False
            results[job.index] = self._commit(job, persona, post, verbose, n)
            return True

        draft_wave = None
        executor = fanout.chosen(executor)
        if executor is not None:
            from tinytroupe.factory.shards import draft_on

            shared = {"temperature": temperature, "tags": tags, "detail": detail,
                      "concurrency": self._concurrency(parallelize),
                      "dimensions": [d.to_dict() for d in self.sampling_dimensions], "model": self.model}

            async def draft_wave(wave: list[Job]) -> list[Any]:
                return await draft_on(executor, wave, [self._request(j, particularities) for j in wave], shared)

        try:
            await run_waves(jobs, draft, settle, attempts=attempts, draft_wave=draft_wave)
        finally:
            self._record(results)
        return [item[0] if item is not None else None for item in results]

    def _concurrency(self, parallelize: bool) -> int:
        if not parallelize or not config_manager.get("parallel_agent_generation"):
            return 1
        return max(1, int(self.concurrency or config_manager.get("max_concurrent_model_calls")))

    @transactions.transactional("TinyPersonFactory.generate_person")
    async def agenerate_person(self, agent_particularities: str | None = None, temperature: float = 1.2,
                               frequency_penalty: float = 0.0, presence_penalty: float = 0.0,
                               attempts: int = 10,
                               post_processing_func: Callable[[TinyPerson], Any] | None = None
                               ) -> TinyPerson | None:
        """One new person (None when the model failed to write one); one model call if all goes well.

        The arguments are the original's, in its order; ``frequency_penalty`` and
        ``presence_penalty`` are accepted and not sent (a persona is one structured reply).
        """
        _penalties_note(frequency_penalty, presence_penalty)
        people = await self._generate(1, agent_particularities, temperature, attempts, True,
                                      post_processing_func, False)
        return people[0]

    def generate_person(self, agent_particularities: str | None = None, temperature: float = 1.2,
                        frequency_penalty: float = 0.0, presence_penalty: float = 0.0, attempts: int = 10,
                        post_processing_func: Callable[[TinyPerson], Any] | None = None) -> TinyPerson | None:
        """Blocking twin of :meth:`agenerate_person`."""
        return run_sync(self.agenerate_person(agent_particularities, temperature, frequency_penalty,
                                              presence_penalty, attempts, post_processing_func))

    @transactions.transactional("TinyPersonFactory.generate_people", ignore=("verbose", "executor"))
    async def agenerate_people(self, number_of_people: int | None = None,
                               agent_particularities: str | None = None, temperature: float = 1.2,
                               frequency_penalty: float = 0.0, presence_penalty: float = 0.0,
                               attempts: int = 10,
                               post_processing_func: Callable[[TinyPerson], Any] | None = None,
                               parallelize: bool | None = None, verbose: bool = False, *,
                               executor: ShardExecutor | None = None) -> list[TinyPerson]:
        """``number_of_people`` new people, generated concurrently, in plan order.

        Without a number, the rest of ``total_population_size``. People the model failed to
        write are left out (a ``factory.failed`` event says which). The arguments are the
        original's, in its order (see :meth:`agenerate_person` for the penalties);
        ``parallelize=None`` follows PARALLEL_AGENT_GENERATION. With ``executor`` (see
        :mod:`tinytroupe.executors`) the personas are written in shards on its workers; the
        people are the same (see :mod:`tinytroupe.factory.shards`).
        """
        _penalties_note(frequency_penalty, presence_penalty)
        n = self._batch_size(number_of_people)
        if n == 0:
            return []
        people = await self._generate(n, agent_particularities, temperature, attempts,
                                      True if parallelize is None else parallelize, post_processing_func, verbose,
                                      executor=executor)
        return [p for p in people if p is not None]

    def generate_people(self, number_of_people: int | None = None, agent_particularities: str | None = None,
                        temperature: float = 1.2, frequency_penalty: float = 0.0, presence_penalty: float = 0.0,
                        attempts: int = 10, post_processing_func: Callable[[TinyPerson], Any] | None = None,
                        parallelize: bool | None = None, verbose: bool = False, *,
                        executor: ShardExecutor | None = None) -> list[TinyPerson]:
        """Blocking twin of :meth:`agenerate_people`."""
        return run_sync(self.agenerate_people(number_of_people, agent_particularities, temperature,
                                              frequency_penalty, presence_penalty, attempts,
                                              post_processing_func, parallelize, verbose, executor=executor))

    def _batch_size(self, number_of_people: int | None) -> int:
        """How many people to make now: at most what is left of ``total_population_size`` (0 once
        the whole population is generated)."""
        total = self.total_population_size
        if number_of_people is None:
            if total is None:
                raise SpecificationError(
                    "generate_people: give number_of_people, or create the factory with total_population_size."
                )
            return max(total - len(self.generated_people), 0)
        if number_of_people < 1:
            raise SpecificationError(f"generate_people: number_of_people must be at least 1, got {number_of_people}.")
        if total is None:
            return number_of_people
        if number_of_people > total:
            raise SpecificationError(
                f"Cannot generate more people than the population size: {number_of_people} asked of a factory "
                f"whose total_population_size is {total}; ask for fewer or create it with a larger size."
            )
        left = max(total - len(self.generated_people), 0)
        if number_of_people > left:
            logger.warning("generate_people: %d asked, but only %d of the factory's %d people are left to generate",
                           number_of_people, left, total)
        return min(number_of_people, left)

    # -- inspection, saving and loading ------------------------------------------------
    def goodness_of_fit(self, dimension: str) -> FitResult:
        """Chi-square test of the generated people's values of ``dimension`` against the plan."""
        dim = next((d for d in self.sampling_dimensions if d.key == dimension), None)
        if dim is None:
            raise SpecificationError(
                f"goodness_of_fit: no dimension {dimension!r}; the factory samples "
                + (", ".join(d.key for d in self.sampling_dimensions) or "no dimensions")
            )
        values = [p.get(dim.field) for p in self.generated_people]
        if dim.is_numeric:
            values = [dim.band_of(int(v)) if isinstance(v, int) else v for v in values]
        return chi_square_gof([v for v in values if v is not None], dim.probabilities())

    def save_population(self, folder: str | os.PathLike) -> list[Path]:
        """Write each generated person as ``<name>.agent.json`` (plus the factory's state)."""
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        used: set[str] = set()
        for person in self.generated_people:
            stem, n = _file_stem(person.name), 2
            while stem.lower() in used:
                stem, n = f"{_file_stem(person.name)}_{n}", n + 1
            used.add(stem.lower())
            path = target / f"{stem}.agent.json"
            person.save_specification(path)
            paths.append(path)
        (target / STATE_FILE).write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False),
                                         encoding="utf-8")
        return paths

    @staticmethod
    def load_population(folder: str | os.PathLike, auto_rename: bool = False) -> list[TinyPerson]:
        """The people of every ``*.agent.json`` in ``folder``, in file-name order."""
        source = Path(folder)
        if not source.is_dir():
            raise SpecificationError(f"{source}: population folder not found; check the path.")
        return [TinyPerson.load_specification(p, auto_rename=auto_rename)
                for p in sorted(source.glob("*.agent.json"))]

    def to_dict(self) -> dict[str, Any]:
        """The factory's state as plain data (the people themselves are saved as agent files)."""
        version, internal, gauss = self._rng.getstate()
        return {
            "type": "TinyPersonFactory", "version": 1, "context": self.context,
            "sampling_space_description": self.sampling_space_description,
            "total_population_size": self.total_population_size, "seed": self.seed,
            "quota": self.quota, "concurrency": self.concurrency, "detail": self.detail,
            "dimensions": None if self._dimensions is None else [d.to_dict() for d in self._dimensions],
            "sampling_plan": self.sampling_plan, "next_entry": self._next_entry,
            "rng_state": [version, list(internal), gauss], "names": self._names.to_dict(),
            "generated_names": list(self.generated_names), "generated_minibios": list(self.generated_minibios),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TinyPersonFactory:
        """A factory that carries on where the one :meth:`to_dict` described left off."""
        return cls().decode_complete_state(data)

    @classmethod
    def load_state(cls, path: str | os.PathLike) -> TinyPersonFactory:
        """A factory from the state file :meth:`save_population` writes (``factory_state.json``)."""
        source = Path(path)
        try:
            data = state_files.parse_json(source.read_text(encoding="utf-8"), source, "factory state")
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StateError(f"{source}: the factory state cannot be read ({exc}); save the population "
                             "again") from None
        return cls().decode_complete_state(data, source=source)

    def encode_complete_state(self) -> dict[str, Any]:
        """The factory's complete state as plain data (its people are found by name on decoding)."""
        return self.to_dict()

    def decode_complete_state(self, data: Mapping[str, Any], *, source: str | os.PathLike | None = None
                              ) -> TinyPersonFactory:
        """Restore, in place, what :meth:`to_dict` described; generated people are looked up by name.
        The whole document is checked first (``source`` names it in errors): a bad one changes nothing."""
        check_document(data, "factory", source)
        dims = data.get("dimensions")
        self.context, self.seed = data.get("context"), data.get("seed")
        self.sampling_space_description = data.get("sampling_space_description")
        self.total_population_size = data.get("total_population_size")
        self.quota, self.concurrency = data.get("quota"), data.get("concurrency")
        self.detail = data.get("detail", "auto")
        self._dimensions = None if dims is None else dimensions_from_mapping([Dimension.from_dict(d) for d in dims])
        version, internal, gauss = data["rng_state"]
        self._rng.setstate((version, tuple(internal), gauss))
        self._plan = [dict(e) for e in data.get("sampling_plan", [])]
        self._next_entry = int(data.get("next_entry", 0))
        self._names = NameBook.from_dict(data.get("names", {}))
        self._plan_task = None
        self.generated_names = list(data.get("generated_names", []))
        self._committed = len(self.generated_names)
        self.generated_minibios = list(data.get("generated_minibios", []))
        found = (TinyPerson.get_agent_by_name(n) for n in self.generated_names)
        self.generated_people = [p for p in found if p is not None]
        return self

    def __repr__(self) -> str:
        dims = ", ".join(d.key for d in self.sampling_dimensions) or "none"
        return f"TinyPersonFactory(dimensions=[{dims}], generated={len(self.generated_people)})"
