"""Validation and experiments: a person validator, propositions, A/B randomisation, statistics."""

from tinytroupe.environment import TinyWorld
from tinytroupe.examples import create_oscar_the_architect
from tinytroupe.experimentation import ABRandomizer, Proposition, StatisticalTester, check_proposition
from tinytroupe.validation import TinyPersonValidator

oscar = create_oscar_the_architect()
expectations = """
Some characteristics of this person:
  - Is an architect.
  - Cares about good materials and sustainable design.
  - Would not talk about deep-sea fishing all day.
"""
score, justification = TinyPersonValidator.validate_person(oscar, expectations=expectations,
                                                           include_agent_spec=False, max_content_length=None)
assert score is None or 0.0 <= score <= 1.0
print("validation score:", score, justification[:80] if justification else "")

world = TinyWorld("Studio", [oscar])
world.broadcast("What do you think about glass towers?")
world.run(1)
adheres = Proposition("Oscar talks like an architect would.", target=oscar)
assert adheres.check() in (True, False)
assert Proposition.MIN_SCORE <= adheres.score() <= Proposition.MAX_SCORE
assert check_proposition(oscar, "The agent said something.") in (True, False)
assert check_proposition(world, "The conversation is about buildings.", last_n=5) in (True, False)

randomizer = ABRandomizer()
a, b = randomizer.randomize(0, "control text", "treatment text")
assert randomizer.derandomize(0, a, b) == ("control text", "treatment text")
assert randomizer.derandomize_name(0, "A") in ("control", "treatment")

tester = StatisticalTester({"liking": [5.0, 6.0, 5.5, 6.5, 5.2]},
                           {"new ad": {"liking": [6.8, 7.2, 6.9, 7.5, 7.1]}})
results = tester.run_test("welch_t_test")
assert "new ad" in results
print("validation and experiments: ok")
