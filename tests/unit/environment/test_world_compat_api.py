"""TinyWorld and TinySocialNetwork in the original's shapes: communications, interactions, costs."""

from __future__ import annotations

from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinySocialNetwork, TinyWorld
from tinytroupe.llm.wrappers.usage import usage_stats
from tinytroupe.testing.agent_replies import act_reply


def _room(scripted, name="Room"):
    ana, bob = TinyPerson("Ana"), TinyPerson("Bob")
    world = TinyWorld(name, [ana, bob], seed=3)
    scripted.queue(act_reply(("THINK", "Let me see.")), act_reply(("THINK", "Let me see.")))
    return world, ana, bob


def test_communications_buffer_pops_the_world_transcript(scripted, capsys):
    world, ana, _ = _room(scripted)
    world.broadcast("Welcome, both of you.")
    world.run(1)
    popped = world.pop_and_display_latest_communications()
    kinds = [c["kind"] for c in popped]
    assert kinds.count("stimuli") == 2 and kinds.count("action") == 4 and kinds.count("step") == 1  # THINK and DONE each
    step = next(c for c in popped if c["kind"] == "step")
    assert step["rendering"] == "Room step 1 of 1"
    welcome = next(c for c in popped if c["kind"] == "stimuli")
    assert welcome["content"]["stimuli"][0]["content"] == "Welcome, both of you."
    out = capsys.readouterr().out
    assert "Room step 1 of 1" in out and "Let me see." in out
    assert world.pop_and_display_latest_communications() == []
    ana.think("later")
    world.broadcast("Anyone?")
    world.clear_communications_buffer()
    assert world._displayed_communications_buffer == []


def test_pretty_current_interactions_shows_every_agent(scripted, capsys):
    world, _, _ = _room(scripted)
    world.broadcast("alpha")
    world.broadcast("beta")
    world.broadcast("gamma")
    text = world.pretty_current_interactions(True, True, None, 1, 1, False)
    assert "**BEGIN AGENT Ana HISTORY.**" in text and "**FINISHED AGENT Bob HISTORY.**" in text
    assert text.count("alpha") == 2 and "beta" not in text and "omitted" not in text
    world.pp_current_interactions(simplified=False)
    assert "'stimuli'" in capsys.readouterr().out


def test_cost_stats_per_agent_per_step_and_global(scripted, capsys):
    usage_stats().reset()
    TinyWorld.clear_environments()
    world, _, _ = _room(scripted)
    TinyWorld("Empty", seed=1)
    world.run(1)
    stats = world.get_cost_stats()
    assert stats["num_agents"] == 2 and stats["num_steps"] == 1 and world._simulation_steps == 1
    assert stats["base_stats"]["model_calls"] == 2
    assert stats["per_agent"]["model_calls"] == 1.0 and stats["per_step"]["model_calls"] == 2.0
    assert stats["per_agent_per_step"]["model_calls"] == 1.0
    world.pretty_print_cost_stats()
    out = capsys.readouterr().out
    for heading in ("COST STATISTICS FOR WORLD: Room", "Average per agent", "Average per simulation step",
                    "Average per agent per step"):
        assert heading in out
    glob = TinyWorld.get_global_cost_stats()
    assert glob["total_environments"] == 2 and glob["total_agents"] == 2 and glob["total_steps"] == 1
    assert glob["base_stats"]["model_calls"] == 2 and glob["per_environment"]["model_calls"] == 1.0
    TinyWorld.pretty_print_global_cost_stats()
    assert "GLOBAL COST STATISTICS (ALL ENVIRONMENTS)" in capsys.readouterr().out
    idle = TinyWorld.get_environment_by_name("Empty").get_cost_stats()
    assert idle["base_stats"]["model_calls"] == 0 and idle["per_agent"] is None and idle["per_step"] is None


def test_free_environments_join_a_simulation():
    TinyWorld.clear_environments()
    taken, free = TinyWorld("Taken", seed=1), TinySocialNetwork("Free", seed=1)
    taken.simulation_id = "sim-1"

    class Recorder:
        added: list = []

        def add_environment(self, world):
            self.added.append(world)

    TinyWorld.set_simulation_for_free_environments(Recorder())
    assert Recorder.added == [free]


def test_a_network_keeps_a_repeated_relation(fake):
    ann, bob = fake("Ann"), fake("Bob")
    net = TinySocialNetwork("Club", seed=1).add_relation(ann, bob, "friends").add_relation(ann, bob, "friends")
    assert net.relations["friends"] == [(ann, bob), (ann, bob)]
    assert net.related_agents(ann) == [bob]
    net.run(1)
    assert set(ann.accessible) == {"Bob"}
    assert hasattr(net, "pretty_print_cost_stats") and net.get_cost_stats()["num_agents"] == 2
