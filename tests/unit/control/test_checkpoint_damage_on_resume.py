"""A checkpoint found damaged while replaying is never written: its bytes stay as they were found."""

from __future__ import annotations

import copy
import json
import random

import pytest
from control_support import run_scenario

from tinytroupe import control
from tinytroupe.errors import StateError, TinyTroupeError


def _good(tmp_path) -> dict:
    run_scenario(tmp_path / "good.json", auto_checkpoint=True)
    return json.loads((tmp_path / "good.json").read_text())


def _replay_damage(document: dict, rng: random.Random) -> dict:
    """A checkpoint that loads (its structure is fine) but whose stored states are wrong."""
    doc = copy.deepcopy(document)
    hashes = sorted(doc["blobs"])
    blob = doc["blobs"][rng.choice(hashes)]
    if "full" in blob:
        state = blob["full"]
        key = rng.choice(sorted(state))
        state[key] = "tampered" if state[key] != "tampered" else "again"
    else:
        blob["patch"] = {"=": {"tampered": rng.randrange(10**6)}}  # a valid patch to the wrong state
    return doc


def _resume(path) -> None:
    try:
        run_scenario(path, auto_checkpoint=True)
    finally:
        if control.current_simulation() is not None:
            control.end()


def test_a_damaged_state_found_during_replay_leaves_the_file_unchanged(tmp_path):
    good = _good(tmp_path)
    rng = random.Random(11)
    failed = 0
    for n in range(12):
        path = tmp_path / f"damaged{n}.json"
        path.write_text(json.dumps(_replay_damage(good, rng)))
        before = path.read_bytes()
        try:
            _resume(path)
        except TinyTroupeError as exc:
            failed += 1
            assert str(path) in str(exc), exc
            assert path.read_bytes() == before, f"mutant {n} was written after: {exc}"
    assert failed >= 6


def test_checkpoint_refuses_to_write_over_a_damaged_file(tmp_path):
    good = _good(tmp_path)
    path = tmp_path / "damaged.json"
    doc = copy.deepcopy(good)
    full = next(b for b in doc["blobs"].values() if "full" in b)
    full["full"]["zz"] = 1  # the state no longer matches its hash
    path.write_text(json.dumps(doc))
    before = path.read_bytes()
    with pytest.raises(StateError, match="does not match its hash"):
        run_scenario(path, auto_checkpoint=True)
    simulation = control.current_simulation()
    assert simulation is not None and simulation.damaged
    with pytest.raises(StateError, match="not written over"):
        control.checkpoint()
    control.end()
    assert path.read_bytes() == before
