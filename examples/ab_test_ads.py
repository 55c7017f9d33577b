"""An A/B test of two ad texts, with statistics: two arms x three seeds, run concurrently.

    python examples/ab_test_ads.py

Ten people start in one world; the experiment runner forks it once per arm and seed, shows
each fork its ad, lets people talk about it for a step, and asks each of them how likely
they are to buy. The comparison table gives each arm's mean and the difference with Welch's
t-test; ``state_path`` makes the experiment resumable (run it again after a Ctrl-C and only
unfinished runs are repeated).
"""

from __future__ import annotations

import os

from tinytroupe import llm
from tinytroupe.cli.extras import exit_unless_installed
from tinytroupe.environment import TinyWorld
from tinytroupe.examples import list_example_agents, load_example_agent
from tinytroupe.experimentation import Arm, ExperimentRunner
from tinytroupe.experimentation.runner import survey_metric
from tinytroupe.llm.base import LLMModel
from tinytroupe.survey import LikertQuestion

AD_A = "Gazpacho, cold tomato soup in a 500 ml bottle. 3.50 at your supermarket."
AD_B = "Summer in a bottle: ripe tomatoes, cucumber and olive oil, blended this morning. 3.50."
QUESTION = LikertQuestion(name="buy", text="How likely are you to buy this gazpacho in the next month?",
                          labels=["certainly not", "probably not", "maybe", "probably", "certainly"])


def show(ad: str):
    def apply(world: TinyWorld) -> None:
        world.broadcast(f"Here is an ad we would like your opinion on: {ad}")

    return apply


def main(steps: int | None = None, model: LLMModel | None = None, state_path: str | None = None):
    """Run the test with ``steps`` simulation steps per run; returns the experiment result."""
    exit_unless_installed("analysis", "examples/ab_test_ads.py (Welch's t-test)", ("scipy",))
    if model is not None:
        llm.set_default_model(model)
    steps = steps or int(os.environ.get("TINYTROUPE_EXAMPLE_STEPS", 1))
    names = list_example_agents()
    people = [load_example_agent(names[i % len(names)], auto_rename=True) for i in range(10)]
    world = TinyWorld("Panel", people)
    world.make_everyone_accessible()
    runner = ExperimentRunner("gazpacho ads", world, [Arm("plain", show(AD_A)), Arm("summer", show(AD_B))],
                              {"buy": survey_metric(QUESTION)}, steps=steps, seeds=[1, 2, 3],
                              state_path=state_path)
    result = runner.run()
    print(result.comparison_table())
    stat = result.statistics["summer"]["buy"]
    print(f"\nsummer vs plain: difference {stat['mean_difference']:+.2f}, 95% CI "
          f"{stat['confidence_interval'][0]:+.2f} to {stat['confidence_interval'][1]:+.2f}, "
          f"p = {stat['p_value']:.3f}, Cohen's d = {stat['effect_size']:.2f}")
    return result


if __name__ == "__main__":
    main()
