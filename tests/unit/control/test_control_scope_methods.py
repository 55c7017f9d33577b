"""The original's Simulation methods: begin, add_*, transaction marks, and the running-simulations view."""

from __future__ import annotations

import pytest
from control_support import fresh_process

from tinytroupe import control, transactions
from tinytroupe.agent import TinyPerson
from tinytroupe.control import Simulation
from tinytroupe.environment import TinyWorld
from tinytroupe.errors import SimulationError
from tinytroupe.factory import TinyPersonFactory


def test_a_simulation_made_by_hand_begins_records_and_ends(tmp_path):
    model = fresh_process()
    simulation = Simulation()
    assert control.current_simulation() is None and dict(control._current_simulations) == {"default": None}
    assert simulation.status == Simulation.STATUS_STOPPED
    simulation.begin(tmp_path / "sim.json", auto_checkpoint=True)
    assert control.current_simulation() is simulation and control._current_simulations["default"] is simulation
    assert transactions.get_handler() is simulation
    with pytest.raises(SimulationError, match="already started"):
        simulation.begin()
    world = TinyWorld("Room", [TinyPerson("Ann"), TinyPerson("Bob")], seed=1)
    world.broadcast("Hello.")
    world.run(1)
    simulation.end()
    assert control.current_simulation() is None and transactions.get_handler() is None
    assert (tmp_path / "sim.json").is_file() and model.calls == 2

    model = fresh_process()
    again = Simulation().begin(tmp_path / "sim.json")
    world = TinyWorld("Room", [TinyPerson("Ann"), TinyPerson("Bob")], seed=1)
    world.broadcast("Hello.")
    world.run(1)
    control.end()
    assert model.calls == 0 and again.cache_hits == 2


def test_the_view_of_running_simulations_is_read_only():
    control.begin(id="panel")
    assert dict(control._current_simulations) == {"default": None, "panel": control.current_simulation()}
    with pytest.raises(TypeError):
        control._current_simulations["other"] = None  # type: ignore[index]
    panel = control.current_simulation()
    control.end()
    assert control._current_simulations["panel"] is panel and panel.status == Simulation.STATUS_STOPPED
    control.reset()
    assert dict(control._current_simulations) == {"default": None}


def test_objects_are_added_by_hand_with_unique_names():
    simulation = control.begin()
    ann, world = TinyPerson("Ann"), TinyWorld("Square")
    factory = TinyPersonFactory(context="bakers in Lyon", seed=3)
    simulation.add_agent(ann)
    simulation.add_agent(ann)  # the same object again: nothing changes
    simulation.add_environment(world)
    simulation.add_factory(factory)
    assert simulation.objects == [ann, world, factory]
    TinyPerson.clear_agents()
    with pytest.raises(SimulationError, match="already has an agent named 'Ann'"):
        simulation.add_agent(TinyPerson("Ann"))
    with pytest.raises(SimulationError, match="takes a world"):
        simulation.add_environment(ann)
    control.end()


def test_transaction_marks_nest_and_operations_count_as_transactions(scripted):
    simulation = control.begin()
    assert not simulation.is_under_transaction()
    simulation.begin_transaction()
    simulation.begin_transaction()
    simulation.end_transaction()
    assert simulation.is_under_transaction()
    simulation.end_transaction()
    assert not simulation.is_under_transaction()
    with pytest.raises(SimulationError, match="without begin_transaction"):
        simulation.end_transaction()
    seen = []

    class Watcher(TinyPerson):
        def listen(self, *args, **kwargs):
            seen.append(simulation.is_under_transaction())
            return super().listen(*args, **kwargs)

    TinyWorld("Room", [Watcher("Ann")]).broadcast("Hi")  # a recorded operation is a transaction
    assert seen == [True]
    simulation.begin_parallel_transactions()
    assert simulation.is_under_parallel_transactions()
    simulation.end_parallel_transactions()
    assert not simulation.is_under_parallel_transactions()
    with pytest.raises(SimulationError):
        simulation.end_parallel_transactions()
    control.end()
