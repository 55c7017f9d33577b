"""Tools through the TinyToolUse faculty: word processor, calendar, ownership, side effects, state."""

from __future__ import annotations

import json

import docx
import pytest

from tinytroupe import events
from tinytroupe.agent import TinyPerson
from tinytroupe.agent.mental_faculty import FacultyAction
from tinytroupe.enrichment import TinyEnricher
from tinytroupe.environment import TinyWorld
from tinytroupe.extraction import ArtifactExporter
from tinytroupe.testing.agent_replies import act_reply, is_turn_request
from tinytroupe.tools import (
    TinyCalendar,
    TinyTool,
    TinyToolUse,
    TinyWordProcessor,
    ToolInputError,
    ToolOwnershipError,
)

REPORT = "# Coffee survey\n\n## Results\n\n- Most like it strong\n\n| Size | Votes |\n|---|---|\n| Small | 3 |\n| Large | 7 |"


def _doc(title="Coffee survey", content=REPORT, author="Ana"):
    return json.dumps({"title": title, "content": content, "author": author})


def _schema_types(request):
    return request.response_format.json_schema["properties"]["actions"]["items"]["properties"]["type"]["enum"]


def test_write_document_exports_md_docx_and_json(scripted, tmp_path):
    agent = TinyPerson("Ana")
    agent.add_mental_faculty(TinyToolUse([TinyWordProcessor(exporter=ArtifactExporter(tmp_path))]))
    scripted.queue(act_reply(("WRITE_DOCUMENT", _doc())))
    agent.act()
    assert "WRITE_DOCUMENT" in _schema_types(scripted.requests[0])
    assert "- WRITE_DOCUMENT: write a new document" in scripted.requests[0].messages[0].content
    folder = tmp_path / "Document"
    assert sorted(p.name for p in folder.iterdir()) == ["Coffee survey.Ana.docx", "Coffee survey.Ana.json",
                                                         "Coffee survey.Ana.md"]
    assert (folder / "Coffee survey.Ana.md").read_text().startswith("# Coffee survey")
    assert json.loads((folder / "Coffee survey.Ana.json").read_text())["author"] == "Ana"
    document = docx.Document(str(folder / "Coffee survey.Ana.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Coffee survey", "Results"]
    assert [[c.text for c in r.cells] for r in document.tables[0].rows] == [["Size", "Votes"], ["Small", "3"],
                                                                          ["Large", "7"]]
    assert "DOCUMENT_WRITTEN" in {e.type for e in agent.episodic_memory.retrieve_all()}
    scripted.queue(act_reply(("THINK", "done")))
    agent.act()
    assert "Documents you have written: 'Coffee survey'" in scripted.last_prompt()


def test_malformed_document_is_a_recorded_failure_not_a_crash(scripted, tmp_path):
    agent = TinyPerson("Ana")
    agent.add_mental_faculty(TinyToolUse([TinyWordProcessor(exporter=ArtifactExporter(tmp_path))]))
    scripted.queue(act_reply(("WRITE_DOCUMENT", "a report about coffee"), ("THINK", "next")))
    with events.collect(["tool."]) as seen:
        agent.act()
    [note] = agent.episodic_memory.retrieve_all(type="TOOL_FAILURE")
    assert "WRITE_DOCUMENT content must be a JSON object" in note.content
    assert seen.of_kind("tool.failed")[0].data["action"] == "WRITE_DOCUMENT"
    assert agent.episodic_memory.retrieve_all(type="THINK")  # the turn went on
    assert not (tmp_path / "Document").exists()
    scripted.queue(act_reply(("THINK", "retry")))
    agent.act()
    assert "WRITE_DOCUMENT content must be a JSON object" in scripted.last_prompt()


def test_a_tool_owned_by_someone_else_refuses(scripted):
    bob = TinyPerson("Bob")
    calendar = TinyCalendar(owner=bob)
    ana = TinyPerson("Ana")
    with pytest.raises(ToolOwnershipError, match="belongs to Bob"):
        calendar.process_action(ana, {"type": "CREATE_EVENT", "content": '{"title": "x"}'})
    ana.add_mental_faculty(TinyToolUse([calendar]))
    scripted.queue(act_reply(("CREATE_EVENT", '{"title": "Lunch"}')))
    ana.act()
    assert "belongs to Bob" in ana.episodic_memory.retrieve_all(type="TOOL_FAILURE")[0].content
    assert calendar.list_events() == []
    assert calendar.process_action(bob, {"type": "CREATE_EVENT", "content": '{"title": "Lunch"}'})
    assert calendar.list_events()[0]["title"] == "Lunch"


class Mailer(TinyTool):
    """A tool written the way TinyTroupe's documentation shows."""

    def __init__(self, owner=None):
        super().__init__("mailer", "Sends real e-mail.", owner=owner, real_world_side_effects=True)
        self.sent = []

    def _process_action(self, agent, action):
        if action["type"] == "SEND_EMAIL":
            self.sent.append(action["content"])
            return True
        return False

    def actions_definitions_prompt(self):
        return "  - SEND_EMAIL: send an e-mail (content: the message).\n"

    def actions_constraints_prompt(self):
        return "  - Only SEND_EMAIL when asked to.\n"


def test_real_world_side_effects_warn_loudly_and_original_style_tools_work(scripted):
    mailer = Mailer()
    agent = TinyPerson("Ana")
    agent.add_mental_faculty(TinyToolUse([mailer]))
    scripted.queue(act_reply(("SEND_EMAIL", "Hello Bob")))
    with events.collect(["tool."]) as seen:
        agent.act()
    assert mailer.sent == ["Hello Bob"]
    [warning] = seen.of_kind("tool.real_world_side_effects")
    assert warning.data["level"] == "warning" and "REAL-WORLD SIDE EFFECTS" in warning.data["message"]
    assert "SEND_EMAIL" in _schema_types(scripted.requests[0])
    assert "- Only SEND_EMAIL when asked to." in scripted.requests[0].messages[0].content


def test_calendar_invitations_reach_attendees_in_the_world(scripted):
    ana, bob, cy = TinyPerson("Ana"), TinyPerson("Bob"), TinyPerson("Cy")
    ana_calendar, bob_calendar = TinyCalendar(owner=ana), TinyCalendar(owner=bob)
    ana.add_mental_faculty(TinyToolUse([ana_calendar]))
    bob.add_mental_faculty(TinyToolUse([bob_calendar]))
    world = TinyWorld("Office", [ana, bob, cy])
    world.make_everyone_accessible()
    event = {"title": "Budget review", "description": "Q3 numbers", "attendees": ["Bob", "Cy", "Zed"],
             "start_time": "2025-03-04 10:00", "end_time": "2025-03-04 11:00"}

    def respond(request):
        if is_turn_request(request) and request.tags.get("agent") == "Ana" and not ana_calendar.list_events():
            return act_reply(("CREATE_EVENT", json.dumps(event)))
        return act_reply(("THINK", "noted"))

    scripted.responder = respond
    world.run(1)
    for person in (bob, cy):
        [invite] = person.episodic_memory.retrieve_all(type="SOCIAL")
        assert invite.source == "Ana" and "Budget review" in invite.content and "2025-03-04 10:00" in invite.content
    assert bob_calendar.find_events(2025, 3, 4, hour=10)[0]["owner"] == "Ana"
    assert ana_calendar.find_events(2025, 3, 4) and not ana_calendar.find_events(2025, 3, 4, hour=9)
    assert "could not reach Zed" in ana.episodic_memory.retrieve_all(type="CALENDAR")[0].content
    world.run(1)
    ana_prompt = next(r for r in reversed(scripted.requests) if r.tags.get("agent") == "Ana")
    assert "Your calendar:\n- Budget review, 2025-03-04 10:00 to 2025-03-04 11:00" in ana_prompt.messages[1].content


def test_calendar_lists_and_finds_events():
    calendar = TinyCalendar()
    calendar.add_event("2025-01-02", "Dentist", start_time="2025-01-02 09:30")
    calendar.add_event(title="Call mum")
    calendar.add_event(title="Standup", start_time="2025-01-01T09:00", mandatory_attendees=["Bob"],
                       optional_attendees=["Cy"])
    assert [e["title"] for e in calendar.list_events()] == ["Standup", "Dentist", "Call mum"]
    assert calendar.find_events(2025, 1, 1)[0]["attendees"] == ["Bob", "Cy"]
    assert calendar.find_events(2025, 1, 2, hour=9, minute=30)[0]["title"] == "Dentist"
    assert calendar.find_events(2025, 1, 2, hour=9, minute=0) == []
    with pytest.raises(ToolInputError, match="at least a title"):
        calendar.process_action(None, FacultyAction(type="CREATE_EVENT", content='{"description": "x"}'))


def test_enriched_documents_are_exported_enriched(scripted, tmp_path):
    def respond(request):
        if is_turn_request(request):
            return act_reply(("WRITE_DOCUMENT", _doc(content="- point one")))
        assert request.tags == {"purpose": "enrichment", "tool": "wordprocessor", "agent": "Ana"}
        return "```markdown\n# Coffee survey\n\nPoint one, developed at length.\n```"

    scripted.responder = respond
    agent = TinyPerson("Ana")
    writer = TinyWordProcessor(exporter=ArtifactExporter(tmp_path), enricher=TinyEnricher(),
                               export_formats=("md",))
    agent.add_mental_faculty(TinyToolUse([writer]))
    agent.act()
    enrichment = next(r for r in scripted.requests if not is_turn_request(r))
    assert "- point one" in enrichment.messages[1].content and "Written by Ana" in enrichment.messages[1].content
    assert "developed at length" in (tmp_path / "Document" / "Coffee survey.Ana.md").read_text()


def test_tool_state_is_saved_and_restored_with_the_agent(scripted, tmp_path):
    ana = TinyPerson("Ana")
    writer = TinyWordProcessor(owner=ana, exporter=ArtifactExporter(tmp_path), enricher=TinyEnricher(True))
    writer.enricher.context_cache.append("earlier result")
    calendar = TinyCalendar(owner=ana)
    calendar.add_event(title="Standup", start_time="2025-01-01 09:00", attendees=["Bob"])
    ana.add_mental_faculty(TinyToolUse([writer, calendar]))
    scripted.queue(act_reply(("WRITE_DOCUMENT", _doc())))
    writer.export_formats = ("md",)
    ana.act()
    path = ana.save(tmp_path / "ana.agent.json")
    TinyPerson.clear_agents()
    restored = TinyPerson.load(path)
    [faculty] = restored.mental_faculties
    new_writer, new_calendar = faculty.tools
    assert isinstance(new_writer, TinyWordProcessor) and new_writer.owner_name == "Ana"
    assert new_writer.exporter.base_output_folder == str(tmp_path)
    assert new_writer.enricher.use_past_results_in_context and new_writer.enricher.context_cache == ["earlier result"]
    assert [d["title"] for d in new_writer.documents] == ["Coffee survey"] and new_writer.export_formats == ("md",)
    assert new_calendar.list_events() == calendar.list_events()
    assert restored.encode_complete_state()["mental_faculties"] == ana.encode_complete_state()["mental_faculties"]


def test_the_faculty_and_tools_have_blocking_twins_outside_the_event_loop(tmp_path):
    ana = TinyPerson("Ana")
    writer = TinyWordProcessor(exporter=ArtifactExporter(tmp_path), export_formats=("json",))
    faculty = TinyToolUse([writer, TinyCalendar()])
    assert faculty.process_action(ana, {"type": "WRITE_DOCUMENT", "content": _doc(title="Memo")})
    assert faculty.process_action(ana, {"type": "WRITE_DOCUMENT", "content": "not json"})  # handled: a failure
    assert not faculty.process_action(ana, {"type": "TALK", "content": "hi"})
    assert (tmp_path / "Document" / "Memo.Ana.json").is_file()
    assert writer.write_document("Notes", "- a", author="Bob")["files"] == [str(tmp_path / "Document" / "Notes.Bob.json")]
    with pytest.raises(Exception, match="already a tool named"):
        faculty.add_tool(TinyCalendar())
    assert faculty.get_tool("calendar") is faculty.tools[1]


def test_a_word_processor_that_exports_docx_needs_python_docx_up_front(monkeypatch, tmp_path):
    import builtins

    real_import = builtins.__import__

    def no_docx(name, *args, **kwargs):
        if name == "docx":
            raise ImportError("No module named 'docx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_docx)
    with pytest.raises(Exception, match=r"pip install 'tinytroupe\[docx\]'"):
        TinyWordProcessor(exporter=ArtifactExporter(tmp_path))
    TinyWordProcessor(exporter=ArtifactExporter(tmp_path), export_formats=("md", "json"))  # fine without it


def test_a_time_of_day_is_dated_with_the_world_day(scripted):
    from datetime import datetime

    ana = TinyPerson("Ana")
    calendar = TinyCalendar()
    ana.add_mental_faculty(TinyToolUse([calendar]))
    TinyWorld("Office", [ana], initial_datetime=datetime(2025, 6, 2, 8, 0))
    scripted.queue(act_reply(("CREATE_EVENT", '{"title": "Standup", "start_time": "09:15", "end": "09:30"}')))
    ana.act()
    [event] = calendar.find_events(2025, 6, 2, hour=9, minute=15)
    assert (event["start_time"], event["end_time"]) == ("2025-06-02 09:15", "2025-06-02 09:30")


def test_tools_travel_in_the_agent_specification_file(tmp_path):
    ana = TinyPerson("Ana")
    calendar = TinyCalendar(owner=ana)
    calendar.add_event(title="Dentist", start_time="2025-02-03 15:00")
    ana.add_mental_faculty(TinyToolUse([calendar, TinyWordProcessor(owner=ana)]))
    ana.save_specification(tmp_path / "ana.agent.json")
    TinyPerson.clear_agents()
    loaded = TinyPerson.load_specification(tmp_path / "ana.agent.json")
    [faculty] = loaded.mental_faculties
    assert isinstance(faculty, TinyToolUse) and [t.name for t in faculty.tools] == ["calendar", "wordprocessor"]
    assert faculty.tools[0].find_events(2025, 2, 3)[0]["title"] == "Dentist"
    assert faculty.tools[0].owner_name == "Ana" and faculty.tools[1].exporter is None


def test_documents_get_a_longer_content_bound_than_speech(scripted):
    def content_bound(request):
        return request.response_format.json_schema["properties"]["actions"]["items"]["properties"]["content"]["maxLength"]

    plain, writer = TinyPerson("Bob"), TinyPerson("Ana")
    writer.add_mental_faculty(TinyToolUse([TinyWordProcessor()]))
    long_report = "# Report\n\n" + " ".join(f"Finding {i} matters for the plan." for i in range(50))
    scripted.queue(act_reply(("THINK", "hm")), act_reply(("WRITE_DOCUMENT", _doc(content=long_report))))
    plain.act()
    writer.act()
    assert content_bound(scripted.requests[0]) == 600 and content_bound(scripted.requests[1]) == 3000
    assert writer.mental_faculties[0].tools[0].documents[0]["content"] == long_report and len(long_report) > 1500


def test_the_console_shows_tool_warnings_failures_and_documents(tmp_path):
    from rich.console import Console

    from tinytroupe.ui.console import ConsoleRenderer

    console = Console(record=True, width=120)
    renderer = ConsoleRenderer(console)
    unsubscribe = events.subscribe(renderer, ["tool."])
    try:
        ana = TinyPerson("Ana")
        faculty = TinyToolUse([Mailer(), TinyWordProcessor(exporter=ArtifactExporter(tmp_path), export_formats=("md",))])
        faculty.process_action(ana, {"type": "SEND_EMAIL", "content": "hi"})
        faculty.process_action(ana, {"type": "WRITE_DOCUMENT", "content": "oops"})
        faculty.process_action(ana, {"type": "WRITE_DOCUMENT", "content": _doc(title="Memo")})
    finally:
        unsubscribe()
    text = console.export_text()
    assert "WARNING (Ana uses mailer)" in text and "REAL-WORLD SIDE EFFECTS" in text
    assert "Ana: WRITE_DOCUMENT with the wordprocessor failed" in text
    assert "Ana wrote 'Memo'" in text
