"""What the model writes for one person: a pydantic output type and a compact JSON schema.

The schema sent to the model is tight (every field required, ``maxLength`` on text,
``minItems``/``maxItems`` on lists, the drawn values as one-value enums) so that even a small
model under a grammar finishes a valid object. Validation is lenient (long text is cut, a
lone string becomes a list, ``"34 years"`` is 34) so a near miss costs no second call.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator

from tinytroupe.errors import SpecificationError

__all__ = ["GeneratedPersona", "persona_schema", "FIXABLE_FIELDS", "MAX_PERSONA_TOKENS", "DETAILS",
           "COMPACT_FIELDS"]

MAX_PERSONA_TOKENS = {"full": 1500, "compact": 600}
"""Reply budget for one persona, per detail level; the schema's limits keep replies under it."""

# name -> (maxLength) for text; lists: name -> (item maxLength, minItems, maxItems)
_TEXT = {
    "name": 60, "gender": 24, "nationality": 40, "residence": 60, "education": 160, "style": 140,
    "health": 120, "title": 60, "organization": 60, "description": 240, "big_five": 60,
    "relationship_name": 40, "relationship_description": 100,
}
_LISTS = {
    "long_term_goals": (100, 1, 2), "traits": (100, 1, 3), "interests": (80, 1, 3),
    "likes": (80, 1, 3), "dislikes": (80, 1, 3), "skills": (80, 1, 3), "beliefs": (100, 1, 3),
    "behaviors": (100, 1, 3), "other_facts": (140, 1, 3), "relationships": (0, 1, 2),
}
_BIG_FIVE = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")

DETAILS = ("full", "compact")
COMPACT_FIELDS = (
    "name", "age", "gender", "nationality", "residence", "education", "occupation", "style",
    "personality.traits", "preferences.interests", "skills",
)
"""The fields a compact persona asks for; the rest stay empty."""
_COMPACT_TEXT = {"occupation.description": 120, "education": 80, "style": 80}

FIXABLE_FIELDS = ("age", "gender", "nationality", "residence", "education", "occupation.title")
"""Persona fields whose drawn value is also imposed in the schema (as a one-value enum)."""


def _text(limit: int):
    def clean(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, (list, tuple)):
            value = "; ".join(str(v) for v in value)
        text = " ".join(str(value).split())
        return text[:limit].rstrip()
    return BeforeValidator(clean)


def _items(limit: int, most: int):
    def clean(value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        out = [" ".join(str(v).split())[:limit].rstrip() for v in value if v not in (None, "")]
        return [v for v in out if v][: most * 2]
    return BeforeValidator(clean)


def _list(name: str) -> Any:
    limit, _least, most = _LISTS[name]
    return Annotated[list[str], _items(limit, most)]


def _str(name: str) -> Any:
    return Annotated[str, _text(_TEXT[name])]


NameText, GenderText, NationalityText = _str("name"), _str("gender"), _str("nationality")
ResidenceText, EducationText, StyleText = _str("residence"), _str("education"), _str("style")
HealthText, TitleText, OrganizationText = _str("health"), _str("title"), _str("organization")
DescriptionText, BigFiveText = _str("description"), _str("big_five")
RelationNameText, RelationText = _str("relationship_name"), _str("relationship_description")
GoalList, TraitList, InterestList = _list("long_term_goals"), _list("traits"), _list("interests")
LikeList, DislikeList, SkillList = _list("likes"), _list("dislikes"), _list("skills")
BeliefList, BehaviorList, FactList = _list("beliefs"), _list("behaviors"), _list("other_facts")


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GeneratedOccupation(_Lenient):
    title: TitleText = ""
    organization: OrganizationText = ""
    description: DescriptionText = ""


class GeneratedBigFive(_Lenient):
    openness: BigFiveText = ""
    conscientiousness: BigFiveText = ""
    extraversion: BigFiveText = ""
    agreeableness: BigFiveText = ""
    neuroticism: BigFiveText = ""


class GeneratedPersonality(_Lenient):
    traits: TraitList = []
    big_five: GeneratedBigFive = GeneratedBigFive()


class GeneratedPreferences(_Lenient):
    interests: InterestList = []
    likes: LikeList = []
    dislikes: DislikeList = []


class GeneratedRelationship(_Lenient):
    name: RelationNameText = ""
    description: RelationText = ""


class GeneratedPersona(_Lenient):
    """One generated person, in the fields of the agent JSON format."""

    name: NameText
    age: int
    gender: GenderText = ""
    nationality: NationalityText = ""
    residence: ResidenceText = ""
    education: EducationText = ""
    long_term_goals: GoalList = []
    occupation: GeneratedOccupation = GeneratedOccupation()
    style: StyleText = ""
    personality: GeneratedPersonality = GeneratedPersonality()
    preferences: GeneratedPreferences = GeneratedPreferences()
    skills: SkillList = []
    beliefs: BeliefList = []
    behaviors: BehaviorList = []
    health: HealthText = ""
    relationships: list[GeneratedRelationship] = []
    other_facts: FactList = []

    @field_validator("name")
    @classmethod
    def _real_name(cls, value: str) -> str:
        value = value.strip(" \"'.,;:")
        if not re.search(r"\w", value):
            raise ValueError("the name must be a person's name, e.g. 'Ana Ribeiro'")
        return value

    @field_validator("age", mode="before")
    @classmethod
    def _whole_years(cls, value: Any) -> Any:
        if isinstance(value, str) and (m := re.search(r"\d{1,3}", value)):
            return int(m.group(0))
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    @field_validator("age")
    @classmethod
    def _plausible_age(cls, value: int) -> int:
        if not 0 <= value <= 120:
            raise ValueError("age must be a whole number of years between 0 and 120")
        return value

    @field_validator("relationships", mode="before")
    @classmethod
    def _relationship_list(cls, value: Any) -> Any:
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        return [{"name": v} if isinstance(v, str) else v for v in items][:4]

    def to_persona(self) -> dict[str, Any]:
        """The persona dict in the agent JSON format (``behaviors`` under ``general``).

        Fields the model left empty are left out, so a compact persona carries no blanks.
        """
        data = self.model_dump()
        data["behaviors"] = {"general": data.pop("behaviors")}
        data["relationships"] = [r for r in data["relationships"] if r.get("name")]
        return _pruned(data)


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ("", [], {}, None)}
    if isinstance(value, list):
        return [_pruned(v) for v in value if v not in ("", [], {}, None)]
    return value


def _text_schema(limit: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": limit}


def _list_schema(name: str) -> dict[str, Any]:
    limit, least, most = _LISTS[name]
    return {"type": "array", "items": _text_schema(limit), "minItems": least, "maxItems": most}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


def persona_schema(fixed: Mapping[str, Any] | None = None, detail: str = "full") -> dict[str, Any]:
    """The schema sent to the model; ``fixed`` values (see FIXABLE_FIELDS) become enums.

    ``detail="compact"`` asks for the fields of COMPACT_FIELDS only, one item per list and
    shorter texts: a few hundred tokens, for small local models. Built once per distinct
    set of fixed values; treat the returned dict as read-only.
    """
    if detail not in DETAILS:
        raise SpecificationError(f"persona detail must be one of {', '.join(DETAILS)}, got {detail!r}.")
    items = tuple(sorted((k, v) for k, v in (fixed or {}).items() if k in FIXABLE_FIELDS))
    try:
        return _cached_schema(items, detail)
    except TypeError:  # an unhashable fixed value
        return _finish(_build_schema(dict(items)), detail)


@functools.lru_cache(maxsize=2048)
def _cached_schema(items: tuple[tuple[str, Any], ...], detail: str) -> dict[str, Any]:
    return _finish(_build_schema(dict(items)), detail)


def _finish(schema: dict[str, Any], detail: str) -> dict[str, Any]:
    return _compact(schema, "") if detail == "compact" else schema


def _compact(node: dict[str, Any], path: str) -> dict[str, Any]:
    """The compact form of a schema node: pruned to COMPACT_FIELDS, one item, short text."""
    node = dict(node)
    if node.get("type") == "object" and "properties" in node:
        props = {k: _compact(v, f"{path}.{k}".lstrip(".")) for k, v in node["properties"].items()
                 if _kept(f"{path}.{k}".lstrip("."))}
        node.update(properties=props, required=list(props))
    elif node.get("type") == "array":
        node.update(items=_compact(node["items"], path), minItems=1, maxItems=1)
    elif node.get("type") == "string" and "maxLength" in node:
        node["maxLength"] = min(node["maxLength"], _COMPACT_TEXT.get(path, 60))
    return node


def _kept(path: str) -> bool:
    return any(path == f or path.startswith(f + ".") or f.startswith(path + ".") for f in COMPACT_FIELDS)


def _build_schema(fixed: dict[str, Any]) -> dict[str, Any]:

    def text(name: str, path: str | None = None) -> dict[str, Any]:
        path = path or name
        if path in fixed:
            return {"type": "string", "enum": [str(fixed[path])]}
        return _text_schema(_TEXT[name])

    age: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 110}
    if isinstance(fixed.get("age"), int):
        age = {"type": "integer", "enum": [fixed["age"]]}
    relationship = _object({"name": text("relationship_name"),
                            "description": text("relationship_description")})
    _, least, most = _LISTS["relationships"]
    return _object({
        "name": text("name"),
        "age": age,
        "gender": text("gender"),
        "nationality": text("nationality"),
        "residence": text("residence"),
        "education": text("education"),
        "long_term_goals": _list_schema("long_term_goals"),
        "occupation": _object({"title": text("title", "occupation.title"),
                               "organization": text("organization"),
                               "description": text("description")}),
        "style": text("style"),
        "personality": _object({"traits": _list_schema("traits"),
                                "big_five": _object({k: text("big_five") for k in _BIG_FIVE})}),
        "preferences": _object({k: _list_schema(k) for k in ("interests", "likes", "dislikes")}),
        "skills": _list_schema("skills"),
        "beliefs": _list_schema("beliefs"),
        "behaviors": _list_schema("behaviors"),
        "health": text("health"),
        "relationships": {"type": "array", "items": relationship, "minItems": least, "maxItems": most},
        "other_facts": _list_schema("other_facts"),
    })
