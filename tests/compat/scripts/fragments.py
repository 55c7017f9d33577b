"""Persona fragments: files in the original's format, the shipped ones, and plain dicts."""

from tinytroupe.agent import TinyPerson
from tinytroupe.examples import (
    create_marcos_the_physician,
    list_example_fragments,
    load_example_fragment_specification,
)

marcos = create_marcos_the_physician()
marcos.import_fragment("./fragments/night_cyclist.agent.fragment.json")
marcos.import_fragment("./fragments/bargain_hunter.agent.fragment.json")
marcos.include_persona_definitions({"preferences": {"likes": ["Long bike rides."]}})
marcos + load_example_fragment_specification("genuine")
assert "Long bike rides." in marcos.get("preferences")["likes"]
assert "genuine" in list_example_fragments()

debater = TinyPerson.load_specification("./agents/Wanjiru_Kamau.agent.json")
debater + "./fragments/contrarian.fragment.json"
debater.listen_and_act("Is a hot dog a sandwich?")
marcos.listen_and_act("What do you look for in a holiday?")
print("fragments: ok")
