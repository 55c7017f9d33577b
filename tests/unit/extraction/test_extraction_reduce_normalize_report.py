"""ResultsReducer over a real focus group, the Normalizer, the ResultsReporter and tables."""

from __future__ import annotations

import sys

import pytest

from tinytroupe import events
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.errors import MissingExtraError, SpecificationError
from tinytroupe.extraction import Normalizer, ResultsReducer, ResultsReporter, tables
from tinytroupe.llm import ScriptedModel
from tinytroupe.llm.providers.scripted_replies import schema_responder, talk_responder

COLUMNS = ["author", "target", "kind", "content"]


def focus_group(steps: int = 3) -> TinyWorld:
    agents = [TinyPerson(n) for n in ("Ana", "Bruno", "Chloe")]
    world = TinyWorld("Focus group", agents)
    world.broadcast("What do you think of a bread subscription?", source="Moderator")
    world.run(steps)
    return world


def talk_rule(focus_agent, source_agent, target_agent, kind, event, content, timestamp):
    return {"author": source_agent.name, "target": target_agent.name if target_agent else "",
            "kind": event, "content": content}


@pytest.fixture
def talking(scripted):
    scripted.responder = talk_responder()
    return scripted


def test_a_reducer_over_a_three_step_focus_group_makes_a_row_per_talk_and_conversation(talking):
    world = focus_group(3)
    reducer = ResultsReducer()
    reducer.add_reduction_rule("TALK", talk_rule).add_reduction_rule("CONVERSATION", talk_rule)
    rows = reducer.reduce_world(world)
    expected = [e for a in world.agents for e in a.episodic_memory.retrieve_all()
                if e.type in ("TALK", "CONVERSATION")]
    assert len(rows) == len(expected) > 6
    talks = [r for r in rows if r["kind"] == "TALK"]
    assert talks and all(r["author"] in ("Ana", "Bruno", "Chloe") for r in talks)
    assert all(r["target"] in ("Ana", "Bruno", "Chloe", "") for r in talks)
    heard = [r for r in rows if r["kind"] == "CONVERSATION"]
    assert {r["target"] for r in heard} <= {"Ana", "Bruno", "Chloe"}
    assert any(r["content"] == "What do you think of a bread subscription?" for r in heard)

    frame = reducer.reduce_agent_to_dataframe(world.agents[0], column_names=COLUMNS)
    assert list(frame.columns) == COLUMNS and len(frame) == len(reducer.results["Ana"])
    assert list(reducer.reduce_world_to_dataframe(world, COLUMNS).columns) == COLUMNS


def test_one_rule_per_event_type():
    reducer = ResultsReducer().add_reduction_rule("TALK", talk_rule)
    with pytest.raises(SpecificationError, match="already a rule"):
        reducer.add_reduction_rule("TALK", talk_rule)


def test_without_pandas_the_message_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtraError, match=r"tinytroupe\[analysis\]"):
        tables.to_dataframe([{"a": 1}])


ANSWERS = [f"{kind} answer number {i}" for i, kind in
           enumerate(["price is too high", "love the taste", "delivery is slow", "packaging waste",
                      "great for families", "not sure yet"] * 5)]


def test_the_normalizer_maps_thirty_answers_into_at_most_five_categories_and_caches():
    model = ScriptedModel(responder=schema_responder(7))
    normalizer = Normalizer(ANSWERS, n=5, max_length=20, model=model)
    assert 1 <= len(normalizer.normalized_elements) <= 5
    assert all(len(c) <= 20 for c in normalizer.normalized_elements)
    schema = model.requests[0].response_format.json_schema
    assert schema["properties"]["categories"]["maxItems"] == schema["properties"]["categories"]["minItems"] == 5
    mapping = normalizer.normalize_all()
    assert len(mapping) == 30 and len(set(mapping.values())) <= 5
    assert set(mapping.values()) <= {*normalizer.normalized_elements, "Other"}
    assert all(a in model.requests[0].messages[0].content for a in ANSWERS)

    calls = model.calls
    category = normalizer.normalize("the price should come down")
    assert category in (*normalizer.normalized_elements, "Other") and model.calls == calls + 1
    assert normalizer.normalize("the price should come down") == category and model.calls == calls + 1
    assert normalizer.normalized_mapping()["the price should come down"] == category
    assert all(r.tags["purpose"] == "normalization" for r in model.requests)


def test_the_normalizer_is_deterministic_for_the_same_inputs_and_seed():
    def run():
        model = ScriptedModel(responder=schema_responder(8))
        n = Normalizer(list(reversed(ANSWERS)), n=4, model=model, seed=3)
        return n.normalized_elements, n.normalize_all(), [r.messages for r in model.requests]

    first, second = run(), run()
    assert first == second


def test_other_overflow_keeps_the_count_within_n():
    def respond(request):
        if request.response_format.name == "Categories":
            return {"categories": ["Price", "Taste"]}
        props = request.response_format.json_schema["properties"]
        return {k: ("Other" if int(k) % 3 == 0 else "Price" if int(k) % 3 == 1 else "Taste") for k in props}

    normalizer = Normalizer(ANSWERS[:9], n=2, model=ScriptedModel(responder=respond))
    assert len(set(normalizer.normalize_all().values())) <= 2


def test_report_from_agents_interviews_forks_and_leaves_memories_as_they_were(talking):
    world = focus_group(1)
    before = {a.name: len(a.episodic_memory) for a in world.agents}
    talking.responder = lambda request: (
        talk_responder(lambda r: "I would buy it monthly.")(request)
        if request.response_format.name == "TurnModel" else "# Interviews\n\nEveryone would buy it.")
    reporter = ResultsReporter()
    report = reporter.report_from_agents(world, reporting_task="Would you subscribe?")
    assert report.startswith("# Interviews") and reporter.last_report == report
    assert {a.name: len(a.episodic_memory) for a in world.agents} == before
    assert reporter.last_interviews == {n: "I would buy it monthly." for n in before}
    writer = talking.requests[-1]
    assert writer.tags["purpose"] == "report" and "I would buy it monthly." in writer.messages[1].content

    reporter.report_from_agents(world.agents[0], reporting_task="Again?", fork=False, consolidate_responses=False)
    assert len(world.agents[0].episodic_memory) > before["Ana"]
    assert "I would buy it monthly." in reporter.last_report


def test_report_from_data_and_interactions_save_and_display(scripted, tmp_path):
    scripted.default = "# Data Report\n\nRatings are high."
    reporter = ResultsReporter()
    assert reporter.report_from_data([{"name": "Ana", "rating": 5}]).startswith("# Data Report")
    assert '"rating": 5' in scripted.last_prompt()
    ana = TinyPerson("Ana")
    ana.listen("Hello there", source="Bo")
    reporter.report_from_interactions([ana], reporting_task="What happened?")
    assert "Hello there" in scripted.last_prompt()
    path = reporter.save_report(tmp_path / "report.md")
    assert path.read_text().startswith("# Data Report")
    with events.collect(["report.display"]) as seen:
        reporter.display_report(title="T")
    assert seen.events[0].data["content"].startswith("# Data Report")
    with pytest.raises(SpecificationError, match="no report yet"):
        ResultsReporter().save_report(tmp_path / "x.md")


def test_tables_write_csv_and_json(tmp_path):
    rows = tables.records_from_extractions({"Ana": {"rating": 4, "tags": ["a"]}, "Bo": None})
    assert rows == [{"name": "Ana", "rating": 4, "tags": ["a"]}, {"name": "Bo", "value": None}]
    text = tables.write_csv(rows, tmp_path / "r.csv").read_text()
    assert text.splitlines()[0] == "name,rating,tags,value" and '"[""a""]"' in text


def test_the_normalizer_asks_for_exactly_n_but_takes_fewer():
    model = ScriptedModel(responder=lambda request: {"categories": ["Price"]})
    normalizer = Normalizer(["too dear", "costly", "tasty"], n=10, model=model)
    schema = model.requests[0].response_format.json_schema["properties"]["categories"]
    assert schema["minItems"] == schema["maxItems"] == 3  # never more categories than distinct answers
    assert "exactly 3 categories" in model.requests[0].messages[0].content
    assert normalizer.normalized_elements == ["Price"]
    wide = ScriptedModel(responder=schema_responder(4))
    categories = Normalizer(ANSWERS, n=6, model=wide).normalized_elements
    asked = wide.requests[0].response_format.json_schema["properties"]["categories"]
    assert asked["minItems"] == asked["maxItems"] == 6
    assert 0 < len(categories) <= 6 and len(set(categories)) == len(categories)  # duplicates merged
