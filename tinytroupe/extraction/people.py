"""People as rows: persona attributes read by name, age bands, one flat record per person.

An attribute is a persona key (``nationality``), a dotted path into it (``occupation.title``)
or a derived one: ``age_band`` (``18-24``, ``25-34``, ... ``65+``, from ``age``). An
``occupation`` given as an object reads as its title, so that ``occupation`` groups people
by job. Missing values read as ``None``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["AGE_BANDS", "PEOPLE_COLUMNS", "age_band", "persona_value", "person_record", "personas_of"]

AGE_BANDS = ((0, 17, "under 18"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 44, "35-44"), (45, 54, "45-54"),
             (55, 64, "55-64"), (65, 200, "65+"))
"""The bands of ``age_band``: (lowest age, highest age, label)."""

PEOPLE_COLUMNS = ("name", "age", "age_band", "gender", "nationality", "occupation", "residence", "persona")
"""The columns of the people table, in order (``persona``: the whole persona as JSON)."""


def age_band(age: Any) -> str | None:
    """The band of ``age`` (a number or a numeric text), or None when it is not an age."""
    try:
        years = float(age)
    except (TypeError, ValueError):
        return None
    for low, high, label in AGE_BANDS:
        if low <= years < high + 1:
            return label
    return None


def persona_value(persona: Mapping[str, Any], attribute: str) -> Any:
    """The value of ``attribute`` (a key, a dotted path or ``age_band``) in ``persona``."""
    if attribute == "age_band":
        return age_band(persona.get("age"))
    value: Any = persona
    for part in attribute.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    if attribute == "occupation" and isinstance(value, Mapping):
        return value.get("title")
    return value


def person_record(persona: Mapping[str, Any]) -> dict[str, Any]:
    """One row of the people table (see :data:`PEOPLE_COLUMNS`)."""
    age = persona.get("age")
    row = {column: persona_value(persona, column) for column in PEOPLE_COLUMNS[:-1]}
    row["age"] = int(age) if isinstance(age, (int, float)) and not isinstance(age, bool) else None
    for column in ("name", "gender", "nationality", "occupation", "residence"):
        if row[column] is not None and not isinstance(row[column], str):
            row[column] = json.dumps(row[column], ensure_ascii=False)
    row["persona"] = json.dumps(dict(persona), ensure_ascii=False, sort_keys=True, default=str)
    return row


def personas_of(people: Any) -> list[dict[str, Any]]:
    """The personas of ``people``: a world, agents, or persona dicts (``{"persona": ...}`` agent
    states too)."""
    members: Sequence[Any] = list(getattr(people, "agents", people) or [])
    out = []
    for member in members:
        if isinstance(member, Mapping):
            persona = member.get("persona") if isinstance(member.get("persona"), Mapping) else member
        else:
            persona = getattr(member, "persona", None)
        if isinstance(persona, Mapping):
            out.append(dict(persona))
    return out
