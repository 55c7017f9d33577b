"""Against a real OpenAI-compatible server on 127.0.0.1: a tool-using agent survives malformed tool input."""

from __future__ import annotations

import json

from tinytroupe import events, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.extraction import ArtifactExporter
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.testing.loopback_server import LoopbackServer
from tinytroupe.tools import TinyToolUse, TinyWordProcessor

STATE = {"goals": "write", "context": "an office", "attention": "the report", "emotions": "focused"}
GOOD = json.dumps({"title": "Weekly report", "content": "# Weekly report\n\n| Task | Done |\n|---|---|\n| A | yes |",
                   "author": "Ana"})


def _reply(body):
    """Ana writes a broken document first, a good one once she has read her failure; Bob talks."""
    prompt = "\n".join(m["content"] for m in body["messages"])
    if "You are Ana." in prompt:
        content = GOOD if "failed" in prompt else '{"title": "Weekly report", "content": '  # cut off
        actions = [{"type": "WRITE_DOCUMENT", "content": content, "target": ""}]
    else:
        line = "Is it saved yet?" if "How is the report going?" in prompt else "How is the report going?"
        actions = [{"type": "TALK", "content": line, "target": "Ana"}]
    return json.dumps({"actions": actions, "cognitive_state": STATE})


def test_malformed_write_document_is_recorded_and_the_simulation_goes_on(tmp_path):
    config_manager.update("structured_output_mode", "json_schema")
    ana, bob = TinyPerson("Ana"), TinyPerson("Bob")
    ana.add_mental_faculty(TinyToolUse([TinyWordProcessor(exporter=ArtifactExporter(tmp_path))]))
    world = TinyWorld("Office", [ana, bob], seed=1)
    world.make_everyone_accessible()
    with LoopbackServer(responder=_reply) as server, events.collect(["tool.", "agent.fallback"]) as seen:
        llm.set_default_model(OpenAIModel(api_key="test-key", base_url=server.base_url, model="loopback", timeout=10))
        world.run(2)
        anas = [b for b in server.bodies if "You are Ana." in b["messages"][0]["content"]]
        offered = anas[0]["response_format"]["json_schema"]["schema"]
    [failure] = ana.episodic_memory.retrieve_all(type="TOOL_FAILURE")
    assert "WRITE_DOCUMENT content must be a JSON object" in failure.content
    assert [e.data["action"] for e in seen.of_kind("tool.failed")] == ["WRITE_DOCUMENT"]
    assert not seen.of_kind("agent.fallback")
    assert world.simulation_step == 2
    assert len(bob.episodic_memory.retrieve_all(type="TALK")) == 2
    assert (tmp_path / "Document" / "Weekly report.Ana.docx").is_file()
    assert "WRITE_DOCUMENT" in offered["properties"]["actions"]["items"]["properties"]["type"]["enum"]


def test_story_and_enrichment_over_http():
    from tinytroupe.enrichment import TinyEnricher
    from tinytroupe.steering import TinyStory

    def reply(body):
        prompt = "\n".join(m["content"] for m in body["messages"])
        if "narrator" in prompt:
            return "Word " * 90 if "budget is" not in prompt else "The lift stays broken. Ana laughs."
        return "```markdown\n# Plan\n\n- a long, detailed first step\n```"

    ana = TinyPerson("Ana")
    ana.listen("The lift is broken again.", source="Bob")
    with LoopbackServer(responder=reply) as server:
        llm.set_default_model(OpenAIModel(api_key="test-key", base_url=server.base_url, model="loopback", timeout=10))
        text = TinyStory(agent=ana).start_story(number_of_words=20)
        enriched = TinyEnricher().enrich_content("Detail each step", "# Plan\n\n- step", context_info="For a board.")
    assert text == "The lift stays broken. Ana laughs."
    assert enriched == "# Plan\n\n- a long, detailed first step"
    story_body, shorten_body, enrich_body = server.bodies
    assert "The lift is broken again." in story_body["messages"][1]["content"]
    assert "budget is 20 words" in shorten_body["messages"][-1]["content"]
    assert "For a board." in enrich_body["messages"][1]["content"] and enrich_body["temperature"] == 1.0
