"""Agents from specification files, as TinyTroupe's README and examples load them."""

from tinytroupe.agent import TinyPerson
from tinytroupe.examples import (
    create_lisa_the_data_scientist,
    list_example_agents,
    load_example_agent_specification,
)

# a file of the original, loaded as it is
friedrich = TinyPerson.load_specification("./agents/Friedrich_Wolf.agent.json")
assert friedrich.name == "Friedrich Wolf"
assert friedrich.get("occupation")["title"] == "Architect"

# the shipped examples, by the original's builder and loader names
lisa = create_lisa_the_data_scientist()
oscar = TinyPerson.load_specification(load_example_agent_specification("Oscar"), new_agent_name="Oscar the 2nd")
assert "lisa" in [n.lower() for n in list_example_agents()]
assert oscar.name == "Oscar the 2nd"

# a saved agent of the original, with the original's keyword arguments
sophie = TinyPerson.load_specification("./agents/Sophie_Lefevre.agent.json", suppress_mental_faculties=True,
                                       suppress_memory=True, suppress_mental_state=True, auto_rename_agent=True)

lisa.listen_and_act("Tell me a bit about your life.")
said = lisa.pop_actions_and_get_contents_for("TALK", False)
assert isinstance(said, str)

friedrich.think("I should sketch the new library today.")
friedrich.act()
print(friedrich.minibio())
friedrich.pp_current_interactions()

friedrich.save_specification("friedrich_saved.agent.json", include_memory=True)
again = TinyPerson.load_specification("friedrich_saved.agent.json", new_agent_name="Friedrich Again")
assert again.get("occupation")["title"] == "Architect"
print("agents from files: ok", sophie.name)

# every agent a factory of the original saved, in one go
saved = TinyPerson.load_specifications_from_folder("./saved-agents", auto_rename_agent=True)
assert len(saved) >= 20 and all(a.get("name") for a in saved)
saved[0].listen_and_act("What do you do for a living?")
print(f"{len(saved)} saved agents loaded")
