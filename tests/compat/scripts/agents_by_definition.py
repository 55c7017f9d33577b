"""An agent built in code with define, item access and '+', then a short conversation."""

from tinytroupe.agent import TinyPerson

oscar = TinyPerson("Oscar")
oscar.define("age", 30)
oscar.define("nationality", "German")
oscar.define("occupation", {"title": "Architect", "organization": "Awesome Inc.",
                            "description": "Designs standard elements for new apartment buildings."})
oscar.define("personality", {"traits": ["Fast paced.", "Detail oriented.", "Witty."]})
oscar["residence"] = "Berlin, Germany"
oscar + {"skills": ["AutoCAD.", "Explaining trade-offs to clients."]}
assert oscar["age"] == 30 and oscar["residence"] == "Berlin, Germany"
assert "AutoCAD." in oscar.get("skills")

oscar.define_relationships([{"Name": "Richard", "Description": "A colleague on similar projects."},
                            {"Name": "John", "Description": "His boss, always pushing to cut costs."}])
lisa = TinyPerson("Lisa")
lisa.define("occupation", {"title": "Data Scientist"})
oscar.related_to(lisa, "An old friend from university.", symmetric_description="An architect friend.")
assert len(oscar.get("relationships")) == 3 and lisa.get("relationships")[0]["name"] == "Oscar"

oscar.listen_and_act("Tell me about your job.")
actions = oscar.listen_and_act("And what do you do on weekends?", return_actions=True)
assert actions and all("action" in a and "type" in a["action"] for a in actions)
oscar.act(until_done=False, n=1)
TinyPerson.communication_display = False
oscar.think("Time to go home.", communication_display=True)
oscar.act()
print(oscar.pretty_current_interactions())
oscar.pp_last_interactions(n=2)
print("agents by definition: ok")
