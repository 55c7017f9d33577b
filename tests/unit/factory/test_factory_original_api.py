"""The original factory's names: sampling plan, person factories, argument order."""

from __future__ import annotations

import inspect
import json

import pytest
from factory_support import persona_responder

from tinytroupe.errors import SpecificationError
from tinytroupe.factory import TinyPersonFactory

AGE_GENDER = {"age": {"18-29": 0.5, "30-49": 0.5}, "gender": {"Female": 0.5, "Male": 0.5}}


def test_initialize_sampling_plan_draws_the_whole_population_up_front(scripted):
    scripted.responder = persona_responder()
    factory = TinyPersonFactory(context="A village", dimensions=AGE_GENDER, total_population_size=6, seed=3)
    assert factory.remaining_characteristics_sample is None
    plan = factory.initialize_sampling_plan()
    assert len(plan) == 6 and all({"age", "gender"} <= set(e) for e in plan)
    assert factory.initialize_sampling_plan() == plan  # nothing new is drawn
    people = factory.generate_people(2)
    assert len(people) == 2 and len(factory.remaining_characteristics_sample) == 4
    assert factory.population_size == 6 and factory.context_text == "A village"


def test_initialize_sampling_plan_needs_a_population_size():
    with pytest.raises(ValueError, match="total_population_size"):
        TinyPersonFactory(context="x").initialize_sampling_plan()


def test_generate_people_takes_the_originals_arguments_in_its_order(scripted):
    scripted.responder = persona_responder()
    params = [n for n, p in inspect.signature(TinyPersonFactory.generate_people).parameters.items()
              if p.kind != p.KEYWORD_ONLY][1:]  # keyword-only additions (executor=) are ours
    assert params == ["number_of_people", "agent_particularities", "temperature", "frequency_penalty",
                      "presence_penalty", "attempts", "post_processing_func", "parallelize", "verbose"]
    person_params = list(inspect.signature(TinyPersonFactory.generate_person).parameters)[1:]
    assert person_params == ["agent_particularities", "temperature", "frequency_penalty", "presence_penalty",
                             "attempts", "post_processing_func"]
    factory = TinyPersonFactory(context="A port town", dimensions=AGE_GENDER, seed=4)
    tagged = factory.generate_people(2, None, 1.0, 0.0, 0.0, 5, lambda p: p.define("tag", "panel"))
    assert [p.get("tag") for p in tagged] == ["panel", "panel"]


def test_penalties_are_accepted_with_one_warning(scripted, monkeypatch):
    from tinytroupe import log_setup

    scripted.responder = persona_responder()
    log_setup.forget_warnings()
    factory = TinyPersonFactory(context="A port town", dimensions=AGE_GENDER, seed=5)
    with pytest.warns(UserWarning, match="agent_particularities"):
        assert factory.generate_person(frequency_penalty=0.5) is not None
    assert all(r.frequency_penalty is None for r in scripted.requests)


def test_generate_person_factories_makes_one_factory_per_description(scripted):
    scripted.queue(json.dumps({"descriptions": ["A retired fisherman.", "A young nurse.", "A shop owner."]}))
    factories = TinyPersonFactory.generate_person_factories(3, "A coastal town in Portugal")
    assert [f.context for f in factories] == ["A retired fisherman.", "A young nurse.", "A shop owner."]
    assert all(isinstance(f, TinyPersonFactory) for f in factories)
    sent = scripted.requests[-1]
    assert "3" in sent.messages[-1].content and "coastal town" in sent.messages[-1].content
    with pytest.raises(SpecificationError):
        TinyPersonFactory.generate_person_factories(0, "x")
