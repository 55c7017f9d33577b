"""TinyCalendar: agents keep appointments and invite others to them.

Its actions are CREATE_EVENT, FIND_EVENTS, LIST_EVENTS and DELETE_EVENT (their content is
described in :mod:`tinytroupe.tools.calendar_actions`). An event has a title, a description,
mandatory and optional attendees, a start and an end; events are kept by day in ``calendar``
("YYYY-MM-DD" -> events). Events are listed in the owner's situation in the prompt; each
attendee found in the agent's world (or among the people it can reach) receives the
invitation as a stimulus, and gets the event in their own calendar when they have one.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import TYPE_CHECKING, Any, ClassVar

from tinytroupe import contracts, events
from tinytroupe.agent.actions import ActionDefinition
from tinytroupe.agent.mental_faculty import FacultyAction
from tinytroupe.tools import calendar_actions
from tinytroupe.tools.calendar_actions import EventSpec, parse_calendar_content, parse_event
from tinytroupe.tools.tiny_tool import TinyTool

if TYPE_CHECKING:
    from tinytroupe.contracts import Agent

__all__ = ["TinyCalendar", "EventSpec", "parse_event", "UNDATED", "EVENTS_SHOWN"]

UNDATED = "undated"
EVENTS_SHOWN = 8
_CLOCK = re.compile(r"(?:^|[ T])(\d{1,2}):(\d{2})")


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None


def _clock(text: str | None) -> tuple[int, int] | None:
    """The (hour, minute) a start time names ("10:00", "2025-03-04 10:00"), or None."""
    found = _CLOCK.search((text or "").strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def _event_record(event: dict[str, Any]) -> dict[str, Any]:
    """An event with every field present (older saves kept only ``attendees``)."""
    mandatory = list(event.get("mandatory_attendees") or event.get("attendees") or [])
    optional = list(event.get("optional_attendees") or [])
    return {**event, "title": event.get("title", ""), "description": event.get("description") or "",
            "owner": event.get("owner"), "mandatory_attendees": mandatory, "optional_attendees": optional,
            "attendees": list(dict.fromkeys([*mandatory, *optional])),
            "start_time": event.get("start_time") or "", "end_time": event.get("end_time") or ""}


class TinyCalendar(TinyTool):
    """A calendar: ``TinyCalendar(owner=None)``; events by date in ``calendar``."""

    serializable_attributes: ClassVar[list[str]] = [*TinyTool.serializable_attributes, "calendar"]

    def __init__(self, owner: Any = None):
        super().__init__("calendar", "A calendar to keep track of meetings and appointments.", owner=owner,
                         real_world_side_effects=False)
        self.calendar: dict[str, list[dict[str, Any]]] = {}  # "YYYY-MM-DD" (or "undated") -> events

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        return calendar_actions.action_definitions()

    def action_constraints(self) -> tuple[str, ...]:
        return ("CREATE_EVENT once per event; check your calendar in your situation (or FIND_EVENTS) before "
                "adding one.",)

    # -- events --------------------------------------------------------------------------------
    def add_event(self, date: str | None = None, title: str = "", description: str | None = None,
                  owner: Any = None, mandatory_attendees: list[str] | None = None,
                  optional_attendees: list[str] | None = None, start_time: str | None = None,
                  end_time: str | None = None, attendees: list[str] | None = None) -> dict[str, Any]:
        """Add an event (``attendees`` counts as mandatory ones) on ``date``, else on its start's
        day, else undated; returns it."""
        start = _moment(start_time or "")
        day = date or (start.date().isoformat() if start else UNDATED)
        event = _event_record({"title": title, "description": description, "owner": getattr(owner, "name", owner),
                               "mandatory_attendees": [*(attendees or []), *(mandatory_attendees or [])],
                               "optional_attendees": optional_attendees, "start_time": start_time,
                               "end_time": end_time})
        event["mandatory_attendees"] = list(dict.fromkeys(event["mandatory_attendees"]))
        self.calendar.setdefault(day, []).append(event)
        return event

    def list_events(self, max_results: int | None = None, date: str | None = None) -> list[dict[str, Any]]:
        """Every event (of ``date``, "YYYY-MM-DD", when given), by day and start time, undated ones
        last; at most ``max_results``."""
        if isinstance(max_results, str):  # list_events("2025-03-04"): a day
            max_results, date = None, max_results
        days = [date] if date else sorted(d for d in self.calendar if d != UNDATED) + [UNDATED]
        found = []
        for day in days:
            found.extend(sorted(self.calendar.get(day, []), key=lambda e: _clock(e["start_time"]) or (-1, -1)))
        return found if max_results is None else found[:max_results]

    def find_events(self, year: int, month: int, day: int, hour: int | None = None,
                    minute: int | None = None) -> list[dict[str, Any]]:
        """The events of that day starting at that hour (and minute) when given; an event with no
        start time is on all day, so it matches any hour."""
        found = []
        for event in self.list_events(date=f"{year:04d}-{month:02d}-{day:02d}"):
            clock = _clock(event["start_time"])
            if not event["start_time"]:
                found.append(event)
            elif clock is not None and hour in (None, clock[0]) and minute in (None, clock[1]):
                found.append(event)
        return found

    def delete_event(self, date: str, title: str, start_time: str | None = None) -> bool:
        """Remove the first event of ``date`` with that title (and start time, when given);
        a day left empty goes too. Whether one was removed."""
        day = self.calendar.get(date, [])
        for i, event in enumerate(day):
            if event["title"] == title and (start_time is None or _same_start(event["start_time"], start_time)):
                del day[i]
                if not day:
                    del self.calendar[date]
                return True
        return False

    def prompt_section(self, agent: Agent) -> str:
        shown = self.list_events(max_results=EVENTS_SHOWN)
        if not shown:
            return ""
        return "Your calendar:\n" + "\n".join(f"- {_describe(e)}" for e in shown)

    # -- the actions ----------------------------------------------------------------------------
    def _process_action(self, agent: Agent, action: Any) -> bool:
        """Perform a calendar action (a dict or an action object); False when it is not one, or
        when an action that needs content has none."""
        action = FacultyAction.of(action if action is not None else {})
        if action.type not in calendar_actions.CALENDAR_ACTIONS:
            return False
        content = action.content
        if not isinstance(content, (str, dict)) or (action.type != "LIST_EVENTS" and not content):
            return False
        spec = parse_calendar_content(action.type, content)
        handler = {"CREATE_EVENT": self._create, "FIND_EVENTS": self._find, "LIST_EVENTS": self._list,
                   "DELETE_EVENT": self._delete}[action.type]
        handler(agent, spec)
        return True

    def _create(self, agent: Agent, spec: EventSpec) -> None:
        if spec.date:
            start, end = spec.start_time, spec.end_time
        else:
            start, end = (_on_world_day(agent, t) for t in (spec.start_time, spec.end_time))
        event = self.add_event(spec.date or None, spec.title, spec.description, spec.owner or _name(agent),
                               spec.mandatory_attendees, spec.optional_attendees, start, end)
        invited, missing = self._invite(agent, event, spec.date or None)
        note = f"You added '{spec.title}' to your calendar"
        note += f"; invited {', '.join(invited)}" if invited else ""
        note += f"; could not reach {', '.join(missing)}" if missing else ""
        _tell(agent, note + ".")
        events.emit(contracts.ToolEventCreated(self.name, spec.title, event["attendees"], invited, missing),
                    source=_name(agent), sim_time=agent.sim_time() if agent is not None else None)

    def _find(self, agent: Agent, spec: calendar_actions.FindSpec) -> None:
        found = self.find_events(spec.year, spec.month, spec.day, spec.hour, spec.minute)
        day = f"{spec.year:04d}-{spec.month:02d}-{spec.day:02d}"
        _tell(agent, _listing(f"Your events on {day}", found, f"You have no events on {day}"))

    def _list(self, agent: Agent, spec: calendar_actions.ListSpec) -> None:
        _tell(agent, _listing("Your calendar", self.list_events(spec.max_results), "Your calendar is empty"))

    def _delete(self, agent: Agent, spec: calendar_actions.DeleteSpec) -> None:
        removed = self.delete_event(spec.date, spec.title, spec.start_time)
        _tell(agent, f"You removed '{spec.title}' on {spec.date} from your calendar." if removed else
              f"There is no event '{spec.title}' on {spec.date} in your calendar; nothing was removed.")

    def _invite(self, agent: Agent, event: dict[str, Any], date: str | None) -> tuple[list[str], list[str]]:
        invited, missing = [], []
        for name in event["attendees"]:
            person = _find_person(agent, name) if agent is not None else None
            if person is None:
                if name != _name(agent):
                    missing.append(name)
                continue
            if person is agent:
                continue
            person.socialize(f"{agent.name} invited you to an event: {_describe(event)}", source=agent)
            for calendar in _calendars_of(person):
                calendar.add_event(date, event["title"], event["description"], agent.name,
                                   event["mandatory_attendees"], event["optional_attendees"],
                                   event["start_time"], event["end_time"])
            invited.append(person.name)
        return invited, missing

    def to_state(self) -> dict[str, Any]:
        return {"calendar": {day: [dict(e) for e in evs] for day, evs in self.calendar.items()}}

    def load_state(self, state: dict[str, Any]) -> None:
        self.calendar = {str(day): [_event_record(e) for e in evs]
                         for day, evs in (state.get("calendar") or {}).items()}


def _name(agent: Any) -> str | None:
    return getattr(agent, "name", None)


def _tell(agent: Any, text: str) -> None:
    """Put what the calendar answered in the agent's memory, so its next turn sees it."""
    if agent is not None:
        agent.record_event("note", "CALENDAR", text)


def _listing(title: str, found: list[dict[str, Any]], empty: str) -> str:
    if not found:
        return empty + "."
    return f"{title}:\n" + "\n".join(f"- {_describe(e)}" for e in found)


def _same_start(stored: str, asked: str) -> bool:
    return stored == asked or (_clock(stored) is not None and _clock(stored) == _clock(asked))


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
