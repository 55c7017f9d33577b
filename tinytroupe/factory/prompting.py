"""The messages that ask the model to write one person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tinytroupe.factory.persona_schema import FIXABLE_FIELDS
from tinytroupe.factory.population import Dimension
from tinytroupe.factory.sampler import RANGE_SUFFIX
from tinytroupe.llm.base import Message

__all__ = ["PersonRequest", "person_messages", "MAX_AVOID_NAMES"]

MAX_AVOID_NAMES = 40
"""At most this many taken names are listed in a prompt (the most recent ones)."""

_SYSTEM = (
    "You write personas of individual people for a social simulation used in market research "
    "and product studies. Each persona is one specific, believable person: a full name that "
    "fits their background, a concrete occupation and organization, a place of residence, "
    "and personality, tastes, skills, beliefs, habits, health and relationships that fit "
    "together and fit the characteristics you are given. Avoid stereotypes and celebrities. "
    "Write descriptions, traits, goals and facts addressed to the person (\"You ...\"). Keep "
    "every text short and concrete. Reply with the JSON object only."
)


@dataclass
class PersonRequest:
    """Everything the prompt for one person depends on."""

    characteristics: dict[str, Any]
    context: str | None = None
    population: str | None = None
    particularities: str | None = None
    avoid_names: Sequence[str] = ()
    problem: str | None = None
    dimensions: Sequence[Dimension] = field(default_factory=list)


def _name_of(dim: Dimension) -> str:
    if dim.field in FIXABLE_FIELDS:
        return dim.field.replace(".", " ")
    return dim.label.split(" > ")[-1]


def _characteristic_lines(request: PersonRequest) -> list[str]:
    lines = []
    for dim in request.dimensions:
        if dim.key not in request.characteristics:
            continue
        value = request.characteristics[dim.key]
        band = request.characteristics.get(dim.key + RANGE_SUFFIX)
        shown = f"{value} (in the {band} band)" if band is not None else str(value)
        lines.append(f"- {_name_of(dim)}: {shown}")
    return lines


def person_messages(request: PersonRequest) -> list[Message]:
    """The system and user messages for one person (a retry adds what went wrong)."""
    parts: list[str] = []
    if request.context:
        parts.append(f"Context:\n{request.context.strip()}")
    if request.population:
        parts.append(f"The population this person belongs to:\n{request.population.strip()}")
    lines = _characteristic_lines(request)
    if lines:
        parts.append("This person has exactly these characteristics; keep them as given:\n"
                     + "\n".join(lines))
    if request.particularities:
        parts.append(f"Particularities of this person:\n{request.particularities.strip()}")
    if request.avoid_names:
        names = list(request.avoid_names)[-MAX_AVOID_NAMES:]
        parts.append("These names are already used by other people; choose a different name: "
                     + ", ".join(names) + ".")
    if request.problem:
        parts.append(f"Important: {request.problem}")
    if not parts:
        parts.append("Write a persona of a person from any walk of life.")
    parts.append("Write the persona now.")
    return [Message(role="system", content=_SYSTEM), Message(role="user", content="\n\n".join(parts))]
