"""Turning a free-text population description into dimensions, with one model call.

The model proposes the characteristics that matter and their shares; the shares are then
checked and normalized here, and every later draw is made in Python with the factory's RNG.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tinytroupe import contracts, events
from tinytroupe.errors import SpecificationError
from tinytroupe.factory.population import RESERVED_KEYS, Dimension, snake_key
from tinytroupe.llm import agenerate
from tinytroupe.llm.base import LLMModel, Message

__all__ = ["ProposedSamplingSpace", "propose_dimensions", "proposal_schema", "MAX_DIMENSIONS"]

MAX_DIMENSIONS = 8
MAX_VALUES = 12


class ProposedValue(BaseModel):
    """One value of a proposed dimension and its share of the population (any scale)."""

    model_config = ConfigDict(extra="ignore")
    value: str
    weight: float = Field(ge=0)


class ProposedDimension(BaseModel):
    """A characteristic the model thinks the population varies on."""

    model_config = ConfigDict(extra="ignore")
    name: str
    values: list[ProposedValue]


class ProposedSamplingSpace(BaseModel):
    """The model's proposal: dimensions with shares."""

    model_config = ConfigDict(extra="ignore")
    dimensions: list[ProposedDimension]


def proposal_schema() -> dict[str, Any]:
    """The compact schema sent with the proposal request."""
    value = {"type": "object", "additionalProperties": False, "required": ["value", "weight"],
             "properties": {"value": {"type": "string", "minLength": 1, "maxLength": 60},
                            "weight": {"type": "number", "minimum": 0, "maximum": 100}}}
    dim = {"type": "object", "additionalProperties": False, "required": ["name", "values"],
           "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 40},
                          "values": {"type": "array", "items": value, "minItems": 2,
                                     "maxItems": MAX_VALUES}}}
    return {"type": "object", "additionalProperties": False, "required": ["dimensions"],
            "properties": {"dimensions": {"type": "array", "items": dim, "minItems": 1,
                                          "maxItems": MAX_DIMENSIONS}}}


_INSTRUCTIONS = (
    "You design sampling plans for synthetic populations. Given a description of the people "
    "to simulate, list the characteristics that matter most for telling them apart (for "
    "example age, gender, occupation, income, attitudes the description mentions) and, for "
    "each, its values with their share of the population in percent. Use realistic shares; "
    "for age use whole-year bands such as \"18-29\" or \"65+\". At most "
    f"{MAX_DIMENSIONS} characteristics and {MAX_VALUES} values each."
)


def _messages(description: str, context: str | None) -> list[Message]:
    user = f"Population to simulate:\n{description.strip()}"
    if context:
        user += f"\n\nBackground:\n{context.strip()}"
    return [Message(role="system", content=_INSTRUCTIONS), Message(role="user", content=user)]


def to_dimensions(proposal: ProposedSamplingSpace) -> list[Dimension]:
    """Usable dimensions from a proposal; unusable ones (no positive share) are left out."""
    dims: list[Dimension] = []
    for item in proposal.dimensions[:MAX_DIMENSIONS]:
        key = snake_key(item.name)
        if key in RESERVED_KEYS:
            key += "_type"
        if key in {d.key for d in dims}:
            continue
        merged: dict[str, float] = {}
        for v in item.values[:MAX_VALUES]:
            label = " ".join(v.value.split())
            if label:
                merged[label] = merged.get(label, 0.0) + v.weight
        if sum(merged.values()) <= 0:
            continue
        dims.append(Dimension(key=key, values=tuple(merged), weights=tuple(merged.values()),
                              label=item.name.strip(), note="proposed by the model"))
    return dims


async def propose_dimensions(model: LLMModel, description: str, context: str | None = None,
                             *, seed: int | None = None) -> list[Dimension]:
    """Ask ``model`` once for the dimensions of the population ``description`` describes."""
    result = await agenerate(model, _messages(description, context), ProposedSamplingSpace,
                             schema=proposal_schema(), temperature=0.3, seed=seed,
                             tags={"component": "factory", "task": "sampling_plan", "purpose": "generation"})
    dims = to_dimensions(result.value)
    if not dims:
        raise SpecificationError(
            "the model proposed no usable sampling dimension for sampling_space_description "
            f"{description[:80]!r}; give dimensions={{...}} explicitly or reword the description."
        )
    events.emit(contracts.FactoryPlan([d.to_dict() for d in dims]), source="factory")
    return dims
