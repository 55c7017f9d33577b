"""Shared helpers for the factory tests: sample file paths and scripted persona responders."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest

from tinytroupe.factory.persona_schema import persona_schema
from tinytroupe.llm.base import ChatRequest
from tinytroupe.testing.schema_sample import sample_from_schema

COMPAT = Path(__file__).resolve().parents[3].parent / "shared" / "compat" / "tinytroupe-0.6.0"
POPULATIONS = COMPAT / "populations"

FIRST = ("Ana", "Bruno", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
         "Kofi", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara",
         "Umar", "Vera", "Wim", "Xenia", "Yusuf", "Zoe", "Aiko", "Bela", "Cyril", "Dalia")
LAST = ("Reed", "Stone", "Park", "Lopez", "Kim", "Diaz", "Okafor", "Cole", "Silva", "Novak",
        "Berg", "Costa", "Hale", "Ito", "Jensen", "Khan", "Moreau", "Nash", "Ortiz", "Weber",
        "Abe", "Baker", "Chen", "Dube", "Eze", "Fox", "Gill", "Haas", "Iqbal", "Joshi")


def population_file(name: str) -> Path:
    """A sample demography file, or skip when the compat files are not checked out."""
    path = POPULATIONS / name
    if not path.is_file():
        pytest.skip(f"sample population {path} is not available")
    return path


_TEMPLATE = sample_from_schema(persona_schema(), random.Random(0))
_TITLES = ("Nurse", "Baker", "Teacher", "Electrician", "Accountant", "Farmer", "Chef", "Pharmacist",
           "Designer", "Driver", "Librarian", "Mechanic", "Engineer", "Cashier", "Lawyer", "Plumber")
_PLACES = ("Lisbon", "Porto", "Austin", "Leeds", "Osaka", "Lagos", "Quito", "Graz", "Tampere", "Perth",
           "Cork", "Dakar", "Hanoi", "Bergen", "Recife", "Tucson")
_FIXED = ("age", "gender", "nationality", "residence", "education")


def persona_reply(request: ChatRequest, **overrides: Any) -> dict[str, Any]:
    """A schema-valid persona derived from the request's seed, with a name from small pools.

    The pools hold 900 names, so large batches collide on purpose. Values the schema fixes
    (one-value enums) are honoured, as a grammar-constrained model would.
    """
    rng = random.Random(request.seed)
    props = request.response_format.json_schema["properties"]
    value = copy.deepcopy(_TEMPLATE)
    value["name"] = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    value["age"] = rng.randint(18, 90)
    value["residence"] = rng.choice(_PLACES)
    value["occupation"]["title"] = rng.choice(_TITLES)
    for key in _FIXED:
        if "enum" in props[key]:
            value[key] = props[key]["enum"][0]
    title = props["occupation"]["properties"]["title"]
    if "enum" in title:
        value["occupation"]["title"] = title["enum"][0]
    value.update(overrides)
    return value


def persona_responder(**overrides: Any):
    """A ScriptedModel responder answering every persona request with :func:`persona_reply`."""
    return lambda request: persona_reply(request, **overrides)


def user_prompt(request: ChatRequest) -> str:
    """The user message of a request."""
    return next(m.content for m in request.messages if m.role == "user")
