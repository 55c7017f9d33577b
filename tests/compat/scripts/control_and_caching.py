"""Simulation control and the API call cache, as in TinyTroupe's caching documentation."""

import os

from tinytroupe import control, openai_utils
from tinytroupe.environment import TinyWorld
from tinytroupe.examples import create_lisa_the_data_scientist, create_marcos_the_physician


def scenario():
    control.begin("simulation.cache.json")
    lisa = create_lisa_the_data_scientist()
    marcos = create_marcos_the_physician()
    world = TinyWorld("Clinic", [lisa, marcos])
    world.make_everyone_accessible()
    world.broadcast("A new telemedicine service is opening. What do you think?")
    world.run(2)
    control.checkpoint()
    said = lisa.pop_actions_and_get_contents_for("TALK", only_last_action=False)
    control.end()
    TinyWorld.clear_environments()
    from tinytroupe.agent import TinyPerson
    TinyPerson.clear_agents()
    return said


openai_utils.force_api_cache(True, "api_calls.cache.sqlite")
first = scenario()
assert os.path.exists("simulation.cache.json") and os.path.exists("api_calls.cache.sqlite")
misses = control.cache_misses()
assert misses > 0

second = scenario()  # the same script again: every operation replays from the simulation cache
assert second == first
assert control.cache_hits() > 0
openai_utils.force_api_cache(False)
print("control and caching: ok", control.cache_hits(), control.cache_misses())
