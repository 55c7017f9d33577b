"""Damaged documents of every kind: the library's own error naming the file, nothing half-loaded, file unchanged.

Each kind of document tinytroupe reads (agent state, agent specification, fragment, world,
factory state, population, checkpoint, scenario, config.ini) is written once from a real
object, then mutated a few hundred times with a seeded generator: a value replaced by one of
another type, a key removed, a key added, the text truncated. JSON documents are also given a
value nested hundreds to a hundred thousand levels deep. Loading each mutant must either
work completely or raise a :class:`TinyTroupeError` whose message names the file; it must
never raise anything else (no ``RecursionError``), leave agents or worlds registered, or change the file.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tinytroupe import control
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinySocialNetwork, TinyWorld
from tinytroupe.errors import TinyTroupeError
from tinytroupe.examples import example_fragment_path, list_example_agents, load_example_agent
from tinytroupe.state.files import MAX_NESTING_DEPTH
from tinytroupe.testing.agent_replies import talk_responder

MUTANTS = 250
WRONG = (None, 0, -1, 2.5, "", "six", True, [], [1, "x"], {}, {"a": 1}, float("nan"))
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEPTHS = (MAX_NESTING_DEPTH + 5, 990, 3_000, 100_000)
NESTED_MUTANTS = 12


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:6]):
            out += _paths(v, (*path, i))
    return out


def _set(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return doc


def mutate_json(text: str, rng: random.Random) -> str:
    """One random damage of a JSON document's text."""
    how = rng.random()
    if how < 0.15:
        return text[: rng.randrange(len(text))]
    doc = json.loads(text)
    paths = _paths(doc)
    path = rng.choice(paths)
    if how < 0.65:
        doc = _set(doc, path, copy.deepcopy(rng.choice(WRONG)))
    elif how < 0.85:
        holders = [p for p in paths if p and isinstance(_get(doc, p[:-1]), dict)]
        if holders:
            victim = rng.choice(holders)
            del _get(doc, victim[:-1])[victim[-1]]
    else:
        holders = [p for p in paths if isinstance(_get(doc, p), dict)]
        target = _get(doc, rng.choice(holders)) if holders else None
        if isinstance(target, dict):
            target[rng.choice(["extra", "name", "type", "agents", "persona", "zz"])] = rng.choice(WRONG)
    return json.dumps(doc)


def mutate_nesting(text: str, rng: random.Random) -> str:
    """A value somewhere in the document replaced by lists nested far past the limit."""
    doc = json.loads(text)
    depth = rng.choice(DEPTHS)
    doc = _set(doc, rng.choice(_paths(doc)), "@@deep@@")
    return json.dumps(doc).replace('"@@deep@@"', "[" * depth + "1" + "]" * depth, 1)


class Mutation:
    """Damage (the default, MUTANTS mutants) or deep nesting (every mutant must be refused)."""

    def __init__(self, kind: str):
        self.kind = kind
        self.mutate_json = mutate_nesting if kind == "nesting" else mutate_json
        self.count = NESTED_MUTANTS if kind == "nesting" else MUTANTS

    def expect(self, counts: dict[str, int], refused_more_than: float) -> None:
        if self.kind == "nesting":
            assert counts == {"loaded": 0, "refused": self.count}
        else:
            assert counts["refused"] > refused_more_than


@pytest.fixture(params=["damage", "nesting"])
def mutation(request) -> Mutation:
    return Mutation(request.param)


def _get(doc: Any, path: tuple) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def mutate_text(text: str, rng: random.Random) -> str:
    """One random damage of a TOML or INI text: a line cut, duplicated, swapped or garbled."""
    lines = text.splitlines()
    i = rng.randrange(len(lines))
    how = rng.random()
    if how < 0.2:
        return text[: rng.randrange(len(text))]
    if how < 0.4:
        del lines[i]
    elif how < 0.6:
        lines.insert(i, rng.choice(["x = 1", "[[agents]]", "[world]", "= 3", "KEY = [1", "run = -1", "[OpenAI"]))
    elif "=" in lines[i]:
        key = lines[i].split("=", 1)[0]
        lines[i] = key + "= " + rng.choice(["-5", "nan", '"x"', "[]", "{}", "true", "1e999", '"../../x"', "0"])
    return "\n".join(lines) + "\n"


def _registries() -> tuple:
    return (dict(TinyPerson.all_agents), dict(TinyWorld.all_environments))


def fuzz(path: Path, load: Callable[[Path], Any], mutate: Callable[[str, random.Random], str], seed: int,
         check_loaded: Callable[[Any], None] | None = None, count: int = MUTANTS) -> dict[str, int]:
    """Mutate ``path`` ``count`` times, loading each; returns how many loaded and how many were refused."""
    original = path.read_text(encoding="utf-8")
    rng = random.Random(seed)
    counts = {"loaded": 0, "refused": 0}
    for n in range(count):
        text = mutate(original, rng)
        path.write_text(text, encoding="utf-8")
        before = _registries()
        try:
            loaded = load(path)
        except TinyTroupeError as exc:
            assert str(path) in str(exc) or path.name in str(exc), f"mutant {n}: {exc} does not name {path}"
            assert _registries() == before, f"mutant {n}: refused, but objects stayed registered: {exc}"
            counts["refused"] += 1
        except Exception as exc:  # pragma: no cover - the failure this test exists to catch
            raise AssertionError(f"mutant {n} of {path.name} raised {type(exc).__name__}: {str(exc)[:500]}\n"
                                 f"{text[:2000]}") from exc
        else:
            if check_loaded is not None:
                check_loaded(loaded)
            counts["loaded"] += 1
        assert path.read_text(encoding="utf-8") == text, f"mutant {n}: loading changed the file"
        TinyPerson.clear_agents()
        TinyWorld.clear_environments()
    path.write_text(original, encoding="utf-8")
    return counts


@pytest.fixture
def people(scripted):
    scripted.responder = talk_responder()
    agents = [load_example_agent(name) for name in list_example_agents()]
    world = TinySocialNetwork("Fuzz town", agents=agents, seed=5)
    world.add_relation(agents[0], agents[1], "friends")
    world.broadcast("What do you think of the new tram line?")
    world.run(2)
    return world


def _assert_agent(agent: Any) -> None:
    assert isinstance(agent, TinyPerson) and agent.name and isinstance(agent.persona, dict)


def test_agent_state_files(mutation, people, tmp_path):
    path = people.agents[0].save(tmp_path / "lisa.agent.json")
    TinyPerson.clear_agents()
    counts = fuzz(path, TinyPerson.load, mutation.mutate_json, 1, _assert_agent, count=mutation.count)
    mutation.expect(counts, MUTANTS / 5)


def test_agent_specification_files(mutation, people, tmp_path):
    path = tmp_path / "spec.agent.json"
    people.agents[1].save_specification(path, include_memory=True, include_mental_state=True)
    TinyPerson.clear_agents()
    counts = fuzz(path, TinyPerson.load_specification, mutation.mutate_json, 2, _assert_agent, count=mutation.count)
    mutation.expect(counts, 20)  # memories in another format are skipped with a warning, not refused


def test_fragment_files(mutation, tmp_path):
    path = tmp_path / "f.fragment.json"
    path.write_text(example_fragment_path("night_owl").read_text(encoding="utf-8"), encoding="utf-8")

    def load(p: Path) -> Any:
        agent = TinyPerson("Host")
        persona = copy.deepcopy(agent.persona)
        try:
            return agent.import_fragment(p)
        except TinyTroupeError:
            assert agent.persona == persona  # a refused fragment changes nothing
            TinyPerson.clear_agents()
            raise

    counts = fuzz(path, load, mutation.mutate_json, 3, count=mutation.count)
    mutation.expect(counts, MUTANTS / 5)


def test_world_files(mutation, people, tmp_path):
    path = people.save(tmp_path / "world.json")
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()

    def check(world: Any) -> None:
        assert isinstance(world, TinyWorld) and all(isinstance(a, TinyPerson) for a in world.agents)

    counts = fuzz(path, TinyWorld.load, mutation.mutate_json, 4, check, count=mutation.count)
    mutation.expect(counts, MUTANTS / 5)


def test_factory_state_files(mutation, tmp_path):
    from tinytroupe.factory import TinyPersonFactory

    factory = TinyPersonFactory(context="bakers in Lyon", seed=3)
    path = tmp_path / "factory_state.json"
    path.write_text(json.dumps(factory.to_dict()), encoding="utf-8")
    counts = fuzz(path, TinyPersonFactory.load_state, mutation.mutate_json, 5, count=mutation.count)
    mutation.expect(counts, MUTANTS / 5)


def test_population_files(mutation, tmp_path):
    from tinytroupe.factory import read_demography

    source = next((EXAMPLES / "scenarios" / "data").glob("*.json"))
    path = tmp_path / "population.json"
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    counts = fuzz(path, read_demography, mutation.mutate_json, 6, count=mutation.count)
    mutation.expect(counts, 10)


def test_checkpoint_files(mutation, scripted, tmp_path):
    scripted.responder = talk_responder()
    path = tmp_path / "sim.cache.json"
    control.begin(cache_path=path)
    agents = [load_example_agent(name) for name in list_example_agents()[:2]]
    world = TinyWorld("Checkpointed", agents, seed=2)
    world.broadcast("Hello")
    world.run(2)
    control.end()
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()

    def load(p: Path) -> Any:
        return control.read_checkpoint_state(p)

    counts = fuzz(path, load, mutation.mutate_json, 7, count=mutation.count)
    mutation.expect(counts, MUTANTS / 5)


def test_scenario_files(tmp_path):
    from tinytroupe.cli.scenario import load_scenario

    path = tmp_path / "panel.toml"
    path.write_text((EXAMPLES / "scenarios" / "focus_group.toml").read_text(encoding="utf-8"), encoding="utf-8")
    counts = fuzz(path, load_scenario, mutate_text, 8)
    assert counts["refused"] > 10


def test_config_files(tmp_path):
    import warnings

    from tinytroupe.config import ConfigManager

    path = tmp_path / "config.ini"
    path.write_text("[OpenAI]\nAPI_TYPE = scripted\nMODEL = m\nTEMPERATURE = 0.7\nMAX_ATTEMPTS = 3\n"
                    "MAX_CONCURRENT_MODEL_CALLS = 8\nTIMEOUT = 30\nCACHE_API_CALLS = true\n"
                    "[Simulation]\nPARALLEL_AGENT_ACTIONS = false\n[Logging]\nLOGLEVEL = INFO\n")

    def load(p: Path) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ConfigManager(p, use_environment=False).as_dict()

    counts = fuzz(path, load, mutate_text, 9)
    assert counts["refused"] > 10
