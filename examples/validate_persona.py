"""Validating a generated persona: generate a person, interview it, score it against expectations.

    python examples/validate_persona.py

The factory writes a persona from a short description; TinyPersonValidator then interviews a
fork of that person (who they are, then what they would do in hard situations) and scores
how well the answers match what we expected. A proposition from the library checks persona
adherence on the interview-free trajectory too. The judge can be another model family than
the simulated people: pass ``judge=`` or call ``set_default_judge``.
"""

from __future__ import annotations

import os

from tinytroupe import llm
from tinytroupe.factory import TinyPersonFactory
from tinytroupe.llm.base import LLMModel
from tinytroupe.validation import TinyPersonValidator, propositions

DESCRIPTION = "A hospital nurse in her fifties from Porto, practical and warm, who distrusts fad diets."
EXPECTATIONS = """
- works as a nurse and talks about shifts, patients and colleagues in concrete terms;
- is practical and warm, not preachy;
- is sceptical of fad diets and health trends, and says why from experience.
"""


def main(steps: int | None = None, model: LLMModel | None = None) -> tuple[float | None, str]:
    """Generate one person and validate them with at most ``steps`` interview rounds; returns (score, why)."""
    if model is not None:
        llm.set_default_model(model)
    rounds = steps or int(os.environ.get("TINYTROUPE_EXAMPLE_STEPS", 3))
    factory = TinyPersonFactory(context="a study of health-care workers", sampling_space_description=DESCRIPTION)
    person = factory.generate_person()
    if person is None:
        print("The model gave no usable persona; try a stronger model.")
        return None, "no persona"
    print(f"Generated: {person.minibio()}")
    person.listen("What do you think of the new juice cleanse everyone talks about?")
    person.act()
    adherence = propositions.persona_adherence.copy()
    print(f"Persona adherence of what they said (0-9): {adherence.score(target=person)} - {adherence.justification}")
    score, justification = TinyPersonValidator.validate_person(person, expectations=EXPECTATIONS, max_rounds=rounds)
    print(f"Validation score (0-1): {score}")
    print(f"Why: {justification}")
    return score, justification


if __name__ == "__main__":
    main()
