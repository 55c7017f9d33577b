"""Interventions, context changes and the memory helpers, the way TinyTroupe's notebooks use them."""

from datetime import datetime, timedelta

from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.examples import create_lisa_the_data_scientist_2, create_oscar_the_architect_2
from tinytroupe.extraction import ResultsReducer
from tinytroupe.steering import Intervention

TinyWorld.communication_display = False  # quieter notebooks, as the original allows
lisa, oscar = create_lisa_the_data_scientist_2(), create_oscar_the_architect_2()
world = TinyWorld("Office", initial_datetime=datetime(2024, 5, 6, 9))
world.add_agents([lisa, oscar])
world.make_everyone_accessible()
world.broadcast_context_change(["A Monday morning in an open-plan office."])
world.broadcast_internal_goal("Plan the week's work.")
world.broadcast_thought("I hope the coffee machine is fixed.")
lisa.move_to("Meeting room 2", context=["A project review"])
oscar.internalize_goal("Convince Lisa to try the new 3D viewer.")

noticed = []
nudge = Intervention(oscar).set_functional_precondition(lambda targets: True) \
    .set_effect(lambda targets: noticed.append(1) or targets.think("I should mention the budget."))
world.add_intervention(nudge)
world.run(2, timedelta_per_step=timedelta(minutes=10))
assert noticed and world.current_datetime == datetime(2024, 5, 6, 9, 20)

recent = lisa.retrieve_recent_memories()
assert recent and all("content" in m for m in recent)
print("last action:", oscar.last_remembered_action())
lisa.store_in_memory({"role": "stimulus", "type": "THOUGHT", "content": "Remember to book the room."})
lisa.clear_episodic_memory(max_suffix_to_clear=1)

reducer = ResultsReducer()
reducer.add_reduction_rule("TALK", lambda focus_agent, source_agent, target_agent, kind, event, content, timestamp:
                           {"speaker": source_agent.name, "content": content})
print(reducer.reduce_agent(oscar))

assert TinyPerson.get_agent_by_name("Lisa") is lisa and "Oscar" in TinyPerson.all_agents
TinyPerson.clear_agents()
TinyWorld.clear_environments()
assert TinyPerson.get_agent_by_name("Lisa") is None
print("interventions and habits: ok")
