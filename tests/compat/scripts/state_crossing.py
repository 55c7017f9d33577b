"""Saving, loading and moving agent states around, written the way TinyTroupe's documentation does."""

import json

from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.examples import create_lisa_the_data_scientist, create_oscar_the_architect

lisa = create_lisa_the_data_scientist()
oscar = create_oscar_the_architect()
lisa.define("projects", ["churn model", "pricing dashboard"])
lisa.internalize_goal("Finish the churn model by Friday.")
lisa.listen_and_act("What are you working on these days?")

# the complete state, as the original's serialization tests read it
state = lisa.encode_complete_state()
assert "name" in state and "_persona" in state and "_mental_state" in state
assert state["_persona"]["projects"] == ["churn model", "pricing dashboard"]
lisa.define("projects", [])
restored = TinyPerson.decode_complete_state(lisa, state)
assert restored._persona["projects"] == ["churn model", "pricing dashboard"]

# specifications: positional arguments mean what they meant in the original
lisa.save_specification("lisa_with_memory.agent.json", True, True, True)  # faculties, memory, mental state
saved = json.load(open("lisa_with_memory.agent.json"))
assert saved["type"] == "TinyPerson" and saved["episodic_memory"]
copy = TinyPerson.load_specification("lisa_with_memory.agent.json", False, False, False, True)  # auto-rename
assert copy.name != lisa.name and copy._persona["projects"] == lisa._persona["projects"]
light = TinyPerson.load_specification("lisa_with_memory.agent.json", True, True, True, False, "Lisa Light")
assert light.name == "Lisa Light" and len(light.episodic_memory.retrieve_all()) == 0

# a state written by the original TinyTroupe (its private attribute names) decodes here too
old_style = {
    "name": "Oscar",
    "_persona": {**oscar._persona.copy(), "age": 31},
    "_mental_state": {"datetime": None, "location": "the studio", "context": ["a design review"],
                      "goals": ["present the facade"], "attention": None, "emotions": "focused",
                      "memory_context": None, "accessible_agents": []},
    "_accessible_agents": [],
    "_current_episode_event_count": 1,
    "episodic_memory": {"json_serializable_class_name": "EpisodicMemory", "memory": [
        {"role": "user", "type": "stimulus", "simulation_timestamp": None,
         "content": {"stimuli": [{"type": "CONVERSATION", "content": "Is the facade ready?", "source": "Lisa"}]}}],
        "episodic_buffer": []},
}
oscar.decode_complete_state(old_style)
assert oscar._persona["age"] == 31 and oscar._mental_state["location"] == "the studio"
assert oscar.episodic_memory.retrieve_all()[-1]["content"]["stimuli"][0]["content"] == "Is the facade ready?"
oscar.listen_and_act("So, is it?")

# worlds encode their agents too, and decode back in place
world = TinyWorld("Studio", [lisa, oscar])
world.run(1)
world_state = world.encode_complete_state()
assert world_state["name"] == "Studio" and len(world_state["agents"]) == 2
world.decode_complete_state(world_state)
assert len(world.agents) == 2
print("state crossing: ok")
