"""Replay: unchanged operations come back from the records without LLM calls; changes re-run from there."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from control_support import START, fresh_process, persona_responder, run_scenario

from tinytroupe import control, events, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.factory import TinyPersonFactory
from tinytroupe.testing.agent_replies import act_reply

STEP_REQUESTS = 3  # one turn per agent per step


def test_a_second_run_makes_no_requests_and_ends_in_the_same_state(tmp_path):
    first = run_scenario(tmp_path / "sim.json")
    assert first.requests == 10 * STEP_REQUESTS
    assert (first.hits, first.misses) == (0, 13)  # a define, 2 broadcasts and 10 steps
    second = run_scenario(tmp_path / "sim.json")
    assert second.requests == 0
    assert (second.hits, second.misses) == (13, 0)
    assert json.dumps(second.state) == json.dumps(first.state)


def test_changing_the_last_broadcast_reruns_only_the_last_step(tmp_path):
    first = run_scenario(tmp_path / "sim.json")
    changed = run_scenario(tmp_path / "sim.json", last="Time is up: who disagrees?")
    assert changed.requests == STEP_REQUESTS
    assert all("who disagrees" in p for p in changed.prompts)
    assert changed.state["agents"][0]["episodic_memory"][:-3] != first.state["agents"][0]["episodic_memory"][:-3]
    # both variants stay recorded: going back costs nothing
    assert run_scenario(tmp_path / "sim.json").requests == 0
    assert run_scenario(tmp_path / "sim.json", last="Time is up: who disagrees?").requests == 0


def test_inserting_a_step_replays_what_comes_before_and_runs_the_rest(tmp_path):
    run_scenario(tmp_path / "sim.json")
    inserted = run_scenario(tmp_path / "sim.json", insert_at=5)
    assert inserted.requests == 6 * STEP_REQUESTS  # steps 5..10
    assert all("supplier doubled" in p for p in inserted.prompts)


def test_an_inserted_plain_step_is_itself_a_replay(tmp_path):
    # keys follow states, not positions: an extra step at 5 reaches the state the old step 5
    # reached, so steps 1-9 all replay; only what now differs runs (step 10 without the
    # broadcast, then the broadcast and step 11)
    run_scenario(tmp_path / "sim.json")
    inserted = run_scenario(tmp_path / "sim.json", extra_step_at=5)
    assert inserted.requests == 2 * STEP_REQUESTS
    assert (inserted.hits, inserted.misses) == (1 + 1 + 9, 3)
    assert inserted.state["simulation_step"] == 11


def test_keys_do_not_depend_on_how_steps_were_grouped(tmp_path):
    one_by_one = run_scenario(tmp_path / "sim.json")
    grouped = run_scenario(tmp_path / "sim.json", chunk=4)  # run(4), run(4), run(1), then step 10
    assert grouped.requests == 0
    assert grouped.state == one_by_one.state


@pytest.mark.parametrize("jitter", [(1, 2), (3, 4)])
def test_parallel_steps_replay_whatever_the_timing(tmp_path, jitter):
    first = run_scenario(tmp_path / "sim.json", parallel=True, jitter_seed=jitter[0])
    assert first.requests == 10 * STEP_REQUESTS
    second = run_scenario(tmp_path / "sim.json", parallel=True, jitter_seed=jitter[1])
    assert second.requests == 0 and second.state == first.state
    changed = run_scenario(tmp_path / "sim.json", parallel=True, jitter_seed=jitter[1], last="Vote now.")
    assert changed.requests == STEP_REQUESTS
    inserted = run_scenario(tmp_path / "sim.json", parallel=True, jitter_seed=jitter[0], insert_at=5)
    assert inserted.requests == 6 * STEP_REQUESTS


def test_hits_and_misses_are_counted_and_announced(tmp_path):
    run_scenario(tmp_path / "sim.json")
    with events.collect(["control."]) as seen:
        outcome = run_scenario(tmp_path / "sim.json", last="Changed.")
    kinds = [(e.kind, e.data["op"]) for e in seen.events]
    assert kinds.count(("control.hit", "TinyWorld.step")) == 9
    assert kinds[-2:] == [("control.miss", "TinyWorld.broadcast"), ("control.miss", "TinyWorld.step")]
    assert (outcome.hits, outcome.misses) == (11, 2)


def test_without_a_file_replay_lives_in_memory(scripted):
    scripted.responder = lambda request: act_reply(("THINK", "hmm"))
    control.begin()
    ann = TinyPerson("Ann")
    ann.listen("hello")
    ann.act()
    with pytest.raises(Exception, match="no file"):
        control.checkpoint()
    control.end()
    assert scripted.calls == 1


def test_agent_operations_outside_a_world_replay_with_results(tmp_path):
    def script():
        model = fresh_process()
        model.responder = lambda request: act_reply(("TALK", "Fine, thanks.", ""), ("THINK", "odd question"))
        control.begin(tmp_path / "agent.json")
        ann = TinyPerson("Ann")
        chained = ann.listen("How are you?")
        actions = ann.act(return_actions=True)
        talk = ann.pop_actions_and_get_contents_for("TALK")
        result = (chained is ann, actions, talk, ann.encode_complete_state(), model.calls)
        control.end()
        return result

    first, second = script(), script()
    assert first[0] and second[0]
    assert first[1] == second[1] and first[2] == second[2] == "Fine, thanks."
    assert first[3] == second[3]
    assert (first[4], second[4]) == (1, 0)


def test_objects_made_before_begin_are_adopted_by_their_first_operation(tmp_path):
    def script():
        model = fresh_process()
        model.responder = lambda request: act_reply(("THINK", f"thought {len(model.requests)}"))
        ann = TinyPerson("Ann")
        world = TinyWorld("Room", [ann, TinyPerson("Bob")], initial_datetime=START, seed=5)
        control.begin(tmp_path / "late.json")
        world.run(2, timedelta(hours=1))
        state = world.encode_complete_state()
        control.end()
        return model.calls, state

    assert script()[0] == 4
    calls, state = script()
    assert calls == 0 and state["simulation_step"] == 2


def test_a_failing_operation_is_not_recorded(tmp_path):
    model = fresh_process()
    control.begin(tmp_path / "fail.json")
    world = TinyWorld("Room", [TinyPerson("Ann")], initial_datetime=START)
    ann = world.agents[0]
    ann.strict = True
    model.queue(llm.ScriptExhaustedError("boom"), llm.ScriptExhaustedError("boom"), llm.ScriptExhaustedError("boom"))
    with pytest.raises(llm.ScriptExhaustedError):
        world.run(1)
    assert control.current_simulation().cache_misses == 1
    control.end()
    document = json.loads((tmp_path / "fail.json").read_text())
    assert document["records"] == {}


def test_generated_people_are_recreated_on_replay(tmp_path):
    def script():
        model = fresh_process()
        model.responder = persona_responder
        control.begin(tmp_path / "factory.json")
        factory = TinyPersonFactory(context="A hospital", seed=3)
        people = factory.generate_people(2)
        people.append(factory.generate_person())
        outcome = (model.calls, [p.name for p in people], [p.encode_complete_state() for p in people],
                   list(factory.generated_names), factory.to_dict())
        control.end()
        return outcome

    first = script()
    assert first[0] == 3 and len(set(first[1])) == 3
    replayed = script()
    assert replayed[0] == 0
    assert replayed[1:] == first[1:]
    assert all(TinyPerson.get_agent_by_name(n) is not None for n in first[1])


def test_unseeded_worlds_and_factories_get_reproducible_seeds_inside_a_simulation(tmp_path):
    def seeds():
        control.begin()
        world, other, factory = TinyWorld("Room"), TinyWorld("Hall"), TinyPersonFactory()
        result = (world.seed, other.seed, factory.seed, world._rng.random())
        control.reset()
        return result

    first = seeds()
    assert first == seeds()
    assert None not in first and first[0] != first[1]
    assert TinyWorld("Room").seed == first[0]  # outside a simulation: the same derivation
