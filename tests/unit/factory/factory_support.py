"""Shared helpers for the factory tests: sample file paths and scripted persona responders."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tinytroupe.llm.base import ChatRequest
from tinytroupe.testing.schema_sample import sample_from_schema

COMPAT = Path(__file__).resolve().parents[3].parent / "shared" / "compat" / "tinytroupe-0.6.0"
POPULATIONS = COMPAT / "populations"

FIRST = ("Ana", "Bruno", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas")
LAST = ("Reed", "Stone", "Park", "Lopez", "Kim", "Diaz", "Okafor", "Cole", "Silva", "Novak")


def population_file(name: str) -> Path:
    """A sample demography file, or skip when the compat files are not checked out."""
    path = POPULATIONS / name
    if not path.is_file():
        pytest.skip(f"sample population {path} is not available")
    return path


def persona_reply(request: ChatRequest, **overrides: Any) -> dict[str, Any]:
    """A schema-valid persona derived from the request's seed, with a name from small pools.

    The pools hold 100 names, so large batches collide on purpose.
    """
    rng = random.Random(request.seed)
    value = sample_from_schema(request.response_format.json_schema, rng)
    value["name"] = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    value.update(overrides)
    return value


def persona_responder(**overrides: Any):
    """A ScriptedModel responder answering every persona request with :func:`persona_reply`."""
    return lambda request: persona_reply(request, **overrides)


def user_prompt(request: ChatRequest) -> str:
    """The user message of a request."""
    return next(m.content for m in request.messages if m.role == "user")
