"""A survey measured against real answers: the whole distribution, not only the mean.

    python examples/survey_reference.py

Each person rates how likely they are to buy a bottled gazpacho (1-5). We compare the
simulated answers with a reference distribution from a (made-up, for the example) human
panel of 50: share of each scale point, sd ratio, KS distance and representativeness, then
the empirical validator's agreement score, which drops when the simulation gets the mean
right but the spread wrong.
"""

from __future__ import annotations

import os

from tinytroupe import llm
from tinytroupe.cli.extras import exit_unless_installed
from tinytroupe.examples import list_example_agents, load_example_agent
from tinytroupe.llm.base import LLMModel
from tinytroupe.survey import LikertQuestion, Survey
from tinytroupe.validation import SimulationExperimentDataset, validate_simulation_experiment_empirically

QUESTION = LikertQuestion(
    name="buy", text="A supermarket sells gazpacho in 500 ml bottles for 3.50. How likely are you to buy one "
                     "this summer?",
    labels=["certainly not", "probably not", "maybe", "probably", "certainly"])
# a human panel of 50 (counts for 1..5): spread out, with people at both ends
HUMAN_COUNTS = {1: 9, 2: 9, 3: 14, 4: 9, 5: 9}
HUMANS = [point for point, n in HUMAN_COUNTS.items() for _ in range(n)]


def main(steps: int | None = None, model: LLMModel | None = None) -> dict:
    """Survey ``steps`` of the shipped example people (all by default); returns the comparison numbers."""
    exit_unless_installed("analysis", "examples/survey_reference.py (the distribution tests)", ("scipy",))
    if model is not None:
        llm.set_default_model(model)
    names = list_example_agents()
    steps = steps or int(os.environ.get("TINYTROUPE_EXAMPLE_STEPS", len(names)))
    people = [load_example_agent(name, auto_rename=True) for name in names[:steps]]
    result = Survey([QUESTION]).run(people)
    for row in result.table():
        print(f"{row['respondent']}: {row['buy']}")
    summary = result.distribution("buy", reference=HUMAN_COUNTS)
    print(summary.to_markdown())
    humans = SimulationExperimentDataset(name="human panel", key_results={"buy": HUMANS})
    simulated = SimulationExperimentDataset(name="simulation", key_results={"buy": result.answers("buy")})
    report = validate_simulation_experiment_empirically(humans, simulated, output_format="report")
    print(report)
    return {"shares": summary.shares, "comparison": summary.comparison.to_dict(), "report": report}


if __name__ == "__main__":
    main()
