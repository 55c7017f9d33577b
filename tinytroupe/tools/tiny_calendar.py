"""TinyCalendar: agents keep appointments (CREATE_EVENT) and invite others to them.

An event has a title, a description, attendees, a start and an end. Events are listed in
the owner's situation in the prompt; each attendee found in the agent's world (or among the
people it can reach) receives the invitation as a stimulus, and gets the event in their own
calendar when they have one.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tinytroupe import contracts, events
from tinytroupe.agent.actions import ActionDefinition
from tinytroupe.agent.mental_faculty import FacultyAction
from tinytroupe.llm.json_extract import JSONExtractionError, extract_json
from tinytroupe.tools.tiny_tool import TinyTool, ToolInputError

if TYPE_CHECKING:
    from tinytroupe.contracts import Agent

__all__ = ["TinyCalendar", "EventSpec", "UNDATED", "EVENTS_SHOWN"]

UNDATED = "undated"
EVENTS_SHOWN = 8
EXAMPLE = ('{"title": "Budget review", "description": "...", "attendees": ["Ana"], '
           '"start_time": "2025-03-04 10:00", "end_time": "2025-03-04 11:00"}')


class EventSpec(BaseModel):
    """What CREATE_EVENT asks for (TinyTroupe's mandatory/optional attendee lists are accepted too)."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1)
    description: str = ""
    attendees: list[str] = Field(default_factory=list)
    start_time: str = ""
    end_time: str = ""

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        people = []
        for key in ("attendees", "mandatory_attendees", "optional_attendees"):
            value = data.pop(key, None) or []
            people.extend([value] if isinstance(value, str) else value)
        data["attendees"] = list(dict.fromkeys(str(p).strip() for p in people if str(p).strip()))
        for short, long in (("start", "start_time"), ("end", "end_time")):
            if short in data and long not in data:
                data[long] = data.pop(short)
        return data

    @field_validator("title", "description", "start_time", "end_time", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return "" if v is None else str(v).strip()


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None


def parse_event(content: Any) -> EventSpec:
    """The event an action's content describes, or a :class:`ToolInputError` saying what is wrong."""
    try:
        data = content if isinstance(content, dict) else extract_json(str(content or ""))
        return EventSpec.model_validate(data)
    except (JSONExtractionError, ValidationError):
        snippet = " ".join(str(content or "").split())[:80]
        raise ToolInputError(f"CREATE_EVENT content must be a JSON object with at least a title, like "
                             f"{EXAMPLE}; got {snippet!r}.") from None


class TinyCalendar(TinyTool):
    """A calendar: ``TinyCalendar(owner=None)``; events by date in ``calendar``."""

    def __init__(self, owner: Any = None):
        super().__init__("calendar", "A calendar to keep track of meetings and appointments.", owner=owner,
                         real_world_side_effects=False)
        self.calendar: dict[str, list[dict[str, Any]]] = {}  # "YYYY-MM-DD" (or "undated") -> events

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        return (ActionDefinition(
            "CREATE_EVENT",
            "put an event in your calendar and invite people to it. content: a JSON object with the fields\n"
            "  * title (required), description\n"
            "  * attendees: a list of the names of the people you invite\n"
            "  * start_time, end_time: like 2025-03-04 10:00\n"
            f"  for example {EXAMPLE}"),)

    def action_constraints(self) -> tuple[str, ...]:
        return ("CREATE_EVENT once per event; check your calendar in your situation before adding one.",)

    # -- events --------------------------------------------------------------------------------
    def add_event(self, date: str | None = None, title: str = "", description: str | None = None,
                  owner: Any = None, mandatory_attendees: list[str] | None = None,
                  optional_attendees: list[str] | None = None, start_time: str | None = None,
                  end_time: str | None = None, attendees: list[str] | None = None) -> dict[str, Any]:
        """Add an event (TinyTroupe's signature; ``attendees`` joins the two lists); returns it."""
        people = list(dict.fromkeys([*(attendees or []), *(mandatory_attendees or []), *(optional_attendees or [])]))
        start = _moment(start_time or "")
        day = date or (start.date().isoformat() if start else UNDATED)
        event = {"title": title, "description": description or "", "owner": getattr(owner, "name", owner),
                 "attendees": people, "start_time": start_time or "", "end_time": end_time or ""}
        self.calendar.setdefault(day, []).append(event)
        return event

    def list_events(self, date: str | None = None) -> list[dict[str, Any]]:
        """Every event (of ``date``, "YYYY-MM-DD", when given), dated ones in time order, then undated."""
        days = [date] if date else sorted(d for d in self.calendar if d != UNDATED) + [UNDATED]
        found = []
        for day in days:
            found.extend(sorted(self.calendar.get(day, []), key=lambda e: e["start_time"]))
        return found

    def find_events(self, year: int, month: int, day: int, hour: int | None = None,
                    minute: int | None = None) -> list[dict[str, Any]]:
        """The events of that day (starting at that hour, and minute, when given)."""
        found = []
        for event in self.list_events(f"{year:04d}-{month:02d}-{day:02d}"):
            start = _moment(event["start_time"])
            if hour is not None and (start is None or start.hour != hour):
                continue
            if minute is not None and (start is None or start.minute != minute):
                continue
            found.append(event)
        return found

    def prompt_section(self, agent: Agent) -> str:
        shown = self.list_events()[:EVENTS_SHOWN]
        if not shown:
            return ""
        return "Your calendar:\n" + "\n".join(f"- {_describe(e)}" for e in shown)

    # -- the action -----------------------------------------------------------------------------
    def _process_action(self, agent: Agent, action: FacultyAction) -> bool:
        if action.type != "CREATE_EVENT":
            return False
        spec = parse_event(action.content)
        start, end = (_on_world_day(agent, t) for t in (spec.start_time, spec.end_time))
        event = self.add_event(title=spec.title, description=spec.description, owner=agent.name,
                               attendees=spec.attendees, start_time=start, end_time=end)
        invited, missing = self._invite(agent, event)
        note = f"You added '{spec.title}' to your calendar"
        note += f"; invited {', '.join(invited)}" if invited else ""
        note += f"; could not reach {', '.join(missing)}" if missing else ""
        agent.record_event("note", "CALENDAR", note + ".")
        events.emit(contracts.ToolEventCreated(self.name, spec.title, event["attendees"], invited, missing),
                    source=agent.name, sim_time=agent.sim_time())
        return True

    def _invite(self, agent: Agent, event: dict[str, Any]) -> tuple[list[str], list[str]]:
        invited, missing = [], []
        for name in event["attendees"]:
            person = _find_person(agent, name)
            if person is None:
                if name != agent.name:
                    missing.append(name)
                continue
            if person is agent:
                continue
            person.socialize(f"{agent.name} invited you to an event: {_describe(event)}", source=agent)
            for calendar in _calendars_of(person):
                calendar.add_event(title=event["title"], description=event["description"], owner=agent.name,
                                   attendees=event["attendees"], start_time=event["start_time"],
                                   end_time=event["end_time"])
            invited.append(person.name)
        return invited, missing

    def to_state(self) -> dict[str, Any]:
        return {"calendar": {day: [dict(e) for e in evs] for day, evs in self.calendar.items()}}

    def load_state(self, state: dict[str, Any]) -> None:
        self.calendar = {str(day): [dict(e) for e in evs] for day, evs in (state.get("calendar") or {}).items()}


def _on_world_day(agent: Any, when: str) -> str:
    """``when``, dated with the world's current day when it is only a time of day ("10:00")."""
    now = getattr(getattr(agent, "environment", None), "current_datetime", None)
    if not when or now is None or _moment(when) is not None:
        return when
    try:
        return datetime.combine(now.date(), time.fromisoformat(when)).isoformat(sep=" ", timespec="minutes")
    except ValueError:
        return when


def _describe(event: dict[str, Any]) -> str:
    when = event["start_time"] or "no time set"
    if event["end_time"]:
        when += f" to {event['end_time']}"
    who = f", with {', '.join(event['attendees'])}" if event["attendees"] else ""
    by = f" (organised by {event['owner']})" if event.get("owner") else ""
    about = f": {event['description']}" if event["description"] else ""
    return f"{event['title']}, {when}{who}{by}{about}"


def _find_person(agent: Agent, name: str) -> Any:
    """The person called ``name`` in the agent's world, else among the people it can reach."""
    world = getattr(agent, "environment", None)
    if world is not None and hasattr(world, "resolve_target"):
        return world.resolve_target(name)
    wanted = name.strip().casefold()
    return next((a for a in agent.accessible_agents if a.name.casefold() == wanted), None)


def _calendars_of(person: Any) -> list[TinyCalendar]:
    return [t for f in getattr(person, "mental_faculties", []) for t in getattr(f, "tools", [])
            if isinstance(t, TinyCalendar)]
