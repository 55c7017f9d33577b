"""Worlds of real TinyPersons driven by the scripted model: routing, clock, interventions, seeds."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tinytroupe import events
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import Intervention, TinySocialNetwork, TinyWorld
from tinytroupe.errors import NoModelConfiguredError
from tinytroupe.testing.agent_replies import act_reply, request_agent, talk_responder

START = datetime(2025, 5, 5, 10, 0)


def conversation(agent):
    """(content, sender) of everything the agent heard."""
    return [(e.content, e.source) for e in agent.episodic_memory.retrieve_all(type="CONVERSATION")]


def by_agent(plan):
    """A responder replying per agent: ``plan[name]`` is a reply (or a list, one per turn)."""
    turns: dict[str, int] = {}

    def respond(request):
        name = request_agent(request)
        reply = plan.get(name, act_reply())
        if isinstance(reply, list):
            index = turns.get(name, 0)
            turns[name] = index + 1
            reply = reply[min(index, len(reply) - 1)]
        return reply

    return respond


def trio(names=("Ann", "Bob", "Cy"), **kwargs):
    return TinyWorld("Room", [TinyPerson(n) for n in names], initial_datetime=START, **kwargs)


@pytest.mark.parametrize("parallel", [True, False])
def test_each_talk_reaches_exactly_its_target(scripted, parallel):
    scripted.responder = by_agent({"Ann": act_reply(("TALK", "hello Bob", "Bob")),
                                   "Bob": act_reply(("TALK", "hi Cy", "Cy")),
                                   "Cy": act_reply(("TALK", "yo Ann", "Ann"))})
    world = trio(seed=3)
    world.run(1, parallelize=parallel)
    ann, bob, cy = world.agents
    assert conversation(ann) == [("yo Ann", "Cy")]
    assert conversation(bob) == [("hello Bob", "Ann")]
    assert conversation(cy) == [("hi Cy", "Bob")]
    assert scripted.calls == 3


def test_a_broadcast_reaches_all(scripted):
    world = trio()
    ann, bob, cy = world.agents
    world.broadcast("The meeting starts now.")
    world.broadcast("Ann here.", source=ann)
    assert conversation(ann) == [("The meeting starts now.", "")]
    assert conversation(bob) == conversation(cy) == [("The meeting starts now.", ""), ("Ann here.", "Ann")]


def test_everyone_is_accessible_and_learns_the_time(scripted):
    scripted.responder = by_agent({})
    world = trio()
    world.run_hours(1)
    prompt = "\n".join(m.content for m in scripted.requests[0].messages)
    assert "2025-05-05 11:00" in prompt
    for agent in world.agents:
        assert set(agent.accessible_agent_relations()) == {"Ann", "Bob", "Cy"} - {agent.name}


def test_reach_out_makes_two_agents_accessible(scripted):
    scripted.responder = by_agent({"Ann": act_reply(("REACH_OUT", "", "Bob"))})
    world = trio()
    ann, bob, cy = world.agents
    for agent in world.agents:
        agent.make_all_agents_inaccessible()
    world.run(1)
    assert [a.name for a in ann.accessible_agents] == ["Bob"]
    assert [a.name for a in bob.accessible_agents] == ["Ann"]
    assert cy.accessible_agents == []
    assert bob.episodic_memory.retrieve_all(type="SOCIAL")[-1].content.startswith("Ann reached out")


def test_an_unknown_target_does_not_crash(scripted):
    scripted.responder = by_agent({"Ann": act_reply(("TALK", "anyone there?", "Zed"))})
    world = trio()
    world.run(1)
    ann, bob, cy = world.agents
    assert conversation(bob) == conversation(cy) == [("anyone there?", "Ann")]
    quiet = TinyWorld("Quiet", [TinyPerson("Dee"), TinyPerson("Eve")], broadcast_if_no_target=False)
    scripted.responder = by_agent({"Dee": act_reply(("TALK", "psst", "Zed"))})
    with events.collect(["world.delivery_dropped"]) as c:
        quiet.run(1)
    assert conversation(quiet.agents[1]) == [] and c.events[0].data["agent"] == "Dee"


def test_run_hours_moves_the_clock_three_hours(scripted):
    scripted.responder = by_agent({})
    world = trio()
    world.run_hours(3)
    assert world.current_datetime == START + timedelta(hours=3)
    assert scripted.calls == 9
    assert "2025-05-05 13:00" in "\n".join(m.content for m in scripted.requests[-1].messages)


def test_an_intervention_fires_exactly_where_its_precondition_holds(scripted):
    # Bob asks for help in step 2 only; the intervention fires at the start of the next step
    scripted.responder = by_agent({"Bob": [act_reply(), act_reply(("TALK", "help!", "Ann")), act_reply()]})
    world = trio()
    ann = world.get_agent_by_name("Ann")

    def asked_for_help(target):
        return any("help" in c for c, _ in conversation(target))

    fired: list[int] = []
    helper = Intervention(ann, name="helper").set_functional_precondition(asked_for_help) \
        .set_effect(lambda target, w: (fired.append(w.simulation_step), target.think("I must help Bob.")))
    world.add_intervention(helper)
    with events.collect(["world.intervention"]) as c:
        world.run(4, parallelize=False)
    assert fired == [3, 4]
    assert [e.data["step"] for e in c.events] == [3, 4]


def test_sequential_agents_perceive_earlier_actions_in_the_same_step(scripted):
    scripted.responder = by_agent({n: act_reply(("TALK", f"news from {n}", "")) for n in ("Ann", "Bob", "Cy")})
    world = trio(seed=8)
    order = list(world.run(1, parallelize=False, return_actions=True)[0])
    assert [request_agent(r) for r in scripted.requests] == order
    for position, request in enumerate(scripted.requests):
        prompt = "\n".join(m.content for m in request.messages)
        heard = [n for n in order if f"news from {n}" in prompt]
        assert heard == order[:position]


def test_parallel_agents_hear_each_other_only_after_the_step(scripted):
    scripted.responder = by_agent({n: act_reply(("TALK", f"news from {n}", "")) for n in ("Ann", "Bob", "Cy")})
    world = trio(seed=8)
    world.run(2, parallelize=True)
    prompts = ["\n".join(m.content for m in r.messages) for r in scripted.requests]
    assert not any("news from" in p for p in prompts[:3])
    for request, prompt in zip(scripted.requests[3:], prompts[3:], strict=True):
        others = {"Ann", "Bob", "Cy"} - {request_agent(request)}
        assert {n for n in others if f"news from {n}" in prompt} == others


def _transcript(seed, parallel):
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    world = trio(seed=seed)
    world.run_minutes(2, parallelize=parallel)
    return [(e.kind, e.source, e.data, e.sim_time) for e in world.transcript]


@pytest.mark.parametrize("parallel", [True, False])
def test_same_seed_and_replies_give_identical_transcripts(scripted, parallel):
    scripted.responder = talk_responder(think=True)
    first, second = _transcript(5, parallel), _transcript(5, parallel)
    assert first == second and len(first) > 20


def test_another_seed_changes_the_sequential_order(scripted):
    scripted.responder = talk_responder()

    def orders(seed):
        TinyPerson.clear_agents()
        world = trio(names=("Ann", "Bob", "Cy", "Dee", "Eve"), seed=seed)
        return [list(s) for s in world.run(3, parallelize=False, return_actions=True)]

    assert orders(1) == orders(1)
    assert orders(1) != orders(2)


def test_network_refuses_reach_out_between_unrelated_agents(scripted):
    scripted.responder = by_agent({"Ann": act_reply(("REACH_OUT", "", "Cy"))})
    ann, bob, cy = TinyPerson("Ann"), TinyPerson("Bob"), TinyPerson("Cy")
    net = TinySocialNetwork("Office", agents=[cy]).add_relation(ann, bob, "team")
    with events.collect(["world.reach_out_refused"]) as c:
        net.run(1)
    [event] = c.events
    assert (event.data["agent"], event.data["target"], event.data["world"]) == ("Ann", "Cy", "Office")
    assert "not related" in event.data["reason"]
    assert [a.name for a in ann.accessible_agents] == ["Bob"] and cy.accessible_agents == []
    assert "not related" in ann.episodic_memory.retrieve_all(type="SOCIAL")[-1].content


def test_world_state_round_trips_with_real_agents(scripted):
    scripted.responder = talk_responder()
    world = trio(seed=2)
    world.run(2)
    state = world.encode_complete_state()
    TinyPerson.clear_agents()
    restored = TinyWorld("Elsewhere").decode_complete_state(state)
    assert restored.encode_complete_state() == state
    assert [a.name for a in restored.agents] == ["Ann", "Bob", "Cy"]
    assert all(a.environment is restored for a in restored.agents)


def test_costs_are_counted_per_agent(scripted):
    scripted.responder = talk_responder()
    world = trio()
    world.run(2)
    stats = world.cost_stats()
    assert stats["total"]["calls"] == 6
    assert {name: t["calls"] for name, t in stats["agents"].items()} == {"Ann": 2, "Bob": 2, "Cy": 2}
    assert "agent Bob" in world.pretty_cost_summary()


def test_no_model_configured_is_not_swallowed():
    config_manager.update("api_type", "openai")  # and no key nor base URL
    world = trio()
    with pytest.raises(NoModelConfiguredError):
        world.run(1)
