"""A factory from one of the original's demography files, and one from a free-text description."""

from tinytroupe.examples import example_population_path
from tinytroupe.factory import TinyPersonFactory

factory = TinyPersonFactory.create_factory_from_demography(demography_description_or_file_path="./populations/harbour_towns.json",
                                                           population_size=4,
                                                           additional_demographic_specification="Adults who work by the sea.")
people = factory.generate_people(3, verbose=True)
assert 1 <= len(people) <= 3
for person in people:
    print(person.minibio())
    assert person.get("name")

one_more = factory.generate_person("Someone who works night shifts.")
assert one_more is None or one_more.name not in [p.name for p in people]

bank = TinyPersonFactory("A large bank in São Paulo, full of bureaucracy and legacy systems.")
clerk = bank.generate_person("A middle-aged clerk close to retirement.", temperature=1.0)
assert clerk is None or clerk.get("name")

spain = TinyPersonFactory.create_factory_from_demography(example_population_path("spain"), population_size=2)
assert spain.generate_people(2, parallelize=True)
print("factory from demography: ok")
