"""Checkpoints: versioned, atomic, complete; damaged or foreign files are refused whole and left untouched."""

from __future__ import annotations

import json
import os
import random
from datetime import timedelta

import pytest
from control_support import START, fresh_process, run_scenario

from tinytroupe import control, transactions
from tinytroupe.agent import TinyPerson
from tinytroupe.control.delta import apply, diff, is_patch
from tinytroupe.environment import Intervention, TinyWorld
from tinytroupe.errors import SimulationError, StateError


def _records(path) -> dict:
    return json.loads(path.read_text())["records"]


def test_the_checkpoint_is_a_versioned_document_of_the_complete_state(tmp_path):
    run_scenario(tmp_path / "sim.json")
    document = json.loads((tmp_path / "sim.json").read_text())
    assert (document["format"], document["version"]) == ("tinytroupe.checkpoint", 1)
    state = control.read_checkpoint_state(tmp_path / "sim.json")
    assert set(state) == {"agent:Ann", "agent:Bob", "agent:Cy", "world:Cafe"}
    world = state["world:Cafe"]
    assert world["simulation_step"] == 10 and world["current_datetime"] == "2025-01-06T10:40:00"
    assert world["agents"] == [{"$ref": "agent:Ann"}, {"$ref": "agent:Bob"}, {"$ref": "agent:Cy"}]
    assert len(world["rng_state"][1]) == 625
    assert len(state["agent:Ann"]["episodic_memory"]) > 20
    assert state["agent:Ann"]["counters"]["actions_count"] == 10  # one TALK a step


def test_auto_checkpoint_writes_after_each_recorded_operation(tmp_path):
    path = tmp_path / "auto.json"
    model = fresh_process()
    control.begin(path, auto_checkpoint=True)
    world = TinyWorld("Room", [TinyPerson("Ann"), TinyPerson("Bob")], initial_datetime=START, seed=1)
    assert not path.exists()
    world.broadcast("Hello.")
    assert len(_records(path)) == 1
    world.run(3, timedelta(minutes=1))
    assert len(_records(path)) == 4
    control.end()
    assert model.calls == 6


def test_end_writes_and_reset_does_not(tmp_path):
    fresh_process()
    control.begin(tmp_path / "a.json")
    TinyPerson("Ann").listen("hi")
    control.reset()
    assert not (tmp_path / "a.json").exists() and control.current_simulation() is None
    control.begin(tmp_path / "a.json")
    TinyPerson.clear_agents()
    TinyPerson("Ann").listen("hi")
    control.end()
    assert len(_records(tmp_path / "a.json")) == 1


def test_begin_twice_is_refused_and_checkpoint_needs_a_scope():
    control.begin()
    with pytest.raises(SimulationError, match="control.end"):
        control.begin()
    control.end()
    with pytest.raises(SimulationError, match="control.begin"):
        control.checkpoint()
    with pytest.raises(SimulationError, match="needs a file"):
        control.begin(auto_checkpoint=True)
    assert control.current_simulation() is None


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_crash_while_writing_leaves_the_previous_checkpoint_intact(tmp_path, monkeypatch, failing):
    path = tmp_path / "sim.json"
    fresh_process()
    control.begin(path)
    ann = TinyPerson("Ann")
    ann.listen("first")
    control.checkpoint()
    before = path.read_bytes()
    ann.listen("second")

    def crash(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(os, failing, crash)
    with pytest.raises(OSError, match="disk gone"):
        control.checkpoint()
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["sim.json"]  # no temporary file left behind
    control.checkpoint()
    assert len(_records(path)) == 2
    control.end()


def _damaged_files(tmp_path):
    run_scenario(tmp_path / "good.json")
    good = (tmp_path / "good.json").read_bytes()
    document = json.loads(good)
    missing_blob = json.loads(good)
    first = next(iter(missing_blob["records"].values()))
    first["after"] = {k: "0" * 32 for k in first["after"]}
    bad_chain = json.loads(good)
    patched = next(h for h, b in bad_chain["blobs"].items() if "patch" in b)
    bad_chain["blobs"][patched]["depth"] = 7
    return {
        "truncated": good[: len(good) // 2],
        "binary": bytes(range(256)),
        "newer": json.dumps({**document, "version": 2}).encode(),
        "foreign": json.dumps([{"event": "original TinyTroupe trace"}]).encode(),
        "missing_state": json.dumps(missing_blob).encode(),
        "broken_chain": json.dumps(bad_chain).encode(),
    }


def test_damaged_or_incompatible_checkpoints_are_refused_and_left_untouched(tmp_path):
    for kind, content in _damaged_files(tmp_path).items():
        path = tmp_path / f"{kind}.json"
        path.write_bytes(content)
        with pytest.raises(StateError) as caught:
            control.begin(path)
        message = str(caught.value)
        assert str(path) in message and "delete it or choose another path" in message, kind
        assert path.read_bytes() == content, kind
        assert control.current_simulation() is None and transactions.get_handler() is None, kind
    assert "version 2 is not supported" in _message(tmp_path / "newer.json")
    assert "not a tinytroupe checkpoint" in _message(tmp_path / "foreign.json")


def _message(path) -> str:
    with pytest.raises(StateError) as caught:
        control.begin(path)
    return str(caught.value)


def test_a_tampered_state_is_caught_before_anything_is_restored(tmp_path):
    path = tmp_path / "sim.json"
    run_scenario(path)
    document = json.loads(path.read_text())
    for blob in document["blobs"].values():
        if "full" in blob and blob["full"].get("type") == "TinyPerson":
            blob["full"]["persona"]["name"] = "Mallory"
    path.write_text(json.dumps(document))
    with pytest.raises(StateError, match="does not match its hash") as caught:
        run_scenario(path)
    assert str(path) in str(caught.value)
    assert TinyPerson.get_agent_by_name("Mallory") is None


def test_a_checkpoint_asked_for_inside_an_operation_is_written_when_it_ends(tmp_path):
    path = tmp_path / "sim.json"
    fresh_process()
    control.begin(path)
    written_during_effect = []

    def effect(target):
        control.checkpoint()
        written_during_effect.append(path.exists())

    ann = TinyPerson("Ann")
    world = TinyWorld("Room", [ann], initial_datetime=START, seed=1,
                      interventions=[Intervention(ann).set_effect(effect)])
    world.run(1)
    assert written_during_effect == [False]
    assert len(_records(path)) == 1  # the step, written as soon as it ended
    control.reset()


def _random_json(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice([None, True, 1, 2.5, "a", "b", 0])
    if roll < 0.65:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(5))]
    return {rng.choice("xyzw"): _random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def _mutate(rng: random.Random, value):
    if isinstance(value, list):
        value = [_mutate(rng, v) if rng.random() < 0.3 else v for v in value]
        if rng.random() < 0.4:
            value.append(_random_json(rng, 2))
        if value and rng.random() < 0.2:
            value.pop()
        return value
    if isinstance(value, dict):
        value = {k: _mutate(rng, v) if rng.random() < 0.3 else v for k, v in value.items()}
        if rng.random() < 0.3:
            value[rng.choice("xyzwv")] = _random_json(rng, 2)
        if value and rng.random() < 0.2:
            value.pop(next(iter(value)))
        return value
    return _random_json(rng, 3) if rng.random() < 0.5 else value


def test_patches_rebuild_the_new_state_without_touching_the_old():
    rng = random.Random(11)
    for _ in range(500):
        old = _random_json(rng)
        new = _mutate(rng, old)
        frozen = json.dumps(old)
        patch = diff(old, new)
        assert patch is None or is_patch(json.loads(json.dumps(patch)))
        assert json.dumps(apply(old, patch)) == json.dumps(new)
        assert json.dumps(old) == frozen


def test_appending_to_a_long_memory_makes_a_small_patch():
    old = {"memory": [{"content": f"event {i}"} for i in range(1000)], "step": 1}
    new = {"memory": [*old["memory"], {"content": "event 1000"}], "step": 2}
    assert len(json.dumps(diff(old, new))) < 120
