"""Choosing the best of three ads: each persona sees three ads and picks one, with a reason.

    python examples/ad_choice.py

Each person's answer is free speech; a second, structured model call turns it into a choice
(A, B or C) that can be counted.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Literal

from pydantic import BaseModel, Field

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.examples import list_example_agents, load_example_agent
from tinytroupe.llm.base import LLMModel, Message

ADS = {
    "A": "TrailBrew: camping coffee that tastes like your favourite cafe. 10 sachets, 6 euros.",
    "B": "Wake up the mountain. TrailBrew instant espresso, made by climbers for climbers.",
    "C": "No kettle? No problem. TrailBrew dissolves in cold water in ten seconds.",
}
QUESTION = "Which of the three ads (A, B or C) would most make you buy the product? Say which and why."


class AdChoice(BaseModel):
    """The ad a person chose, read from what they said."""

    choice: Literal["A", "B", "C"]
    reason: str = Field(max_length=200)


def show_ads(person: TinyPerson) -> str:
    """Show the ads, ask the question, return what the person said."""
    person.see("\n".join(f"Ad {key}: {text}" for key, text in ADS.items()))
    person.listen_and_act(QUESTION, source="Researcher")
    return person.pop_actions_and_get_contents_for("TALK", only_last_action=False)


def read_choice(answer: str) -> AdChoice:
    """Turn a free answer into an AdChoice with one structured call."""
    messages = [Message(role="system", content="You read survey answers and record which ad was chosen."),
                Message(role="user", content=f"Ads: {ADS}\nAnswer: {answer or '(no answer)'}\n"
                                             "Which ad did this person choose, and why (one sentence)?")]
    return llm.generate(llm.default_model(), messages, AdChoice, temperature=0.0).value


def main(steps: int | None = None, model: LLMModel | None = None) -> Counter:
    """Ask ``steps`` people (the shipped examples, in order); returns the votes per ad."""
    if model is not None:
        llm.set_default_model(model)
    names = list_example_agents()
    steps = steps or int(os.environ.get("TINYTROUPE_EXAMPLE_STEPS", len(names)))
    votes: Counter = Counter()
    for name in names[:steps]:
        person = load_example_agent(name, auto_rename=True)
        choice = read_choice(show_ads(person))
        votes[choice.choice] += 1
        print(f"{person.name} chose ad {choice.choice}: {choice.reason}")
    best, count = votes.most_common(1)[0]
    print(f"\nBest ad: {best} ({count} of {sum(votes.values())} votes) - {ADS[best]}")
    return votes


if __name__ == "__main__":
    main()
