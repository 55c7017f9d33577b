"""The transactional seam: only top-level calls reach the handler, whatever threads and tasks run them."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from control_support import START, fresh_process

from tinytroupe import control, llm, transactions
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import Intervention, TinyWorld
from tinytroupe.testing.agent_replies import act_reply


class Counter:
    """A tiny stateful object with marked sync and async methods."""

    def __init__(self):
        self.value = 0
        self.depths: list[int] = []

    @transactions.transactional()
    def bump(self, by: int = 1, display: bool = False) -> Counter:
        self.depths.append(transactions.depth())
        self.value += by
        return self

    @transactions.transactional(ignore=("display",))
    def bump_twice(self, by: int = 1, display: bool = False) -> int:
        self.bump(by)
        self.bump(by)
        return self.value

    @transactions.transactional()
    async def abump_all(self, others: list[Counter]) -> int:
        await asyncio.gather(*(o.abump() for o in others))
        return sum(o.value for o in others)

    @transactions.transactional()
    async def abump(self) -> None:
        await asyncio.sleep(0)
        self.depths.append(transactions.depth())
        self.value += 1


class RecordingHandler:
    """Runs every top-level operation for real and remembers its name and arguments."""

    def __init__(self):
        self.ops: list[tuple[str, dict]] = []
        self.registered: list[object] = []

    def register(self, obj):
        self.registered.append(obj)

    def run_sync(self, op):
        self.ops.append((op.name, op.arguments()))
        return op.execute()

    async def run_async(self, op):
        self.ops.append((op.name, op.arguments()))
        return await op.aexecute()


@pytest.fixture
def handler():
    recording = RecordingHandler()
    previous = transactions.set_handler(recording)
    yield recording
    transactions.set_handler(previous)


def test_without_a_handler_marked_methods_just_run():
    counter = Counter()
    assert counter.bump(2) is counter and counter.value == 2
    assert asyncio.run(counter.abump_all([Counter(), Counter()])) == 2
    assert counter.depths == [1] and transactions.depth() == 0
    assert Counter.bump.__transactional__ == "Counter.bump"


def test_only_top_level_calls_reach_the_handler(handler):
    counter = Counter()
    assert counter.bump_twice(3, display=True) == 6
    assert handler.ops == [("Counter.bump_twice", {"by": 3})]  # defaults filled in, ignored left out
    assert counter.depths == [2, 2]  # inside bump, called from inside bump_twice
    counter.bump()
    assert handler.ops[-1] == ("Counter.bump", {"by": 1, "display": False})
    assert transactions.depth() == 0


def test_gathered_child_tasks_are_nested(handler):
    parent, children = Counter(), [Counter() for _ in range(3)]
    assert asyncio.run(parent.abump_all(children)) == 3
    assert [name for name, _ in handler.ops] == ["Counter.abump_all"]
    assert all(c.depths == [2] for c in children)


def test_coroutines_made_inside_an_operation_stay_nested_on_another_loop(handler):
    # what a blocking facade does: the coroutine is created here, then run on another thread's loop
    outer, inner = Counter(), Counter()
    results = []

    @transactions.transactional("outer")
    def operation(self):
        coroutine = inner.abump()
        thread = threading.Thread(target=lambda: results.append(asyncio.run(coroutine)))
        thread.start()
        thread.join()

    operation(outer)
    assert [name for name, _ in handler.ops] == ["outer"]
    assert inner.depths == [2]


def test_untracked_blocks_run_marked_calls_as_plain_calls(handler):
    counter = Counter()
    with transactions.untracked():
        counter.bump()
    assert handler.ops == [] and counter.value == 1


def test_constructors_register_with_the_handler(handler):
    ann = TinyPerson("Ann")
    world = TinyWorld("Room", [ann])
    assert handler.registered[:2] == [ann, world]


def test_world_steps_and_broadcasts_are_the_top_level_operations(handler, scripted):
    scripted.default = act_reply(("TALK", "hello", ""))
    world = TinyWorld("Room", [TinyPerson("Ann"), TinyPerson("Bob")], initial_datetime=START, seed=1)
    world.broadcast("Start.")
    world.run(2, timedelta(minutes=1), parallelize=True)
    world.agents[0].listen("psst", source=world.agents[1])
    names = [name for name, _ in handler.ops]
    assert names == ["TinyWorld.broadcast", "TinyWorld.step", "TinyWorld.step", "TinyPerson.listen"]
    step_args = handler.ops[1][1]
    assert set(step_args) == {"timedelta_per_step", "randomize_agents_order", "parallelize"}
    assert handler.ops[-1][1]["source"] is world.agents[1]


def test_an_intervention_calling_blocking_agent_methods_is_part_of_the_step(tmp_path):
    def script():
        model = fresh_process()
        model.responder = lambda request: act_reply(("THINK", f"thought {len(model.requests)}"))
        control.begin(tmp_path / "nudge.json")
        ann, bob = TinyPerson("Ann"), TinyPerson("Bob")

        def nudge(target):  # a plain function: run in a worker thread, using blocking calls
            target.listen("Remember the budget.")
            target.act()

        world = TinyWorld("Room", [ann, bob], initial_datetime=START, seed=2,
                          interventions=[Intervention(ann).set_effect(nudge)])
        world.run(2, timedelta(minutes=5))
        simulation, state = control.current_simulation(), world.encode_complete_state()
        control.end()
        return model.calls, simulation.cache_hits, simulation.cache_misses, state

    calls, hits, misses, state = script()
    assert (calls, hits, misses) == (6, 0, 2)  # two steps, each: the nudged act plus two turns
    again = script()
    assert again[:3] == (0, 2, 0)
    assert again[3] == state


def test_overlapping_operations_in_one_event_loop_are_refused_for_sync_calls(tmp_path, scripted):
    scripted.default = act_reply(("THINK", "slow"))
    scripted.latency = 0.05
    control.begin()
    world = TinyWorld("Room", [TinyPerson("Ann")], initial_datetime=START, seed=1)

    async def main():
        step = asyncio.ensure_future(world.astep())
        await asyncio.sleep(0.01)
        with pytest.raises(Exception, match="must not overlap"):
            world.agents[0].listen("interrupting")
        await step

    asyncio.run(main())
    control.end()


class InFlightModel:
    """Replies after a short delay and remembers how many calls were ever in flight at once."""

    name, endpoint, default_model = "inflight", "scripted://inflight", "inflight"

    def __init__(self):
        self.inner = llm.ScriptedModel(default=act_reply(("THINK", "ok")))
        self.in_flight = self.most_in_flight = 0

    async def complete(self, request):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            return await self.inner.complete(request)
        finally:
            self.in_flight -= 1

    async def aclose(self):
        return None


def test_concurrent_async_operations_of_one_simulation_are_serialized():
    model = InFlightModel()
    llm.set_default_model(model)
    one = TinyWorld("One", [TinyPerson("Ann")], initial_datetime=START, seed=1)
    two = TinyWorld("Two", [TinyPerson("Bob")], initial_datetime=START, seed=1)

    async def both():
        await asyncio.gather(one.arun(3), two.arun(3))

    asyncio.run(both())
    assert model.most_in_flight == 2  # outside a simulation the two worlds overlap
    control.begin()
    model.most_in_flight = 0
    asyncio.run(both())
    simulation = control.current_simulation()
    control.end()
    assert model.most_in_flight == 1
    assert one.simulation_step == two.simulation_step == 6
    assert simulation.cache_misses == 6
