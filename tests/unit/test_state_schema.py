"""Saved documents are checked against their schema before anything is restored."""

from __future__ import annotations

import json
import logging

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.errors import StateError
from tinytroupe.state.schema import Int, ListOf, Obj, Str, check_document, register_document


@pytest.fixture
def saved_world(scripted, tmp_path):
    from tinytroupe.testing.agent_replies import talk_responder

    scripted.responder = talk_responder()
    world = TinyWorld("Town", [TinyPerson("Ana"), TinyPerson("Ben")], seed=1)
    world.broadcast("hello")
    world.run(1)
    path = world.save(tmp_path / "town.world.json")
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    return path


def _edit(path, change):
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))
    return path.read_bytes()


@pytest.mark.parametrize("change,field,expected", [
    (lambda d: d["world"].update(agents="x"), "world.agents", "a list of agent states"),
    (lambda d: d["world"].update(simulation_step="six"), "world.simulation_step", "a whole number"),
    (lambda d: d["world"]["agents"][1]["persona"].update(name=7), "world.agents[1].persona.name", "non-empty string"),
    (lambda d: d["world"].update(rng_state="zz"), "world.rng_state", "random generator state"),
    (lambda d: d["world"]["agents"][0]["settings"].update(strict="yes"), "world.agents[0].settings.strict",
     "true or false"),
    (lambda d: d["world"].pop("name"), "world.name", "the field is missing"),
])
def test_a_wrong_world_field_is_named_and_nothing_is_loaded(saved_world, change, field, expected):
    raw = _edit(saved_world, change)
    with pytest.raises(StateError) as err:
        TinyWorld.load(saved_world)
    msg = str(err.value)
    assert str(saved_world) in msg and f"field '{field}'" in msg and expected in msg
    assert not TinyPerson.all_agents and not TinyWorld.all_environments
    assert saved_world.read_bytes() == raw


def test_a_part_that_refuses_its_own_state_is_reported_with_the_file(saved_world):
    _edit(saved_world, lambda d: d["world"]["agents"][0].update(episodic_memory=[{"role": "x"}]))
    with pytest.raises(StateError, match=rf"{saved_world}: .*episodic memory"):
        TinyWorld.load(saved_world)
    assert not TinyPerson.all_agents and not TinyWorld.all_environments


def test_a_factory_state_with_a_bad_rng_state_is_a_state_error(tmp_path):
    from tinytroupe.factory import TinyPersonFactory

    path = tmp_path / "factory_state.json"
    path.write_text(json.dumps({**TinyPersonFactory(context="x", seed=1).to_dict(), "rng_state": "zz"}))
    with pytest.raises(StateError, match=rf"{path}.*field 'rng_state' is the string 'zz', expected a random"):
        TinyPersonFactory.load_state(path)
    with pytest.raises(StateError, match=r"field 'rng_state\[1\]' is a list of 2 items, expected a list of 625"):
        TinyPersonFactory.from_dict({**TinyPersonFactory(seed=1).to_dict(), "rng_state": [3, [1, 2], None]})


def test_a_saved_agent_with_a_bad_counter_is_refused_before_it_is_registered(tmp_path):
    path = TinyPerson("Cleo").save(tmp_path / "cleo.agent.json")
    TinyPerson.clear_agents()
    _edit(path, lambda d: d["counters"].update(actions_count="many"))
    with pytest.raises(StateError, match=r"field 'counters.actions_count' is the string 'many', expected a whole"):
        TinyPerson.load(path)
    assert not TinyPerson.all_agents


def test_an_agent_file_with_memory_that_is_not_a_list_loads_with_a_warning(tmp_path, caplog):
    path = tmp_path / "dora.agent.json"
    path.write_text(json.dumps({"type": "TinyPerson", "persona": {"name": "Dora"}, "episodic_memory": "oops"}))
    with caplog.at_level(logging.WARNING, logger="tinytroupe"):
        agent = TinyPerson.load_specification(path)
    assert agent.name == "Dora" and len(agent.episodic_memory) == 0
    assert any(str(path) in r.getMessage() and "episodic_memory" in r.getMessage() for r in caplog.records)


def test_a_registered_kind_can_be_checked_by_anyone():
    register_document("test_thing", Obj(required={"items": ListOf(Int(0))}, optional={"label": Str()}),
                      "thing file", "fix it")
    check_document({"items": [1, 2]}, "test_thing", "t.json")
    with pytest.raises(StateError, match=r"t.json: the thing file is not valid: field 'items\[1\]' is the number -3"):
        check_document({"items": [1, -3]}, "test_thing", "t.json")
