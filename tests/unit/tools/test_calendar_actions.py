"""The calendar's four actions with plain-dict actions, its day-keyed store and its JSON form."""

from __future__ import annotations

import json

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.tools import TinyCalendar, TinyTool, ToolInputError


def _act(calendar, agent, kind, content=None):
    action = {"type": kind} if content is None else {"type": kind, "content": json.dumps(content)}
    return calendar._process_action(agent, action)


def test_create_event_from_a_plain_dict_keeps_both_attendee_lists():
    nora = TinyPerson("Nora Cal")
    calendar = TinyCalendar()
    assert _act(calendar, nora, "CREATE_EVENT", {"date": "2026-02-10", "title": "Retro", "start_time": "16:00",
                                                  "mandatory_attendees": ["Nora Cal", "Ivo"],
                                                  "optional_attendees": ["Pia"]})
    [event] = calendar.calendar["2026-02-10"]
    assert event["mandatory_attendees"] == ["Nora Cal", "Ivo"] and event["optional_attendees"] == ["Pia"]
    assert event["attendees"] == ["Nora Cal", "Ivo", "Pia"] and event["owner"] == "Nora Cal"
    assert event["start_time"] == "16:00"
    note = nora.episodic_memory.retrieve_all(type="CALENDAR")[-1].content
    assert "Retro" in note and "could not reach Ivo, Pia" in note


def test_unknown_fields_are_refused_and_missing_content_is_not_handled():
    calendar = TinyCalendar()
    with pytest.raises(ValueError, match="Invalid key.*'room'"):
        _act(calendar, None, "CREATE_EVENT", {"title": "Retro", "room": "B2"})
    with pytest.raises(ToolInputError, match="Invalid key.*'week'"):
        _act(calendar, None, "FIND_EVENTS", {"year": 2026, "month": 2, "day": 1, "week": 5})
    assert calendar._process_action(None, {"type": "CREATE_EVENT", "content": None}) is False
    assert calendar._process_action(None, {"type": "DELETE_EVENT", "content": 42}) is False
    assert calendar._process_action(None, {"type": "TALK", "content": "hi"}) is False
    assert calendar.calendar == {}


def test_find_list_and_delete_actions_answer_in_the_agents_memory():
    omar = TinyPerson("Omar Cal")
    calendar = TinyCalendar(owner=omar)
    calendar.add_event("2026-03-01", "Gym", start_time="07:30")
    calendar.add_event("2026-03-01", "Holiday")
    calendar.add_event("2026-03-02", "Gym", start_time="07:30")
    assert _act(calendar, omar, "FIND_EVENTS", {"year": 2026, "month": 3, "day": 1, "hour": 8})
    assert "Holiday" in omar.episodic_memory.retrieve_all(type="CALENDAR")[-1].content
    assert _act(calendar, omar, "LIST_EVENTS", {"max_results": 1})
    listing = omar.episodic_memory.retrieve_all(type="CALENDAR")[-1].content
    assert "Holiday" in listing and "Gym" not in listing
    assert _act(calendar, omar, "LIST_EVENTS")
    assert _act(calendar, omar, "DELETE_EVENT", {"date": "2026-03-02", "title": "Gym"})
    assert "2026-03-02" not in calendar.calendar
    assert _act(calendar, omar, "DELETE_EVENT", {"date": "2026-03-02", "title": "Gym"})
    assert "nothing was removed" in omar.episodic_memory.retrieve_all(type="CALENDAR")[-1].content


def test_hours_match_clock_times_and_all_day_events():
    calendar = TinyCalendar()
    calendar.add_event("2026-04-05", "Breakfast", start_time="08:15")
    calendar.add_event("2026-04-05", "Flight", start_time="2026-04-05 08:45")
    calendar.add_event("2026-04-05", "Conference")
    assert [e["title"] for e in calendar.find_events(2026, 4, 5, hour=8)] == ["Conference", "Breakfast", "Flight"]
    assert [e["title"] for e in calendar.find_events(2026, 4, 5, hour=8, minute=45)] == ["Conference", "Flight"]
    assert [e["title"] for e in calendar.list_events(max_results=2)] == ["Conference", "Breakfast"]
    assert calendar.delete_event("2026-04-05", "Flight", start_time="08:45")
    assert not calendar.delete_event("2026-04-05", "Flight")
    assert not calendar.delete_event("2030-01-01", "Flight")


def test_the_json_form_carries_the_calendar_beside_the_settings(tmp_path):
    calendar = TinyCalendar(owner="Pia")
    calendar.add_event("2026-05-01", "Picnic", start_time="12:00")
    assert "calendar" in TinyCalendar.serializable_attributes
    data = calendar.to_json(file_path=tmp_path / "calendar.json")
    assert data["calendar"]["2026-05-01"][0]["title"] == "Picnic" and data["owner"] == "Pia"
    again = TinyTool.from_json(str(tmp_path / "calendar.json"))
    assert isinstance(again, TinyCalendar) and again.calendar == calendar.calendar


def test_older_saved_events_gain_both_attendee_lists():
    calendar = TinyCalendar()
    calendar.load_state({"calendar": {"2025-01-01": [{"title": "Standup", "description": "", "owner": "Ana",
                                                       "attendees": ["Bob"], "start_time": "09:00",
                                                       "end_time": ""}]}})
    [event] = calendar.list_events()
    assert event["mandatory_attendees"] == ["Bob"] and event["optional_attendees"] == []


def test_a_tool_used_directly_gets_every_action_even_none():
    seen = []

    class Recorder(TinyTool):
        def _process_action(self, agent, action):
            seen.append(dict(action))
            return True

    tool = Recorder("recorder", "keeps what it is given", owner="Una")
    una = TinyPerson("Una")
    assert tool.process_action(una, None) and tool.process_action(una, {"odd": 1})
    assert seen[0]["type"] == "" and seen[1]["odd"] == 1
    with pytest.raises(ValueError, match="does not own tool 'recorder'"):
        tool.process_action(TinyPerson("Vic"), {"type": "X"})
