"""A resumed run's transcript is the uninterrupted run's, numbers and order included."""

from __future__ import annotations

from control_support import run_scenario

from tinytroupe.environment import TinyWorld


def _transcript() -> list[tuple]:
    world = TinyWorld.all_environments["Cafe"]
    return [(e.kind, e.source, e.data, e.sim_time, e.seq) for e in world.transcript]


def test_seq_numbers_are_the_worlds_own_and_carry_on_after_a_replay(tmp_path):
    run_scenario(tmp_path / "whole.json")
    whole = _transcript()
    assert [e[4] for e in whole] == list(range(1, len(whole) + 1))
    replayed = run_scenario(tmp_path / "whole.json")  # a new process: everything replays
    assert replayed.hits > 0 and replayed.misses == 0
    assert _transcript() == whole


def test_a_partly_replayed_run_numbers_its_new_events_after_the_replayed_ones(tmp_path):
    whole_run = run_scenario(tmp_path / "a.json")
    whole = _transcript()
    changed = run_scenario(tmp_path / "a.json", last="Time is up: vote now.")  # only the last steps run again
    assert changed.hits > 0 and changed.misses > 0 and whole_run.misses > changed.misses
    now = _transcript()
    assert [e[4] for e in now] == list(range(1, len(now) + 1))
    assert now[:len(whole) // 2] == whole[:len(whole) // 2]  # the replayed start is numbered as before


def test_concurrent_agents_replay_in_the_steps_order_whatever_order_they_answered_in(tmp_path):
    run_scenario(tmp_path / "fresh.json", parallel=True, jitter_seed=1)
    fresh = _transcript()
    run_scenario(tmp_path / "recorded.json", parallel=True, jitter_seed=2)  # recorded under another timing
    replay = run_scenario(tmp_path / "recorded.json", parallel=True, jitter_seed=3)
    assert replay.misses == 0
    assert _transcript() == fresh
