"""Actions: the value object, the built-in action types, and the shape of one turn's reply.

A turn is one structured LLM call whose reply is::

    {"actions": [{"type": "TALK", "content": "...", "target": "Bob"}, ..., {"type": "DONE", ...}],
     "cognitive_state": {"goals": "...", "context": "...", "attention": "...", "emotions": "..."}}

The schema sent to the model (:func:`turn_schema`) has enums for the action types and the
reachable targets and bounded lengths for free text, so small models stay valid; it is built
once per shape (action types, targets, bounds) and shared, read-only, by every turn of that shape.
``DONE`` is left out of the schema's enum (the turn ends where the list ends, and ``DONE`` is
appended): offered ``DONE``, SmolLM2-135M answers every turn with it and says nothing. A reply
that does contain ``DONE`` is still valid.
The pydantic model that validates the reply (:func:`turn_model`) is lenient: an action type
the schema did not offer (a model that ignores the enum) is kept, stored and shown as the
original does, as long as it is a word; a legacy single-action reply
(``{"action": {...}, "cognitive_state": {...}}``) is read as a one-action turn.
:mod:`tinytroupe.agent.turn` trims and guards what comes back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tinytroupe.errors import SpecificationError

__all__ = [
    "Action",
    "ActionDefinition",
    "BUILTIN_ACTIONS",
    "BUILTIN_CONSTRAINTS",
    "CognitiveState",
    "COGNITIVE_FIELDS",
    "turn_model",
    "TurnModel",
    "turn_schema",
    "CONTENT_MAX_LENGTH",
    "COGNITIVE_MAX_LENGTH",
]

CONTENT_MAX_LENGTH = 600
COGNITIVE_MAX_LENGTH = 200
COGNITIVE_FIELDS: tuple[str, ...] = ("goals", "context", "attention", "emotions")


@dataclass(frozen=True)
class Action:
    """One thing an agent does: a type (``TALK``, ``THINK``...), its content and a target name."""

    type: str
    content: str = ""
    target: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.type, str) or not self.type.strip():
            raise SpecificationError(f"action type must be a non-empty string, got {self.type!r}.")
        object.__setattr__(self, "type", self.type.strip().upper())
        object.__setattr__(self, "content", "" if self.content is None else str(self.content))
        object.__setattr__(self, "target", "" if self.target is None else str(self.target))

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "content": self.content, "target": self.target}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Action:
        return cls(type=d.get("type", ""), content=d.get("content", ""), target=d.get("target", ""))


@dataclass(frozen=True)
class ActionDefinition:
    """What an action type means, told to the model in the prompt.

    ``max_content_length`` is for faculty actions whose content is long (a document): while
    the action is offered, the turn's content bound is raised to it.
    """

    type: str
    description: str
    max_content_length: int | None = None


BUILTIN_ACTIONS: tuple[ActionDefinition, ...] = (
    ActionDefinition("TALK", "say something out loud to the agent named in target (content: your words)."),
    ActionDefinition("THINK", "think to yourself; nobody else perceives it (content: the thought)."),
    ActionDefinition("REACH_OUT", "ask to get in touch with the agent named in target (content: why)."),
    ActionDefinition("DONE", "you have nothing more to do until something new happens; always last."),
)

BUILTIN_CONSTRAINTS: tuple[str, ...] = (
    "Stay in character: speak and think as your persona would, in its style.",
    "Usually THINK before you TALK; answer people who spoke to you.",
    "Never repeat an action you just did; say new things or stop.",
    "List only what you do now; your turn ends after your last action (none if you just wait).",
)


class CognitiveState(BaseModel):
    """The agent's own account of its mind after a turn."""

    model_config = ConfigDict(extra="ignore")

    goals: str = ""
    context: str = ""
    attention: str = ""
    emotions: str = ""

    @field_validator("goals", "context", "attention", "emotions", mode="before")
    @classmethod
    def _as_text(cls, v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, list):
            return "; ".join(str(x) for x in v)
        return str(v)


class _ActionReply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str
    content: str = ""
    target: str = ""

    @field_validator("content", "target", mode="before")
    @classmethod
    def _as_text(cls, v: Any) -> str:
        return "" if v is None else str(v)

    @field_validator("type", mode="before")
    @classmethod
    def _normal_type(cls, v: Any) -> Any:
        if not isinstance(v, str):
            return v
        word = re.sub(r"[\s-]+", "_", v.strip().upper())
        if not _ACTION_TYPE.fullmatch(word):
            raise ValueError(f"action type {v!r} is not an action type word such as TALK or THINK")
        return word


_ACTION_TYPE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")


class TurnModel(BaseModel):
    """A turn's reply: actions (any action-type word) and the cognitive state."""

    model_config = ConfigDict(extra="ignore")

    actions: list[_ActionReply] = Field(default_factory=list)
    cognitive_state: CognitiveState = Field(default_factory=CognitiveState)

    @model_validator(mode="before")
    @classmethod
    def _legacy_single_action(cls, value: Any) -> Any:
        if isinstance(value, dict) and "actions" not in value and isinstance(value.get("action"), dict):
            value = {**value, "actions": [value["action"]]}
        return value


def turn_model(action_types: tuple[str, ...] = ()) -> type[BaseModel]:
    """The pydantic model validating a turn's reply.

    ``action_types`` are the types offered in the schema; others are accepted too (stored
    and shown), so the model does not depend on them.
    """
    return TurnModel


def turn_schema(action_types: tuple[str, ...], targets: tuple[str, ...], max_actions: int, *,
                content_max: int = CONTENT_MAX_LENGTH, cognitive_max: int = COGNITIVE_MAX_LENGTH) -> dict[str, Any]:
    """The tight JSON schema sent to the model for one turn (``DONE`` is never offered).

    Small local models get lower bounds (see ``turn.decide``): their replies are the slow part.
    The schema is built once per shape and shared: treat it as read-only (copy it to change it).
    """
    return _turn_schema(tuple(action_types), tuple(targets), max_actions, content_max, cognitive_max)


@lru_cache(maxsize=512)
def _turn_schema(action_types: tuple[str, ...], targets: tuple[str, ...], max_actions: int, content_max: int,
                 cognitive_max: int) -> dict[str, Any]:
    action_types = tuple(t for t in action_types if t != "DONE")
    text = {"type": "string", "maxLength": cognitive_max}
    action = {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": list(action_types)},
            "content": {"type": "string", "maxLength": content_max},
            "target": {"type": "string", "enum": [*targets, ""] if "" not in targets else list(targets)},
        },
        "required": ["type", "content", "target"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "actions": {"type": "array", "items": action, "minItems": 0, "maxItems": max_actions},
            "cognitive_state": {
                "type": "object",
                "properties": {name: dict(text) for name in COGNITIVE_FIELDS},
                "required": list(COGNITIVE_FIELDS),
                "additionalProperties": False,
            },
        },
        "required": ["actions", "cognitive_state"],
        "additionalProperties": False,
    }
