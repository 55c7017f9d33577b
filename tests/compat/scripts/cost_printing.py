"""Cost statistics printed from agents and worlds, as TinyTroupe's notebooks end their runs."""

from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinySocialNetwork, TinyWorld
from tinytroupe.examples import create_lisa_the_data_scientist, create_oscar_the_architect

lisa = create_lisa_the_data_scientist()
oscar = create_oscar_the_architect()
world = TinyWorld("Focus group", [lisa, oscar])
world.broadcast("What would make you switch to a new note-taking app?")
world.run(2)

communications = world.pop_and_display_latest_communications()
assert any(c["kind"] == "step" for c in communications)
world.clear_communications_buffer()
world.pp_current_interactions()

stats = world.get_cost_stats()
assert stats["num_agents"] == 2 and stats["num_steps"] == 2
assert stats["base_stats"]["model_calls"] >= 2
assert stats["per_agent"] is not None and stats["per_step"] is not None and stats["per_agent_per_step"] is not None
world.pretty_print_cost_stats()

network = TinySocialNetwork("Office network")
network.add_relation(lisa.create_new_agent_from_current_spec("Lisa Two"),
                     oscar.create_new_agent_from_current_spec("Oscar Two"), name="colleagues")
network.pretty_print_cost_stats()

overall = TinyWorld.get_global_cost_stats()
assert overall["total_environments"] >= 2 and overall["base_stats"]["model_calls"] >= stats["base_stats"]["model_calls"]
TinyWorld.pretty_print_global_cost_stats()

people = TinyPerson.get_global_cost_stats()
assert people["total_agents"] >= 4 and people["per_agent"]["model_calls"] > 0
TinyPerson.pretty_print_global_cost_stats()
print("cost printing: ok")
