"""ResultsExtractor with the scripted model: prompts, typed fields, concurrency, worlds, files."""

from __future__ import annotations

import asyncio
import json

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.errors import StructuredOutputError
from tinytroupe.extraction import ResultsExtractor, default_extractor
from tinytroupe.extraction.fields import field_specs, parse_hint
from tinytroupe.llm import ScriptedModel
from tinytroupe.llm.base import ModelWrapper
from tinytroupe.llm.providers.scripted_replies import schema_responder

HINTS = {"rating": "rating is an integer from 1 to 5"}


class InFlight(ModelWrapper):
    """Counts how many requests are being answered at once."""

    def __init__(self, inner):
        super().__init__(inner)
        self.now = self.peak = 0

    async def complete(self, request):
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            return await self.inner.complete(request)
        finally:
            self.now -= 1


def person(name: str, said: str) -> TinyPerson:
    agent = TinyPerson(name)
    agent.listen("How would you rate our new bakery app?", source="Moderator")
    agent.record_event("action", "TALK", said, target="Moderator")
    return agent


def test_the_prompt_holds_the_trajectory_objective_situation_and_fields():
    model = ScriptedModel(responder=schema_responder(1))
    lisa = person("Lisa", "I'd give it a four, the pre-ordering is handy.")
    result = ResultsExtractor(model=model).extract_results_from_agent(
        lisa, extraction_objective="Find Lisa's rating of the app.", situation="A focus group on a bakery app.",
        fields=["rating", "reason"], fields_hints=HINTS)
    prompt = model.last_prompt()
    for needle in ("Find Lisa's rating of the app.", "A focus group on a bakery app.",
                   "How would you rate our new bakery app?", "I'd give it a four", "- rating: rating is an integer",
                   "- reason: text"):
        assert needle in prompt
    assert set(result) == {"rating", "reason"}
    request = model.requests[0]
    assert request.tags == {"purpose": "extraction", "agent": "Lisa"} and request.temperature == 0.0


def test_twenty_agents_are_extracted_concurrently_with_typed_in_range_ratings():
    model = InFlight(ScriptedModel(responder=schema_responder(2), latency=0.05))
    agents = [person(f"Person {i}", f"I would rate it {1 + i % 5}.") for i in range(20)]
    extractor = ResultsExtractor(model=model)
    results = extractor.extract_results_from_agents(agents, fields=["rating", "reason"], fields_hints=HINTS)
    assert len(results) == 20
    for result in results:
        assert isinstance(result["rating"], int) and 1 <= result["rating"] <= 5
        assert isinstance(result["reason"], str)
    assert model.peak > 1
    assert set(extractor.agent_extraction) == {a.name for a in agents}


def test_a_reply_out_of_range_is_repaired_into_range():
    model = ScriptedModel([{"rating": 9, "reason": "x"}, {"rating": "4 stars", "reason": "better"}])
    result = ResultsExtractor(model=model).extract_results_from_agent(person("Ana", "four"), fields=["rating", "reason"],
                                                                      fields_hints=HINTS)
    assert result == {"rating": 4, "reason": "better"} and model.calls == 2


def test_results_are_cached_per_agent_until_the_history_changes():
    model = ScriptedModel(responder=schema_responder(3))
    extractor = ResultsExtractor(model=model)
    ana = person("Ana", "five")
    first = extractor.extract_results_from_agent(ana, fields=["rating"], fields_hints=HINTS)
    assert extractor.extract_results_from_agent(ana, fields=["rating"], fields_hints=HINTS) == first
    assert model.calls == 1
    ana.record_event("action", "TALK", "Actually, two.", target="Moderator")
    extractor.extract_results_from_agent(ana, fields=["rating"], fields_hints=HINTS)
    assert model.calls == 2


def test_one_failed_agent_does_not_sink_the_others():
    def respond(request):
        return "nonsense" if request.tags.get("agent") == "Bo" else {"rating": 3}

    extractor = ResultsExtractor(model=ScriptedModel(responder=respond))
    results = extractor.extract_results_from_agents([person("Al", "x"), person("Bo", "y")], fields=["rating"],
                                                    fields_hints=HINTS)
    assert results == [{"rating": 3}, None] and "Bo" in extractor.failures
    with pytest.raises(StructuredOutputError):
        extractor.extract_results_from_agent(TinyPerson.get_agent_by_name("Bo"), fields=["rating"], fields_hints=HINTS)


def test_a_world_extraction_covers_every_agent():
    model = ScriptedModel(responder=schema_responder(4))
    agents = [person(n, f"{n} likes it") for n in ("Ana", "Bruno", "Chloe")]
    world = TinyWorld("Focus room", agents)
    result = ResultsExtractor(model=model).extract_results_from_world(world, fields=["rating", "reason"],
                                                                      fields_hints=HINTS)
    assert set(result["per_agent"]) == {"Ana", "Bruno", "Chloe"}
    for row in result["per_agent"].values():
        assert 1 <= row["rating"] <= 5
    assert 1 <= result["rating"] <= 5
    prompt = model.last_prompt()
    assert all(f"{n} likes it" in prompt for n in ("Ana", "Bruno", "Chloe")) and "Focus room" in prompt
    schema = model.requests[0].response_format.json_schema
    assert schema["$defs"]["PerAgent"]["required"] == ["Ana", "Bruno", "Chloe"]


def test_save_as_json_round_trips(tmp_path):
    model = ScriptedModel(responder=schema_responder(5))
    extractor = ResultsExtractor(model=model)
    world = TinyWorld("Room", [person("Ana", "good"), person("Bo", "bad")])
    extractor.extract_results_from_agents(world.agents, fields=["rating"], fields_hints=HINTS)
    extractor.extract_results_from_world(world, fields=["rating"], fields_hints=HINTS)
    path = extractor.save_as_json(tmp_path / "results.json")
    saved = json.loads(path.read_text())
    assert saved["agent_extractions"] == extractor.agent_extraction
    again = ResultsExtractor().load_json(path)
    assert again.agent_extraction == extractor.agent_extraction
    assert again.world_extraction == extractor.world_extraction


def test_without_fields_the_model_chooses_them_and_defaults_come_from_the_constructor():
    model = ScriptedModel([{"main_points": ["cheap", "fast"]}])
    extractor = ResultsExtractor(situation="A survey.", model=model)
    assert extractor.extract_results_from_agent(person("Ana", "x"), situation=None) == {"main_points": ["cheap", "fast"]}
    assert "A survey." in model.last_prompt() and "Choose field names" in model.last_prompt()
    assert default_extractor.default_fields is None


def test_async_twins_run_inside_an_event_loop():
    model = ScriptedModel(responder=schema_responder(6))
    extractor = ResultsExtractor(model=model)
    out = asyncio.run(extractor.aextract_results_from_agents([person("Ana", "x")], fields=["rating"], fields_hints=HINTS))
    assert 1 <= out[0]["rating"] <= 5


@pytest.mark.parametrize("hint, kind, extra", [
    ("an integer from 1 to 5", "integer", (1, 5)),
    ("rating 1-10", "integer", (1, 10)),
    ("a probability between 0 and 1", "number", (0, 1)),
    ("yes or no", "boolean", None),
    ("one of: A, B or C", "enum", ("A", "B", "C")),
    ("either 'buy' or 'not buy'", "enum", ("buy", "not buy")),
    ("a list of keywords", "list", None),
    ("why they said so", "string", None),
    (int, "integer", None),
    (["x", "y"], "enum", ("x", "y")),
    ({"type": "number", "minimum": 0}, "number", (0, None)),
])
def test_hints_become_types(hint, kind, extra):
    spec = parse_hint("f", hint)
    assert spec.kind == kind
    if kind == "enum":
        assert spec.options == extra
    elif extra:
        assert (spec.minimum, spec.maximum) == extra


def test_hinted_fields_not_listed_are_added():
    assert [s.name for s in field_specs(["a"], {"b": "an integer"})] == ["a", "b"]


def test_the_default_template_is_a_mustache_file_under_prompts_and_is_what_is_sent():
    from pathlib import Path

    model = ScriptedModel(responder=schema_responder(1))
    extractor = ResultsExtractor(model=model)
    path = extractor._extraction_prompt_template_path
    assert "prompts" in path and path.endswith(".mustache") and Path(path).is_file()
    extractor.extract_results_from_agent(person("Lisa", "Four stars."), fields=["rating"])
    system = model.requests[0].messages[0].content
    first_line = Path(path).read_text(encoding="utf-8").splitlines()[0]
    assert system.startswith(first_line) and "{{" not in system and "- rating:" in system
