"""What the calendar's actions say: their declarations and the checked content of each.

CREATE_EVENT, FIND_EVENTS, LIST_EVENTS and DELETE_EVENT take a JSON object. A field the
action does not know is refused with a :class:`ToolInputError` ("Invalid key ...") naming the
fields it takes, so the agent learns what to write instead of losing the detail silently.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tinytroupe.agent.actions import ActionDefinition
from tinytroupe.llm.json_extract import JSONExtractionError, extract_json
from tinytroupe.tools.tiny_tool import ToolInputError

__all__ = ["EventSpec", "FindSpec", "ListSpec", "DeleteSpec", "CALENDAR_ACTIONS", "parse_calendar_content",
           "parse_event", "EXAMPLE"]

EXAMPLE = ('{"title": "Budget review", "description": "...", "mandatory_attendees": ["Ana"], '
           '"start_time": "2025-03-04 10:00", "end_time": "2025-03-04 11:00"}')


def _names(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else list(value or [])
    return list(dict.fromkeys(str(p).strip() for p in items if str(p).strip()))


class EventSpec(BaseModel):
    """CREATE_EVENT's content (``attendees`` counts as mandatory; ``start``/``end`` as the times)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    date: str = ""
    description: str = ""
    owner: str = ""
    mandatory_attendees: list[str] = Field(default_factory=list)
    optional_attendees: list[str] = Field(default_factory=list)
    start_time: str = ""
    end_time: str = ""

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        data["mandatory_attendees"] = _names([*_names(data.pop("attendees", None)),
                                              *_names(data.get("mandatory_attendees"))])
        data["optional_attendees"] = _names(data.get("optional_attendees"))
        for short, long in (("start", "start_time"), ("end", "end_time")):
            if short in data:
                value = data.pop(short)
                data.setdefault(long, value)
        return data

    @field_validator("title", "date", "description", "owner", "start_time", "end_time", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return "" if v is None else str(v).strip()


class FindSpec(BaseModel):
    """FIND_EVENTS's content: the day, and optionally the hour and minute an event starts at."""

    model_config = ConfigDict(extra="forbid")

    year: int
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    hour: int | None = Field(default=None, ge=0, le=23)
    minute: int | None = Field(default=None, ge=0, le=59)


class ListSpec(BaseModel):
    """LIST_EVENTS's content (optional): how many events to show at most."""

    model_config = ConfigDict(extra="forbid")

    max_results: int | None = Field(default=None, ge=1)


class DeleteSpec(BaseModel):
    """DELETE_EVENT's content: the event's day and title, and its start time when titles repeat."""

    model_config = ConfigDict(extra="forbid")

    date: str = Field(min_length=1)
    title: str = Field(min_length=1)
    start_time: str | None = None


CALENDAR_ACTIONS: dict[str, tuple[type[BaseModel], str]] = {
    "CREATE_EVENT": (EventSpec, "put an event in your calendar and invite people to it. content: a JSON object "
                                "with the fields\n"
                                "  * title (required), description, date (like 2025-03-04)\n"
                                "  * mandatory_attendees, optional_attendees: lists of the names of the people "
                                "you invite\n"
                                "  * start_time, end_time: like 2025-03-04 10:00, or 10:00 with a date\n"
                                f"  for example {EXAMPLE}"),
    "FIND_EVENTS": (FindSpec, 'look up the events of a day. content: a JSON object like {"year": 2025, '
                              '"month": 3, "day": 4}, with "hour" and "minute" to narrow it to a start time.'),
    "LIST_EVENTS": (ListSpec, 'list the events in your calendar, earliest first. content: nothing, or '
                              '{"max_results": 5}.'),
    "DELETE_EVENT": (DeleteSpec, 'remove an event. content: a JSON object like {"date": "2025-03-04", '
                                 '"title": "Budget review"}, with "start_time" when several share the title.'),
}


def action_definitions() -> tuple[ActionDefinition, ...]:
    """The calendar's four actions, as offered to the model."""
    return tuple(ActionDefinition(kind, text) for kind, (_, text) in CALENDAR_ACTIONS.items())


def _fields_of(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def parse_calendar_content(kind: str, content: Any) -> BaseModel:
    """The checked content of a calendar action of type ``kind`` (a JSON text or a dict)."""
    model, _ = CALENDAR_ACTIONS[kind]
    if isinstance(content, dict):
        data = content
    else:
        try:
            data = extract_json(str(content)) if str(content).strip() else {}
        except JSONExtractionError:
            data = None
    if not isinstance(data, dict):
        snippet = " ".join(str(content).split())[:80]
        raise ToolInputError(f"{kind} content must be a JSON object with the fields {', '.join(_fields_of(model))}; "
                             f"got {snippet!r}.")
    aliases = {"attendees", "start", "end"} if model is EventSpec else set()
    unknown = [k for k in data if k not in model.model_fields and k not in aliases]
    if unknown:
        raise ToolInputError(f"Invalid key(s) {', '.join(map(repr, unknown))} in {kind} content; "
                             f"its fields are: {', '.join(_fields_of(model))}.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'content'}: {e['msg']}" for e in exc.errors())
        hint = f" It needs at least a title, for example {EXAMPLE}" if model is EventSpec else ""
        raise ToolInputError(f"{kind} content is not valid: {problems}.{hint}") from None


def parse_event(content: Any) -> EventSpec:
    """CREATE_EVENT's content, checked (a :class:`ToolInputError` says what is wrong)."""
    return parse_calendar_content("CREATE_EVENT", content)  # type: ignore[return-value]
