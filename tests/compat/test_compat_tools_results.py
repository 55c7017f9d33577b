"""Tools, results and exceptions in the original's shapes (and its built-in exception types)."""

from __future__ import annotations

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.agent.grounding import GroundingConnector
from tinytroupe.enrichment import TinyStyler
from tinytroupe.errors import SimulationError, SpecificationError
from tinytroupe.extraction import ArtifactExporter, Normalizer, ResultsReducer, ResultsReporter
from tinytroupe.tools import TinyCalendar, TinyTool, TinyWordProcessor


class HalfDoneTool(TinyTool):
    """A tool that forgot its hooks."""


def test_abstract_tool_and_connector_methods_raise_not_implemented():
    tool = HalfDoneTool("half", "does nothing yet")
    for hook in (tool.actions_definitions_prompt, tool.actions_constraints_prompt):
        with pytest.raises(NotImplementedError):
            hook()
    with pytest.raises(NotImplementedError):
        tool._process_action(None, None)
    connector = GroundingConnector("plain")
    for call in (lambda: connector.retrieve_relevant("x"), lambda: connector.retrieve_by_name("x"),
                 connector.list_sources):
        with pytest.raises(NotImplementedError):
            call()


def test_tool_to_json_and_back(tmp_path):
    ana = TinyPerson("Ana Tools")
    calendar = TinyCalendar(owner=ana)
    data = calendar.to_json()
    assert data["json_serializable_class_name"] == "TinyCalendar" and data["name"] == calendar.name
    again = TinyTool.from_json(data)
    assert isinstance(again, TinyCalendar) and again.owner_name == "Ana Tools"
    path = tmp_path / "tools" / "wp.json"
    TinyWordProcessor(owner=ana).to_json(file_path=path)
    loaded = TinyWordProcessor.from_json(str(path))
    assert isinstance(loaded, TinyWordProcessor) and loaded.owner_name == "Ana Tools"
    assert "owner" not in calendar.to_json(suppress=["owner"])


def test_tool_used_by_another_agent_is_a_value_error():
    owner, intruder = TinyPerson("Tool Owner"), TinyPerson("Tool Intruder")
    calendar = TinyCalendar(owner=owner)
    with pytest.raises(ValueError, match="cannot use"):
        calendar.process_action(intruder, {"type": "CREATE_EVENT", "content": "{}"})


def test_duplicate_names_and_rules_are_value_errors():
    TinyPerson("Only Once")
    with pytest.raises(ValueError):
        TinyPerson("Only Once")
    assert issubclass(SimulationError, ValueError) and issubclass(SpecificationError, ValueError)
    reducer = ResultsReducer()
    reducer.add_reduction_rule("TALK", lambda *a, **k: None)
    with pytest.raises(ValueError):
        reducer.add_reduction_rule("TALK", lambda *a, **k: None)


def test_normalizer_deduplicates_and_falls_back_to_identity(scripted):
    scripted.queue({"categories": ["Price", "Taste"]})
    normalizer = Normalizer(["too expensive", "too expensive", "bland", "bland", "pricey"], n=2)
    assert normalizer.elements == ["too expensive", "bland", "pricey"]
    assert normalizer.normalized_mapping() == {"too expensive": "too expensive", "bland": "bland", "pricey": "pricey"}
    with pytest.raises(ValueError):
        Normalizer([], n=2)


def test_styler_cache_entries_have_the_originals_shape(scripted):
    scripted.queue("```\nArr, the shop opens at nine.\n```")
    styler = TinyStyler(use_past_results_in_context=True)
    styler.apply_style("The shop opens at 9.", "a pirate")
    assert styler.context_cache == [{"original": "The shop opens at 9.", "style": "a pirate",
                                     "styled": "Arr, the shop opens at nine."}]
    scripted.queue("```\nArr, it closes at five.\n```")
    styler.apply_style("It closes at 5.", "a pirate")
    assert "Arr, the shop opens at nine." in scripted.requests[-1].messages[-1].content


def test_text_export_is_written_as_given(tmp_path):
    path = ArtifactExporter(tmp_path).export("memo", "  Line one\n  Line two", "Document", target_format="txt")
    assert path.read_text() == "Line one\nLine two"


def test_report_from_interactions_takes_the_title_second(scripted):
    scripted.queue("# Lunch review\nAll good.")
    ana = TinyPerson("Ana Reporter")
    ana.think("The soup was cold.")
    reporter = ResultsReporter()
    report = reporter.report_from_interactions([ana], "Lunch review", False)
    assert report.startswith("# Lunch review") and "Lunch review" in scripted.last_prompt()
    assert hasattr(reporter, "display_report") and hasattr(reporter, "save_report")
