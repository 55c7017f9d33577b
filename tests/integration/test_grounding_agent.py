"""An agent grounded in real files (PDF, DOCX, Markdown) and a page from a real HTTP server."""

from __future__ import annotations

import json

import pytest

from tinytroupe.agent import FilesAndWebGroundingFaculty, TinyPerson
from tinytroupe.llm import ScriptedModel
from tinytroupe.testing.agent_replies import act_reply, is_turn_request
from tinytroupe.testing.documents import PageServer, write_docx, write_pdf

PAGE = ("<html><head><title>ACME careers</title></head><body><h1>Open roles</h1>"
        "<p>We are hiring two data engineers for the Lisbon office.</p></body></html>")


@pytest.fixture
def documents(tmp_path):
    folder = tmp_path / "firm"
    folder.mkdir()
    write_pdf(folder / "q3_report.pdf", ["ACME quarterly report, Q3.",
                                         "Revenue grew 14 percent to 2.3 million euros."])
    write_docx(folder / "strategy.docx", ["We will open a Porto office in 2025."], title="Strategy")
    (folder / "faq.md").write_text("# FAQ\n\nThe support line opens at 8am.\n")
    with PageServer({"/careers.html": PAGE}) as pages:
        yield folder, pages.url("/careers.html")


def test_the_agent_lists_consults_and_answers_from_the_documents(documents):
    folder, url = documents
    faculty = FilesAndWebGroundingFaculty(folders_paths=[str(folder)], web_urls=[url])
    seen = []

    def respond(request):
        assert is_turn_request(request)
        prompt = request.messages[-1].content
        seen.append(prompt)
        if len(seen) == 1:
            return act_reply(("LIST_DOCUMENTS", ""), ("TALK", "decided before reading", "Bob"))
        if len(seen) == 2:
            return act_reply(("CONSULT", "q3_report.pdf"))
        if len(seen) == 3:
            return act_reply(("CONSULT", url))
        # the answer is grounded: the document text reached the prompt
        assert "Revenue grew 14 percent to 2.3 million euros." in seen[2]
        assert "hiring two data engineers" in prompt
        return act_reply(("TALK", "Revenue grew 14 percent in Q3, and we are hiring two data engineers.", "Bob"))

    model = ScriptedModel(responder=respond)
    lisa = TinyPerson("Lisa", model=model, mental_faculties=[faculty])
    bob = TinyPerson("Bob")
    lisa.make_agent_accessible(bob)
    lisa.listen("How did Q3 go, and are we hiring?", source=bob)
    actions = lisa.act(return_actions=True)

    assert model.calls == 4  # one act(): each faculty result is perceived and acted on
    schema = json.dumps(model.requests[0].response_format.json_schema)
    assert "LIST_DOCUMENTS" in schema and "CONSULT" in schema
    listed = [e.content for e in lisa.episodic_memory.retrieve_all(type="THOUGHT")][0]
    for name in ("q3_report.pdf", "strategy.docx", "faq.md", url):
        assert name in listed
    assert "I have read the document q3_report.pdf" in seen[2]
    talks = [a["action"]["content"] for a in actions if a["action"]["type"] == "TALK"]
    assert talks == ["Revenue grew 14 percent in Q3, and we are hiring two data engineers."]
    assert "Document you are consulting: " + url in seen[3]


def test_consult_by_meaning_when_the_name_matches_nothing(documents):
    folder, _ = documents
    faculty = FilesAndWebGroundingFaculty(folders_paths=[str(folder)])
    model = ScriptedModel([act_reply(("CONSULT", "when does the support line open")), act_reply(("THINK", "ok"))])
    lisa = TinyPerson("Lisa", model=model, mental_faculties=[faculty])
    lisa.act()
    assert "support line opens at 8am" in model.requests[1].messages[-1].content
    assert faculty.consulted["name"].startswith("passages about")


def test_grounded_agent_state_round_trips_without_reading_again(documents, tmp_path):
    folder, url = documents
    lisa = TinyPerson("Lisa", model=ScriptedModel([act_reply(("CONSULT", "strategy.docx"))] + [act_reply()] * 3),
                      mental_faculties=[FilesAndWebGroundingFaculty(folders_paths=[str(folder)], web_urls=[url])])
    lisa.act()
    state = json.loads(json.dumps(lisa.encode_complete_state()))
    for path in folder.iterdir():
        path.unlink()  # the files are gone: the restored agent still has what it read
    TinyPerson.clear_agents()
    again = TinyPerson.from_state(state)
    assert again.encode_complete_state() == state
    restored = again.mental_faculties[0]
    assert "Porto office" in restored.prompt_section(again)
    assert restored.local_files_grounding_connector.retrieve_relevant("support line", 1)[0].startswith("SOURCE: faq.md")
