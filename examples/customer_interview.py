"""A customer interview: a researcher asks one simulated customer a list of questions.

Run it with the embedded model or any configured provider:

    python examples/customer_interview.py

TINYTROUPE_EXAMPLE_STEPS (or ``main(steps=...)``) sets how many questions are asked.
"""

from __future__ import annotations

import os

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.llm.base import LLMModel

QUESTIONS = [
    "Thanks for your time, Rita. How do you take payments in your shop today?",
    "What annoys you most about the card terminal you have now?",
    "If a new terminal cost 15 euros a month with no fee per payment, would you switch? Why?",
    "What would you need to see before you trust a new payment company?",
]


def make_customer() -> TinyPerson:
    """Rita, who runs a flower shop: the customer being interviewed."""
    rita = TinyPerson("Rita")
    rita.define({
        "age": 52,
        "nationality": "Italian",
        "residence": "Bologna, Italy",
        "occupation": {"title": "Florist", "organization": "her own flower shop near the market",
                       "description": "Rita runs a small flower shop with one part-time helper. She does "
                                      "weddings on weekends and counts every cent of fees."},
        "style": "Chatty, concrete, gives examples from last week; suspicious of contracts.",
        "personality": {"traits": ["Practical", "Loyal to suppliers who treat her well", "Impatient with jargon"]},
        "preferences": {"dislikes": ["Hidden fees", "Long phone queues"], "likes": ["Cash on quiet days"]},
    })
    return rita


def interview(customer: TinyPerson, questions: list[str]) -> list[tuple[str, str]]:
    """Ask each question and collect what the customer said out loud."""
    transcript = []
    for question in questions:
        customer.listen_and_act(question, source="Interviewer")
        answer = customer.pop_actions_and_get_contents_for("TALK", only_last_action=False)
        transcript.append((question, answer or "(no answer)"))
    return transcript


def main(steps: int | None = None, model: LLMModel | None = None) -> list[tuple[str, str]]:
    """Run the interview for ``steps`` questions; returns (question, answer) pairs."""
    if model is not None:
        llm.set_default_model(model)
    steps = steps or int(os.environ.get("TINYTROUPE_EXAMPLE_STEPS", len(QUESTIONS)))
    transcript = interview(make_customer(), QUESTIONS[:steps])
    for question, answer in transcript:
        print(f"Q: {question}\nA: {answer}\n")
    return transcript


if __name__ == "__main__":
    main()
