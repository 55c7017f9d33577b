"""Every sample file of the original (agents, fragments, saved agents, populations), used as a
user would: run by ``test_compat_scripts.py`` in a folder holding a copy of them, only where
the original's samples are checked out beside the repository."""

from pathlib import Path

from tinytroupe.agent import TinyPerson
from tinytroupe.factory import TinyPersonFactory

agents = [TinyPerson.load_specification(path, auto_rename_agent=True) for path in sorted(Path("agents").glob("*.json"))]
assert agents and all(a.get("name") for a in agents)

host = TinyPerson.load_specification(sorted(Path("agents").glob("*.json"))[0], new_agent_name="Fragment Host")
for path in sorted(Path("fragments").glob("*.json")):
    host.import_fragment(str(path))
host.listen_and_act("What matters most to you these days?")

saved = TinyPerson.load_specifications_from_folder("./saved-agents", auto_rename_agent=True)
assert len(saved) == len(list(Path("saved-agents").glob("*.json"))), "every saved agent loads"
saved[0].listen_and_act("What do you do for a living?")

for path in sorted(Path("populations").glob("*.json")):
    factory = TinyPersonFactory.create_factory_from_demography(str(path), population_size=2)
    assert factory.generate_people(1)
print(f"original samples: {len(agents)} agents, {len(saved)} saved agents: ok")
