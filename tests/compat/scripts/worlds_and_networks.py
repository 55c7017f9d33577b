"""A chat room and a social network, as in TinyTroupe's "chat with an agent" and networks examples."""

from datetime import datetime, timedelta

from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinySocialNetwork, TinyWorld
from tinytroupe.examples import create_lisa_the_data_scientist, create_oscar_the_architect

lisa = create_lisa_the_data_scientist()
oscar = create_oscar_the_architect()

world = TinyWorld("Chat Room", [lisa, oscar], initial_datetime=datetime(2024, 10, 1, 9))
world.make_everyone_accessible()
lisa.listen("Talk to Oscar to know more about him")
world.run(4)
lisa.pp_current_interactions()
oscar.pp_current_interactions()
assert world.get_agent_by_name("Lisa") is lisa
assert TinyWorld.get_environment_by_name("Chat Room") is world

world.broadcast("Please share your opinions about working from home.")
actions = world.run(1, timedelta_per_step=timedelta(minutes=30), return_actions=True)
assert isinstance(actions, list) and len(actions) == 1
assert world.current_datetime == datetime(2024, 10, 1, 9, 30)
world.run_minutes(2)
world.skip_hours(1)

ines = TinyPerson.load_specification("./agents/Ines_Carvalho.agent.json")
tomas = TinyPerson.load_specification("./agents/Tomas_Hrabe.agent.json")
network = TinySocialNetwork("Neighbourhood", broadcast_if_no_target=False)
network.add_relation(ines, tomas, name="neighbours")
network.add_relation(tomas, lisa.create_new_agent_from_current_spec("Lisa Twin"), name="friends")
assert network.is_in_relation_with(ines, tomas)
network.broadcast("The city plans to close the neighbourhood library.")
network.run(2, parallelize=False)
print("worlds and networks: ok")
