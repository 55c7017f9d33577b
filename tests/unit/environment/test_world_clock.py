"""The world clock: run_* and skip_* move simulated time; step headers carry it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tinytroupe import events
from tinytroupe.environment import TinyWorld
from tinytroupe.environment.clock import SimClock, pretty_datetime
from tinytroupe.errors import StateError

START = datetime(2025, 3, 10, 9, 0)


def test_run_hours_moves_the_clock_three_hours(fake):
    world = TinyWorld("Office", [fake("Ann"), fake("Bob")], initial_datetime=START)
    with events.collect(["world.step"]) as c:
        world.run_hours(3)
    assert world.current_datetime == START + timedelta(hours=3)
    assert [e.data["step"] for e in c.events] == [1, 2, 3]
    assert [e.sim_time for e in c.events] == [(START + timedelta(hours=h)).isoformat() for h in (1, 2, 3)]
    assert c.events[-1].data["total_steps"] == 3 and c.events[-1].data["world"] == "Office"


@pytest.mark.parametrize("unit, delta", [
    ("minutes", timedelta(minutes=2)), ("hours", timedelta(hours=2)), ("days", timedelta(days=2)),
    ("weeks", timedelta(weeks=2)), ("months", timedelta(weeks=8)), ("years", timedelta(days=730)),
])
def test_run_and_skip_units(fake, unit, delta):
    ran = TinyWorld("A", [fake("Ann")], initial_datetime=START)
    getattr(ran, f"run_{unit}")(2)
    skipped = TinyWorld("B", [fake("Bob")], initial_datetime=START)
    getattr(skipped, f"skip_{unit}")(2)
    assert ran.current_datetime == skipped.current_datetime == START + delta
    assert ran.simulation_step == 2 and skipped.simulation_step == 0


def test_skip_makes_no_one_act(fake):
    ann = fake("Ann", [[("TALK", "x", "Bob")]])
    world = TinyWorld("A", [ann, fake("Bob")], initial_datetime=START)
    world.skip(5, timedelta(minutes=10))
    assert ann.acted_after == [] and world.current_datetime == START + timedelta(minutes=50)


def test_steps_without_time_leave_the_clock_alone(fake):
    world = TinyWorld("A", [fake("Ann")], initial_datetime=START)
    world.run(2)
    assert world.current_datetime == START
    timeless = TinyWorld("B", [fake("Bob")])
    timeless.run(1)
    assert timeless.current_datetime is None


def test_an_unset_clock_starts_when_time_is_first_given(fake):
    world = TinyWorld("A", [fake("Ann")])
    before = datetime.now()
    world.run_minutes(1)
    assert world.current_datetime is not None
    assert world.current_datetime >= before.replace(second=0, microsecond=0)


def test_clock_values_are_checked():
    with pytest.raises(TypeError, match="initial_datetime"):
        SimClock("2025-01-01")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timedelta_per_step"):
        SimClock(START).advance(60)  # type: ignore[arg-type]
    with pytest.raises(StateError, match="current_datetime"):
        SimClock.from_state("yesterday")
    assert SimClock.from_state(START.isoformat()).current == START
    assert pretty_datetime(START) == "2025-03-10 09:00" and pretty_datetime(None) == "unspecified time"
