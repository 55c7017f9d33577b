"""A social network: a rumour spreads only between people who are related.

    python examples/social_network.py

Amara (bakery owner) and Tomasz (bus driver) are neighbours; Amara knows Lisa, a regular
customer; Lisa and Oscar are old friends; Marcos knows nobody here. After a few steps we
count who has heard about the bakery.
"""

from __future__ import annotations

import os
from pathlib import Path

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinySocialNetwork
from tinytroupe.examples import load_example_agent
from tinytroupe.llm.base import LLMModel

HERE = Path(__file__).parent
NEWS = "The bakery on Kirkgate may close at the end of the year because the rent is doubling."


def make_network() -> TinySocialNetwork:
    """Five people and the relations between them."""
    amara = TinyPerson.load_specification(HERE / "agents" / "amara.agent.json", auto_rename=True)
    tomasz = TinyPerson.load_specification(HERE / "agents" / "tomasz.agent.json", auto_rename=True)
    lisa, oscar, marcos = (load_example_agent(n, auto_rename=True) for n in ("lisa", "oscar", "marcos"))
    net = TinySocialNetwork("Kirkgate", agents=[marcos], seed=8)
    net.add_relation(amara, tomasz, "neighbours")
    net.add_relation(amara, lisa, "regular customer")
    net.add_relation(lisa, oscar, "old friends")
    return net


def heard_the_news(person: TinyPerson) -> bool:
    """Whether someone else told ``person`` anything about the bakery."""
    return any(e.role == "stimulus" and e.type == "CONVERSATION" and e.source and "bakery" in e.content.lower()
               for e in person.episodic_memory.retrieve_all())


def main(steps: int | None = None, model: LLMModel | None = None) -> dict[str, bool]:
    """Run ``steps`` steps (default 3); returns {name: heard about the bakery from someone}."""
    if model is not None:
        llm.set_default_model(model)
    steps = steps or int(os.environ.get("TINYTROUPE_EXAMPLE_STEPS", "3"))
    net = make_network()
    amara = net.get_agent_by_name("Amara")
    amara.think(NEWS)
    amara.internalize_goal("Tell the people you know about the bakery and ask them for ideas to save it.")
    net.run(steps)
    heard = {agent.name: heard_the_news(agent) for agent in net.agents}
    for name, yes in heard.items():
        print(f"{name:<8} {'heard about the bakery' if yes else 'has not heard'}")
    return heard


if __name__ == "__main__":
    main()
