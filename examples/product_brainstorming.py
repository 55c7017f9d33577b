"""A product brainstorming focus group: three personas suggest features for a new product.

    python examples/product_brainstorming.py

The facilitator sets a goal and a question; the group talks for a few steps; then every
idea that was said out loud is listed per person.
"""

from __future__ import annotations

import os
from collections import defaultdict

from tinytroupe import llm
from tinytroupe.environment import TinyWorld
from tinytroupe.examples import (
    create_lisa_the_data_scientist,
    create_marcos_the_physician,
    create_oscar_the_architect,
)
from tinytroupe.llm.base import LLMModel

BRIEF = (
    "We are designing a shared family calendar for households where several generations live "
    "together. What features would make it genuinely useful for you and your family? "
    "Suggest concrete features and build on each other's ideas."
)


def make_group() -> TinyWorld:
    """The focus group: Lisa, Oscar and Marcos in one room."""
    people = [create_lisa_the_data_scientist(auto_rename=True), create_oscar_the_architect(auto_rename=True),
              create_marcos_the_physician(auto_rename=True)]
    return TinyWorld("Brainstorming room", people, seed=21)


def brainstorm(world: TinyWorld, steps: int) -> dict[str, list[str]]:
    """Run the session and return what each person said."""
    world.broadcast_internal_goal("Propose useful, specific product features and react to the others' ideas.")
    world.broadcast(BRIEF)
    history = world.run(steps, return_actions=True) or []
    ideas: dict[str, list[str]] = defaultdict(list)
    for step in history:
        for name, entries in step.items():
            for entry in entries:
                action = entry["action"]
                if action["type"] == "TALK" and action["content"]:
                    ideas[name].append(action["content"])
    return dict(ideas)


def main(steps: int | None = None, model: LLMModel | None = None) -> dict[str, list[str]]:
    """Run the brainstorm for ``steps`` steps; returns {person: [ideas said]}."""
    if model is not None:
        llm.set_default_model(model)
    steps = steps or int(os.environ.get("TINYTROUPE_EXAMPLE_STEPS", "3"))
    ideas = brainstorm(make_group(), steps)
    for name, said in ideas.items():
        print(f"{name}:")
        for line in said:
            print(f"  - {line}")
    return ideas


if __name__ == "__main__":
    main()
