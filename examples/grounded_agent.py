"""A grounded agent: an analyst who answers colleagues from the firm's documents.

Lisa has a folder of documents (a quarterly report in Markdown, the travel policy as a web
page saved to HTML; PDF and DOCX work too, with ``pip install "tinytroupe[grounding]"``).
She can LIST_DOCUMENTS and CONSULT them before she answers. Run it with the embedded model
or any configured provider:

    python examples/grounded_agent.py

TINYTROUPE_EXAMPLE_STEPS (or ``main(steps=...)``) sets how many questions are asked.
"""

from __future__ import annotations

import os
from pathlib import Path

from tinytroupe import llm
from tinytroupe.agent import FilesAndWebGroundingFaculty, TinyPerson
from tinytroupe.llm.base import LLMModel

DOCUMENTS = Path(__file__).resolve().parent / "documents"
QUESTIONS = [
    "Lisa, how much revenue did we make in the third quarter, and where did the growth come from?",
    "Can I take a flight to Porto next week without asking anyone?",
    "Which big client did we sign, and which one did we lose?",
]


def make_analyst() -> TinyPerson:
    """Lisa, a financial analyst at ACME who reads before she answers."""
    lisa = TinyPerson("Lisa")
    lisa.define({
        "age": 34,
        "occupation": {"title": "Financial analyst", "organization": "ACME Consulting",
                       "description": "Lisa prepares the quarterly reports and answers colleagues' questions "
                                      "about figures and company rules, always from the documents."},
        "style": "Precise and brief; quotes figures exactly and says where they come from.",
        "personality": {"traits": ["Careful", "Helpful", "Dislikes guessing"]},
    })
    lisa.add_mental_faculty(FilesAndWebGroundingFaculty(folders_paths=[str(DOCUMENTS)]))
    return lisa


def main(steps: int | None = None, model: LLMModel | None = None) -> list[tuple[str, str]]:
    """Ask ``steps`` questions; returns (question, answer) pairs."""
    if model is not None:
        llm.set_default_model(model)
    steps = steps or int(os.environ.get("TINYTROUPE_EXAMPLE_STEPS", len(QUESTIONS)))
    lisa = make_analyst()
    colleague = TinyPerson(TinyPerson.unique_name("Marco"))
    lisa.make_agent_accessible(colleague, "a colleague from sales")
    answers = []
    for question in QUESTIONS[:steps]:
        lisa.listen(question, source=colleague)
        lisa.act()
        answer = lisa.pop_actions_and_get_contents_for("TALK", only_last_action=False) or "(no answer)"
        answers.append((question, answer))
        print(f"Q: {question}\nA: {answer}\n")
    print("Documents Lisa can consult:", ", ".join(lisa.mental_faculties[0].list_sources()))
    return answers


if __name__ == "__main__":
    main()
