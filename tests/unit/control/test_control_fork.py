"""Fork (control and treatment arms from one point) and explicit save/load of worlds and agents."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from control_support import START, fresh_process

from tinytroupe import control
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinySocialNetwork, TinyWorld
from tinytroupe.errors import SimulationError, StateError

STEP = timedelta(minutes=15)


def panel() -> TinyWorld:
    world = TinyWorld("Panel", [TinyPerson(n) for n in ("Ann", "Bob", "Cy")], initial_datetime=START, seed=3)
    world.broadcast("What do you think of oat milk?")
    world.run(2, STEP)
    return world


def memories(world: TinyWorld) -> list[list[dict]]:
    return [a.episodic_memory.to_state() for a in world.agents]


def without_name(state: dict) -> dict:
    return {k: v for k, v in state.items() if k != "name"}


def test_a_fork_starts_from_exactly_the_same_state():
    fresh_process()
    world = panel()
    fork = world.fork("Panel B")
    assert fork.name == "Panel B" and TinyWorld.get_environment_by_name("Panel B") is fork
    assert without_name(fork.encode_complete_state()) == without_name(world.encode_complete_state())
    assert [a.name for a in fork.agents] == ["Ann", "Bob", "Cy"]
    assert all(a is not b for a, b in zip(fork.agents, world.agents, strict=True))
    assert TinyPerson.get_agent_by_name("Ann") is world.agents[0]  # name lookup keeps the originals
    assert fork.agents[0].accessible_agents == fork.agents[1:]
    assert fork.agents[0].environment is fork


def test_arms_share_history_and_differ_only_after_the_fork():
    fresh_process()
    control_arm = panel()
    treatment = control_arm.fork("Panel (treatment)")
    untreated = control_arm.fork("Panel (placebo)")
    shared = [len(m) for m in memories(control_arm)]
    treatment.broadcast("Advert: oat milk is now half price.")
    for world in (control_arm, treatment, untreated):
        world.run(2, STEP)
    for before, a, b in zip(shared, memories(control_arm), memories(treatment), strict=True):
        assert a[:before] == b[:before]
        assert a[before:] != b[before:]
    assert memories(untreated) == memories(control_arm)  # same start, same replies: same course
    assert "half price" in json.dumps(memories(treatment)) and "half price" not in json.dumps(memories(control_arm))


def test_talk_in_a_fork_reaches_the_forked_agents_only():
    fresh_process()
    world = panel()
    fork = world.fork("Panel B")
    before = [len(a.episodic_memory) for a in world.agents]
    fork.run(1, STEP)
    assert [len(a.episodic_memory) for a in world.agents] == before
    assert all(len(a.episodic_memory) > n for a, n in zip(fork.agents, before, strict=True))


def test_a_network_fork_keeps_its_relations_among_the_copies():
    fresh_process()
    ann, bob, cy = (TinyPerson(n) for n in ("Ann", "Bob", "Cy"))
    net = TinySocialNetwork("Office", initial_datetime=START, seed=1)
    net.add_relation(ann, bob, "friends").add_relation(bob, cy, "team")
    fork = net.fork("Office B")
    f_ann, f_bob, f_cy = fork.agents
    assert isinstance(fork, TinySocialNetwork)
    assert fork.relations == {"friends": [(f_ann, f_bob)], "team": [(f_bob, f_cy)]}
    fork.run(1, STEP)
    assert f_ann.accessible_agents == [f_bob]


def test_fork_needs_a_new_name():
    fresh_process()
    world = panel()
    for name in ("", "Panel", None):
        with pytest.raises(SimulationError, match="new, non-empty name"):
            world.fork(name)


def test_forked_arms_replay_inside_a_simulation(tmp_path):
    def script():
        model = fresh_process()
        simulation = control.begin(tmp_path / "rct.json")
        world = panel()
        arms = simulation.fork("(treatment)")
        treatment = arms["Panel"]
        treatment.broadcast("Advert: oat milk is now half price.")
        world.run(1, STEP)
        treatment.run(1, STEP)
        result = (model.calls, world.encode_complete_state(), treatment.encode_complete_state(), treatment.name)
        control.end()
        return result

    first = script()
    assert first[0] == 2 * 3 + 3 + 3 and first[3] == "Panel (treatment)"
    again = script()
    assert again[0] == 0 and again[1:] == first[1:]


def test_a_world_saved_and_loaded_carries_on_identically(tmp_path):
    fresh_process()
    world = panel()
    path = world.save(tmp_path / "panel.world.json")
    saved = world.encode_complete_state()
    world.run(2, STEP)
    expected = world.encode_complete_state()

    fresh_process()
    TinyWorld.clear_environments()
    loaded = TinyWorld.load(path)
    assert loaded.encode_complete_state() == saved
    loaded.run(2, STEP)
    assert loaded.encode_complete_state() == expected
    assert json.loads(path.read_text())["format"] == "tinytroupe.world"


def test_a_saved_network_loads_as_a_network(tmp_path):
    fresh_process()
    net = TinySocialNetwork("Office", initial_datetime=START, seed=1)
    net.add_relation(TinyPerson("Ann"), TinyPerson("Bob"), "friends")
    path = net.save(tmp_path / "office.json")
    fresh_process()
    loaded = TinyWorld.load(path)
    assert isinstance(loaded, TinySocialNetwork)
    assert [(a.name, b.name) for a, b in loaded.relations["friends"]] == [("Ann", "Bob")]


def test_a_bad_world_file_is_refused_and_leaves_nothing_behind(tmp_path):
    fresh_process()
    world = panel()
    path = world.save(tmp_path / "panel.json")
    document = json.loads(path.read_text())
    document["world"]["rng_state"] = "scrambled"
    path.write_text(json.dumps(document))
    content = path.read_bytes()
    fresh_process()
    with pytest.raises(StateError, match="rng_state") as caught:
        TinyWorld.load(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content
    assert TinyWorld.get_environment_by_name("Panel") is None and not TinyPerson.all_agents


def test_an_agent_saved_and_loaded_is_the_same_agent(tmp_path):
    fresh_process()
    world = panel()
    ann = world.agents[0]
    path = ann.save(tmp_path / "ann.agent.json")
    state = ann.encode_complete_state()
    with pytest.raises(SimulationError, match="already exists"):
        TinyPerson.load(path)
    copy = TinyPerson.load(path, new_agent_name="Ann 2")
    assert copy.name == "Ann 2" and copy.episodic_memory.to_state() == state["episodic_memory"]
    TinyPerson.clear_agents()
    again = TinyPerson.load(path)
    assert again.encode_complete_state() == state
    TinyPerson.clear_agents()
    as_spec = TinyPerson.load_specification(path)  # also a valid *.agent.json
    assert as_spec.name == "Ann" and len(as_spec.episodic_memory) == len(ann.episodic_memory)


def test_a_damaged_agent_file_is_refused(tmp_path):
    path = tmp_path / "ann.agent.json"
    path.write_text('{"format": "tinytroupe.agent", "version": 1, "type": "TinyPerson", "persona": {"na')
    with pytest.raises(StateError, match="truncated or corrupt"):
        TinyPerson.load(path)
    path.write_text(json.dumps({"format": "tinytroupe.agent", "version": 9, "persona": {"name": "Ann"}}))
    with pytest.raises(StateError, match="version 9"):
        TinyPerson.load(path)
    assert not TinyPerson.all_agents


def test_operations_on_forked_agents_replay_through_their_world(tmp_path):
    def script():
        model = fresh_process()
        control.begin(tmp_path / "forked.json")
        fork = panel().fork("Panel B")
        copy = fork.agents[1]
        copy.listen("Only the fork hears this.", source=fork.agents[0])
        copy.act()
        result = (model.calls, fork.encode_complete_state())
        control.end()
        return result

    first = script()
    assert first[0] == 2 * 3 + 1
    again = script()
    assert again == (0, first[1])
    assert "Only the fork hears this." in json.dumps(first[1]["agents"][1])
