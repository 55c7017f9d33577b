"""A factory's sampling plan, drawn up front as TinyTroupe's factory documentation shows."""

from tinytroupe.factory import TinyPersonFactory

factory = TinyPersonFactory(context="A neighbourhood market research panel in Lisbon.",
                            sampling_space_description="Adults living in Lisbon, of every age and occupation.",
                            total_population_size=4)
plan = factory.initialize_sampling_plan()
print(plan)
assert len(plan) == 4 and factory.remaining_characteristics_sample == plan

people = factory.generate_people(2, "Likes to cook at home.", 1.0, 0.0, 0.0, 5,
                                 lambda person: person.define("panel", "lisbon-market"))
assert 1 <= len(people) <= 2 and all(p.get("panel") == "lisbon-market" for p in people)
assert len(factory.remaining_characteristics_sample) == 4 - len(people)
for person in people:
    print(person.minibio())

factories = TinyPersonFactory.generate_person_factories(2, "Customers of a small bakery.")
assert factories is None or all(isinstance(f, TinyPersonFactory) for f in factories)
print("factory sampling plan: ok")
