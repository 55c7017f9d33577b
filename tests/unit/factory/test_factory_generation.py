"""TinyPersonFactory with the scripted model: plans, cost, uniqueness, reproducibility."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from factory_support import persona_reply, persona_responder, population_file, user_prompt

from tinytroupe import events
from tinytroupe.agent import TinyPerson
from tinytroupe.errors import SpecificationError, StructuredOutputError
from tinytroupe.factory import TinyPersonFactory
from tinytroupe.llm.base import ModelCapabilities, ModelWrapper

AGE_GENDER = {"age": {"18-29": 0.25, "30-49": 0.5, "50-64": 0.25}, "gender": {"Female": 0.5, "Male": 0.5}}


def _usa_factory(size: int, seed: int, **kwargs) -> TinyPersonFactory:
    return TinyPersonFactory.create_factory_from_demography(
        population_file("usa.json"), size, seed=seed, dimensions=["age", "gender"], **kwargs)


@pytest.mark.parametrize("quota", [False, True])
def test_500_usa_people_fit_the_plan_with_unique_names(scripted, quota):
    scripted.responder = persona_responder()  # 900 possible names for 500 people: collisions on purpose
    factory = _usa_factory(500, seed=11, quota=quota)
    with events.collect(["factory."]) as seen:
        people = factory.generate_people()
    assert len(people) == 500
    names = [p.name for p in people]
    assert len(set(names)) == 500 and names == factory.generated_names
    assert len(factory.generated_minibios) == 500
    assert seen.of_kind("factory.retry"), "the responder's collisions should have been retried"
    assert len(seen.of_kind("factory.person")) == 500
    age = factory.goodness_of_fit("age")
    gender = factory.goodness_of_fit("gender")
    assert age.p_value > 0.01 and gender.p_value > 0.01
    if quota:  # exact counts: largest-remainder shares of 500
        assert age.observed == {"0-14": 93, "15-24": 66, "25-54": 197, "55-64": 64, "65+": 80}
        assert gender.observed == {"Male": 246, "Female": 254}


def test_same_seed_same_people_different_seed_different_people(scripted):
    scripted.responder = persona_responder()

    def run(seed):
        TinyPerson.clear_agents()
        factory = TinyPersonFactory(context="A town in Portugal", dimensions=AGE_GENDER, seed=seed)
        return [p.persona for p in factory.generate_people(40)], factory.sampling_plan

    first, plan = run(5)
    again, plan_again = run(5)
    other, _ = run(6)
    assert first == again and plan == plan_again
    assert first != other


def test_one_call_per_person_without_collisions(scripted):
    counter = iter(range(10_000))
    scripted.responder = lambda req: persona_reply(req, name=f"Person Number{next(counter)}")
    factory = TinyPersonFactory(dimensions=AGE_GENDER, seed=1)
    factory.generate_people(30)
    assert scripted.calls == 30
    factory.generate_person()
    assert scripted.calls == 31


def test_description_costs_one_plan_call(scripted):
    proposal = {"dimensions": [
        {"name": "age", "values": [{"value": "20-39", "weight": 60}, {"value": "40-59", "weight": 40}]},
        {"name": "diet", "values": [{"value": "vegan", "weight": 10}, {"value": "omnivore", "weight": 90}]},
        {"name": "empty", "values": [{"value": "x", "weight": 0}]},
    ]}
    counter = iter(range(10_000))

    def responder(req):
        if req.response_format.name == "ProposedSamplingSpace":
            return proposal
        return persona_reply(req, name=f"Someone Unique{next(counter)}")

    scripted.responder = responder
    factory = TinyPersonFactory(sampling_space_description="Adults in Oslo who cook at home", seed=3)
    people = factory.generate_people(12)
    assert scripted.calls == 13 and len(people) == 12
    assert [d.key for d in factory.sampling_dimensions] == ["age", "diet"]
    assert scripted.requests[0].response_format.name == "ProposedSamplingSpace"
    assert "Adults in Oslo" in user_prompt(scripted.requests[0])
    for person in people:
        assert 20 <= person.get("age") <= 59 and person.get("diet") in ("vegan", "omnivore")
    factory.generate_people(3)
    assert scripted.calls == 16  # no second plan call


def test_drawn_values_are_written_as_drawn(scripted):
    scripted.responder = persona_responder(age=99, gender="Other", occupation={"title": "Pilot"})
    factory = TinyPersonFactory(dimensions={**AGE_GENDER, "occupation": ["Nurse", "Baker"]}, seed=2)
    people = factory.generate_people(10)
    for person, entry in zip(people, factory.sampling_plan, strict=True):
        assert person.get("age") == entry["age"] and person.get("gender") == entry["gender"]
        assert person.get("occupation.title") == entry["occupation"]
    request = scripted.requests[0]
    props = request.response_format.json_schema["properties"]
    assert props["age"]["enum"] == [factory.sampling_plan[0]["age"]]
    assert props["gender"]["enum"] == [factory.sampling_plan[0]["gender"]]
    prompt = user_prompt(request)
    assert f"- age: {factory.sampling_plan[0]['age']} (in the {factory.sampling_plan[0]['age_range']} band)" in prompt


def test_prompt_carries_context_particularities_and_taken_names(scripted):
    scripted.responder = persona_responder()
    factory = TinyPersonFactory(context="A hospital in Porto", seed=4)
    first = factory.generate_person("works night shifts")
    factory.generate_person()
    prompt = user_prompt(scripted.requests[0])
    assert "A hospital in Porto" in prompt and "works night shifts" in prompt
    assert first.name in user_prompt(scripted.requests[-1])


def test_taken_name_is_regenerated_then_disambiguated(scripted):
    TinyPerson("Ana Reed")
    scripted.responder = persona_responder(name="Ana Reed")
    factory = TinyPersonFactory(seed=8)
    person = factory.generate_person(attempts=3)
    assert scripted.calls == 3
    assert person.name != "Ana Reed" and person.name.startswith("Ana ") and person.name.endswith(" Reed")
    assert "'Ana Reed' is already used" in user_prompt(scripted.requests[1])


def test_near_duplicate_is_regenerated(scripted):
    names = iter(["Ana Reed", "Rui Costa", "Rui Costa"])
    occupations = iter(["Nurse", "Nurse", "Baker"])
    scripted.responder = lambda req: persona_reply(req, name=next(names), age=40, residence="Porto",
                                                   occupation={"title": next(occupations)})
    factory = TinyPersonFactory(seed=1)
    factory.generate_person()
    second = factory.generate_person()
    assert second.get("occupation.title") == "Baker" and scripted.calls == 3
    assert "already a 40-year-old Nurse living in Porto" in user_prompt(scripted.requests[2])


def test_failed_person_is_left_out_and_reported(scripted):
    counter = iter(range(100))
    scripted.responder = lambda req: persona_reply(req, name=f"Person Number{next(counter)}")
    scripted.queue(*["not json"] * 5, *["still not json"] * 5)
    factory = TinyPersonFactory(seed=1)
    with events.collect(["factory.failed"]) as seen:
        assert factory.generate_person(attempts=5) is None
    assert len(seen.events) == 1 and "no valid GeneratedPersona" in seen.events[0].data["error"]
    assert factory.generate_person() is not None


def test_fatal_errors_stop_the_batch(scripted):
    from tinytroupe.errors import AuthenticationError

    scripted.responder = lambda req: AuthenticationError("bad key", status=401)
    with pytest.raises(AuthenticationError):
        TinyPersonFactory(seed=1).generate_people(5)
    assert StructuredOutputError  # imported for the failure test above


def test_post_processing_and_events(scripted):
    scripted.responder = persona_responder()
    factory = TinyPersonFactory(seed=3)
    with events.collect(["factory.person"]) as seen:
        people = factory.generate_people(4, post_processing_func=lambda p: p.define("tag", "panel-a"),
                                         verbose=True)
    assert [p.get("tag") for p in people] == ["panel-a"] * 4
    assert [e.data["name"] for e in seen.events] == [p.name for p in people]
    assert seen.events[-1].data["index"] == 4 and seen.events[-1].data["batch_size"] == 4
    assert seen.events[0].data["minibio"].startswith(people[0].name)


class _InFlight(ModelWrapper):
    """Counts calls in flight at once."""

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


def test_people_are_generated_concurrently_and_bounded(scripted):
    scripted.responder = persona_responder()
    scripted.latency = 0.01
    model = _InFlight(scripted)
    people = asyncio.run(TinyPersonFactory(seed=1, model=model, concurrency=8).agenerate_people(30))
    assert len(people) == 30 and model.peak == 8
    model.peak = 0
    TinyPersonFactory(seed=2, model=model).generate_people(5, parallelize=False)
    assert model.peak == 1


def test_number_of_people_defaults_to_the_rest_of_the_population(scripted):
    scripted.responder = persona_responder()
    factory = TinyPersonFactory(dimensions=AGE_GENDER, total_population_size=6, seed=1)
    assert len(factory.generate_people(2)) == 2
    assert len(factory.generate_people()) == 4
    assert Counter(e["gender"] for e in factory.sampling_plan) == {"Female": 3, "Male": 3}
    assert factory.generate_people() == [] and factory.generate_people(1) == []  # nobody is left
    with pytest.raises(ValueError, match="Cannot generate more people than the population size"):
        factory.generate_people(7)
    with pytest.raises(SpecificationError, match="give number_of_people"):
        TinyPersonFactory().generate_people()


def test_save_and_load_population(scripted, tmp_path):
    scripted.responder = persona_responder()
    factory = TinyPersonFactory(dimensions=AGE_GENDER, seed=9)
    people = factory.generate_people(5)
    paths = factory.save_population(tmp_path / "panel")
    assert len(paths) == 5 and all(p.name.endswith(".agent.json") for p in paths)
    personas = {p.name: p.persona for p in people}
    TinyPerson.clear_agents()
    loaded = TinyPersonFactory.load_population(tmp_path / "panel")
    assert {p.name: p.persona for p in loaded} == personas
    with pytest.raises(SpecificationError, match="population folder not found"):
        TinyPersonFactory.load_population(tmp_path / "missing")


def test_state_round_trip_continues_the_same_way(scripted):
    scripted.responder = persona_responder()
    factory = TinyPersonFactory(dimensions=AGE_GENDER, seed=4)
    factory.generate_people(3)
    state = factory.to_dict()
    later = [p.persona for p in factory.generate_people(3)]
    for person in factory.generated_people[3:]:
        TinyPerson.all_agents.pop(person.name)
    resumed = TinyPersonFactory.from_dict(state)
    assert [p.persona for p in resumed.generate_people(3)] == later


def test_goodness_of_fit_unknown_dimension():
    with pytest.raises(SpecificationError, match="no dimension 'age'"):
        TinyPersonFactory().goodness_of_fit("age")


def test_detail_auto_is_compact_on_a_small_model(scripted):
    scripted.responder = persona_responder()
    TinyPersonFactory(seed=1).generate_person()
    assert "other_facts" in scripted.requests[-1].response_format.json_schema["properties"]
    scripted.capabilities = ModelCapabilities(small=True)  # what the embedded model reports
    TinyPersonFactory(seed=2).generate_person()
    assert "other_facts" not in scripted.requests[-1].response_format.json_schema["properties"]
    assert scripted.requests[-1].max_tokens == 600
    with pytest.raises(SpecificationError, match="detail must be auto, full or compact"):
        TinyPersonFactory(detail="long")


def test_concurrent_first_calls_share_one_plan_call(scripted):
    proposal = {"dimensions": [{"name": "city", "values": [{"value": "Oslo", "weight": 1},
                                                           {"value": "Bergen", "weight": 1}]}]}
    counter = iter(range(100))

    def responder(req):
        if req.response_format.name == "ProposedSamplingSpace":
            return proposal
        return persona_reply(req, name=f"Someone Unique{next(counter)}")

    scripted.responder = responder
    scripted.latency = 0.01
    factory = TinyPersonFactory(sampling_space_description="Norwegians", seed=1)

    async def main():
        return await asyncio.gather(*[factory.agenerate_person() for _ in range(5)])

    people = asyncio.run(main())
    assert all(p is not None and p.get("city") in ("Oslo", "Bergen") for p in people)
    assert [r.response_format.name for r in scripted.requests].count("ProposedSamplingSpace") == 1
    assert scripted.calls == 6


def test_state_keeps_detail_and_finds_people_by_name(scripted):
    scripted.responder = persona_responder()
    factory = TinyPersonFactory(seed=4, detail="compact")
    people = factory.generate_people(2)
    again = TinyPersonFactory.from_dict(factory.to_dict())
    assert again.detail == "compact"
    assert again.generated_people == people and again.generated_names == factory.generated_names


def test_demography_argument_errors_name_what_to_pass():
    with pytest.raises(ValueError, match="must be either a string or a dictionary"):
        TinyPersonFactory.create_factory_from_demography(123, population_size=10)
    with pytest.raises(ValueError, match="population_size must be specified"):
        TinyPersonFactory.create_factory_from_demography({"content": {}}, population_size=None)


def test_a_batch_larger_than_what_is_left_is_cut_to_the_rest(scripted, caplog):
    scripted.responder = persona_responder()
    factory = TinyPersonFactory(dimensions=AGE_GENDER, total_population_size=4, seed=3)
    assert len(factory.generate_people(3)) == 3
    with caplog.at_level("WARNING", logger="tinytroupe"):
        assert len(factory.generate_people(3)) == 1
    assert "only 1 of the factory's 4 people are left" in caplog.text
    assert factory.generate_people(2) == []
