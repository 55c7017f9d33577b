"""A story steers a world: a narrator writes the plot from what happened, and the people hear it.

    python examples/story_steering.py

Each step, TinyStory writes the next section from the world's recent trajectory and the story
so far (within a word budget); the section is broadcast to everyone, then the world runs a step.
"""

from __future__ import annotations

import os

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.llm.base import LLMModel
from tinytroupe.steering import TinyStory


def make_world() -> TinyWorld:
    """Two neighbours in a small block of flats."""
    ines = TinyPerson("Ines").define({"age": 67, "occupation": {"title": "Retired teacher"},
                                      "style": "Warm, curious, a little nosy."})
    omar = TinyPerson("Omar").define({"age": 29, "occupation": {"title": "Night-shift nurse"},
                                      "style": "Tired, kind, dry humour."})
    world = TinyWorld("Block of flats", [ines, omar], seed=7)
    world.make_everyone_accessible()
    return world


def main(steps: int | None = None, model: LLMModel | None = None) -> TinyStory:
    """Run ``steps`` steps (default 3), each opened by a section of the story; returns the story."""
    if model is not None:
        llm.set_default_model(model)
    steps = steps or int(os.environ.get("TINYTROUPE_EXAMPLE_STEPS", 3))
    world = make_world()
    story = TinyStory(world, purpose="A believable week in a small block of flats.",
                      context="It is Monday evening; the lift has been broken since morning.")
    for step in range(steps):
        if step == 0:
            story.start_story("Start with the broken lift bringing the neighbours together.", number_of_words=60)
        else:
            story.continue_story(number_of_words=50, include_plot_twist=(step == steps - 1))
        story.broadcast()
        world.run(1)
    print(story.current_story)
    return story


if __name__ == "__main__":
    main()
