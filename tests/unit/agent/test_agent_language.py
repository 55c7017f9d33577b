"""People who speak their own language: the persona's language reaches the agent's system prompt,
the scripted model answers in it, and extraction keeps the same columns as an English run."""

from __future__ import annotations

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.agent.languages import language_line, persona_language
from tinytroupe.environment import TinyWorld
from tinytroupe.extraction import tables
from tinytroupe.extraction.normalizer import Normalizer
from tinytroupe.extraction.results_extractor import ResultsExtractor
from tinytroupe.llm import ScriptedModel
from tinytroupe.llm.providers.scripted_languages import LINES
from tinytroupe.llm.providers.scripted_replies import offline_responder


@pytest.mark.parametrize("persona, language", [
    ({"nationality": "Brazilian"}, "Portuguese"),
    ({"nationality": "German"}, "German"),
    ({"nationality": "American", "residence": "Berlin, Germany"}, "English"),
    ({"nationality": "Swiss"}, "English"),  # ambiguous: not guessed
    ({"nationality": "German-Brazilian"}, "English"),  # two languages: not guessed
    ({"residence": "Munich, Germany"}, "German"),
    ({"nationality": "Brazilian", "language": "en"}, "English"),  # the explicit field wins
    ({"language": "pt-BR"}, "Portuguese"),
    ({"language": "swahili"}, "Swahili"),
    ({}, "English"),
])
def test_the_language_is_the_explicit_field_else_inferred_where_unambiguous(persona, language):
    assert persona_language(persona) == language


def _person(name, **fields):
    person = TinyPerson(name)
    for key, value in fields.items():
        person.define(key, value)
    return person


def test_english_speakers_prompts_do_not_change():
    assert language_line("English") == language_line("") == ""
    ann = _person("Ann", nationality="American")
    plain = ann.turn_prompt()
    assert plain.language == "English"
    assert plain.system() == plain.__class__(**{**plain.__dict__, "language": ""}).system()
    assert "Language:" not in plain.system()


def _focus_group(people, name="Focus group"):
    model = ScriptedModel(responder=offline_responder(3))
    from tinytroupe import llm

    llm.set_default_model(model)
    world = TinyWorld(name, people)
    world.make_everyone_accessible()
    world.broadcast("What do you think of a reusable coffee cup that folds flat?")
    world.run(1)
    extractor = ResultsExtractor(fields=["opinion", "would_buy"], model=model)
    results = extractor.extract_results_from_agents(people, "Each person's opinion of the cup.")
    rows = tables.records_from_extractions({p.name: r for p, r in zip(people, results, strict=True)})
    return model, rows


def _said(person):
    return [e.content for e in person.episodic_memory.retrieve_all() if e.role == "action" and e.type == "TALK"]


def test_a_portuguese_and_a_german_person_each_speak_their_language_and_extraction_keeps_its_columns():
    ana = _person("Ana", nationality="Brazilian", occupation="Nurse")
    jonas = _person("Jonas", nationality="German", occupation="Engineer")
    model, rows = _focus_group([ana, jonas])
    turns = {r.tags["agent"]: r for r in model.requests if r.tags.get("purpose") == "agent_turn"}
    assert "only in Portuguese" in turns["Ana"].messages[0].content
    assert "only in German" in turns["Jonas"].messages[0].content
    assert _said(ana) and all(line in LINES["Portuguese"] for line in _said(ana))
    assert _said(jonas) and all(line in LINES["German"] for line in _said(jonas))

    TinyPerson.clear_agents()
    ann, bob = _person("Ann", nationality="American"), _person("Bob", nationality="British")
    english, english_rows = _focus_group([ann, bob], "English group")
    assert [sorted(r) for r in rows] == [sorted(r) for r in english_rows] == [["name", "opinion", "would_buy"]] * 2
    assert not any("Language:" in r.messages[0].content for r in english.requests)
    assert _said(ann) and all(line in LINES["English"] for line in _said(ann))


def test_extraction_and_normalisation_write_values_in_the_requested_language():
    model = ScriptedModel(responder=offline_responder(1))
    ana = _person("Ana", nationality="Brazilian")
    extractor = ResultsExtractor(fields=["opinion"], model=model, output_language="Portuguese")
    result = extractor.extract_results_from_agent(ana, "Ana's opinion.")
    assert list(result) == ["opinion"]
    assert "Write every value in Portuguese" in model.requests[-1].messages[0].content
    english = ResultsExtractor(fields=["opinion"], model=model)
    english.extract_results_from_agent(ana, "Ana's opinion.")
    assert "Write every value" not in model.requests[-1].messages[0].content  # English: prompt as before
    Normalizer(["caro", "barato"], n=2, model=model, output_language="German")
    assert "Write every value in German" in model.requests[-1].messages[-1].content
