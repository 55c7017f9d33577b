"""Routing of TALK and REACH_OUT, broadcasts, membership and the order agents act in."""

from __future__ import annotations

import pytest

from tinytroupe import events
from tinytroupe.environment import TinyWorld
from tinytroupe.errors import SimulationError, TransientError


def heard(agent, kind="CONVERSATION"):
    return [(content, src) for k, content, src in agent.received if k == kind]


def test_talk_reaches_exactly_its_target(fake):
    ann = fake("Ann", [[("TALK", "hello Bob", "Bob")]])
    bob = fake("Bob", [[("TALK", "hi Cy", "Cy")]])
    cy = fake("Cy", [[("TALK", "hey Ann", "Ann")]])
    world = TinyWorld("Room", [ann, bob, cy], seed=1)
    world.run(1)
    assert heard(ann) == [("hey Ann", "Cy")]
    assert heard(bob) == [("hello Bob", "Ann")]
    assert heard(cy) == [("hi Cy", "Bob")]


def test_talk_without_or_with_unknown_target_is_broadcast(fake):
    ann = fake("Ann", [[("TALK", "anyone?", ""), ("TALK", "Zed?", "Zed")]])
    bob, cy = fake("Bob"), fake("Cy")
    TinyWorld("Room", [ann, bob, cy]).run(1)
    assert heard(bob) == heard(cy) == [("anyone?", "Ann"), ("Zed?", "Ann")]
    assert heard(ann) == []


def test_unknown_target_is_dropped_with_an_event_when_broadcast_is_off(fake):
    ann = fake("Ann", [[("TALK", "Zed?", "Zed")]])
    bob = fake("Bob")
    world = TinyWorld("Room", [ann, bob], broadcast_if_no_target=False)
    with events.collect(["world.delivery_dropped"]) as c:
        world.run(1)
    assert heard(bob) == []
    [event] = c.events
    assert event.data["agent"] == "Ann" and event.data["target"] == "Zed"
    assert "Zed" in event.data["reason"]


def test_targets_are_resolved_leniently(fake):
    ann = fake("Ann", [[("TALK", "one", "bob"), ("TALK", "two", "Bob Smith"), ("TALK", "three", " @Bob ")]])
    bob, cy = fake("Bob"), fake("Cy")
    TinyWorld("Room", [ann, bob, cy]).run(1)
    assert [c for c, _ in heard(bob)] == ["one", "two", "three"]
    assert heard(cy) == []


def test_reach_out_makes_both_accessible_and_tells_them(fake):
    ann = fake("Ann", [[("REACH_OUT", "", "Bob")]])
    bob = fake("Bob")
    world = TinyWorld("Room", [ann, bob])
    ann.accessible.clear()
    bob.accessible.clear()
    world.run(1)
    assert "Bob" in ann.accessible and "Ann" in bob.accessible
    assert any("Bob" in text for text, _ in heard(ann, "SOCIAL"))
    assert any("Ann" in text for text, _ in heard(bob, "SOCIAL"))


def test_reach_out_to_nobody_is_refused_not_raised(fake):
    ann = fake("Ann", [[("REACH_OUT", "", "Nobody")]])
    world = TinyWorld("Room", [ann, fake("Bob")])
    with events.collect(["world.reach_out_refused"]) as c:
        world.run(1)
    assert c.events[0].data["target"] == "Nobody"
    assert heard(ann, "SOCIAL")


def test_broadcasts_reach_everyone_but_the_source(fake):
    ann, bob, cy = fake("Ann"), fake("Bob"), fake("Cy")
    world = TinyWorld("Room", [ann, bob, cy])
    world.broadcast("news", source=ann)
    world.broadcast_thought("hmm")
    world.broadcast_internal_goal("win")
    world.broadcast_context_change(["a meeting"])
    assert heard(ann) == [] and heard(bob) == heard(cy) == [("news", "Ann")]
    for agent in (ann, bob, cy):
        assert heard(agent, "THOUGHT") == [("hmm", None)]
        assert heard(agent, "INTERNAL_GOAL_FORMULATION") == [("win", None)]
        assert heard(agent, "CONTEXT") == [(["a meeting"], None)]


def test_membership_names_and_accessibility(fake):
    ann, bob = fake("Ann"), fake("Bob")
    world = TinyWorld("Room", [ann, bob])
    assert ann.environment is world and world.get_agent_by_name("Bob") is bob
    assert set(ann.accessible) == {"Bob"} and set(bob.accessible) == {"Ann"}
    with pytest.raises(SimulationError, match="unique"):
        world.add_agent(fake("Ann"))
    world.add_agent(ann)  # adding the same agent again changes nothing
    assert len(world.agents) == 2
    world.remove_agent(bob)
    assert world.get_agent_by_name("Bob") is None and ann.accessible == {} and bob.environment is None


def test_worlds_are_found_by_name():
    first = TinyWorld("Town")
    assert TinyWorld.get_environment_by_name("Town") is first
    second = TinyWorld("Town")  # TinyTroupe refuses a taken name; here the newcomer is kept under its id
    assert TinyWorld.get_environment_by_name("Town") is first
    assert TinyWorld.get_environment_by_name(second.id) is second and second.id == "Town#2"
    TinyWorld.clear_environments()
    assert TinyWorld.get_environment_by_name("Town") is None


def test_parallel_mode_delivers_after_everyone_acted(fake):
    ann = fake("Ann", [[("TALK", "from Ann", "Bob")]])
    bob = fake("Bob", [[("TALK", "from Bob", "Ann")]])
    TinyWorld("Room", [ann, bob], seed=3).run(1, parallelize=True)
    assert ann.acted_after == [[]] and bob.acted_after == [[]]
    assert heard(ann) == [("from Bob", "Bob")] and heard(bob) == [("from Ann", "Ann")]


def test_sequential_mode_lets_later_agents_hear_earlier_ones(fake):
    agents = [fake(n, [[("TALK", f"from {n}", "")]]) for n in ("Ann", "Bob", "Cy", "Dee")]
    world = TinyWorld("Room", agents, seed=5)
    actions = world.run(1, parallelize=False, return_actions=True)
    order = list(actions[0])
    for position, name in enumerate(order):
        agent = world.get_agent_by_name(name)
        assert [c for _, c, _ in agent.acted_after[0]] == [f"from {n}" for n in order[:position]]


def _sequential_order(fake, seed, steps=3):
    agents = [fake(n) for n in ("Ann", "Bob", "Cy", "Dee", "Eve", "Fay")]
    world = TinyWorld(f"Room {seed}", agents, seed=seed)
    return [list(step) for step in world.run(steps, parallelize=False, return_actions=True)]


def test_order_is_seeded(fake):
    assert _sequential_order(fake, 11) == _sequential_order(fake, 11)
    assert _sequential_order(fake, 11) != _sequential_order(fake, 12)


def test_order_is_kept_when_not_randomized(fake):
    agents = [fake(n) for n in ("Ann", "Bob", "Cy")]
    steps = TinyWorld("Room", agents, seed=1).run(2, randomize_agents_order=False, parallelize=False,
                                                   return_actions=True)
    assert [list(s) for s in steps] == [["Ann", "Bob", "Cy"]] * 2


def test_an_llm_failure_costs_a_turn_not_the_run(fake):
    ann, bob = fake("Ann"), fake("Bob", [[("TALK", "still here", "Ann")]])
    ann.error = TransientError("server down", status=503)
    with events.collect(["agent.fallback"]) as c:
        TinyWorld("Room", [ann, bob]).run(1)
    fallback = c.events[0].payload
    assert fallback.agent == "Ann" and fallback.error_type == "TransientError" and fallback.reason
    assert "server down" not in str(c.events[0].data)  # provider text stays out of what is recorded
    assert heard(ann) == [("still here", "Bob")]


def test_other_errors_propagate(fake):
    ann = fake("Ann")
    ann.error = KeyError("bug")
    with pytest.raises(KeyError):
        TinyWorld("Room", [ann, fake("Bob")]).run(1)


def test_run_works_inside_a_running_event_loop(fake):
    import asyncio

    ann = fake("Ann", [[("TALK", "hi", "Bob")]])
    bob = fake("Bob")
    world = TinyWorld("Room", [ann, bob])

    async def notebook_cell():
        world.run(1)  # the blocking facade, called where a loop is already running
        await world.arun(1)

    asyncio.run(notebook_cell())
    assert world.simulation_step == 2 and heard(bob) == [("hi", "Ann")]
