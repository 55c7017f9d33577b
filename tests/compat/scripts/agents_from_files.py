"""Agents from specification files, as TinyTroupe's README and examples load them."""

from tinytroupe.agent import TinyPerson
from tinytroupe.examples import (
    create_lisa_the_data_scientist,
    list_example_agents,
    load_example_agent_specification,
)

# a file in the original's format, loaded as it is
ines = TinyPerson.load_specification("./agents/Ines_Carvalho.agent.json")
assert ines.name == "Ines Carvalho"
assert ines.get("occupation")["title"] == "Structural Engineer"

# the shipped examples, by the original's builder and loader names
lisa = create_lisa_the_data_scientist()
oscar = TinyPerson.load_specification(load_example_agent_specification("Oscar"), new_agent_name="Oscar the 2nd")
assert "lisa" in [n.lower() for n in list_example_agents()]
assert oscar.name == "Oscar the 2nd"

# a saved agent, with the original's keyword arguments
tomas = TinyPerson.load_specification("./agents/Tomas_Hrabe.agent.json", suppress_mental_faculties=True,
                                      suppress_memory=True, suppress_mental_state=True, auto_rename_agent=True)

lisa.listen_and_act("Tell me a bit about your life.")
said = lisa.pop_actions_and_get_contents_for("TALK", False)
assert isinstance(said, str)

ines.think("I should check the cracks in the stairwell today.")
ines.act()
print(ines.minibio())
ines.pp_current_interactions()

ines.save_specification("ines_saved.agent.json", include_memory=True)
again = TinyPerson.load_specification("ines_saved.agent.json", new_agent_name="Ines Again")
assert again.get("occupation")["title"] == "Structural Engineer"
print("agents from files: ok", tomas.name)

# every agent a factory saved in the original's format, in one go
saved = TinyPerson.load_specifications_from_folder("./saved-agents", auto_rename_agent=True)
assert len(saved) >= 3 and all(a.get("name") for a in saved)
saved[0].listen_and_act("What do you do for a living?")
print(f"{len(saved)} saved agents loaded")
