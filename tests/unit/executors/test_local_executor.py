"""The executor seam without Ray: surveys and factories cut into shards give what one process gives."""

from __future__ import annotations

import sys

import pytest

from tinytroupe import fanout
from tinytroupe.agent import TinyPerson
from tinytroupe.errors import ConfigError, MissingExtraError
from tinytroupe.executors import LocalExecutor, executor_named
from tinytroupe.factory import TinyPersonFactory
from tinytroupe.survey import LikertQuestion, SingleChoiceQuestion, Survey

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "factory"))
from factory_support import persona_responder  # noqa: E402

AGE_GENDER = {"age": {"18-29": 0.25, "30-49": 0.5, "50-64": 0.25}, "gender": {"Female": 0.5, "Male": 0.5}}


def test_split_keeps_order_and_sizes():
    assert fanout.split(list(range(7)), 3) == [[0, 1, 2], [3, 4], [5, 6]]
    assert fanout.split([1, 2], 5) == [[1], [2]]
    assert fanout.split([], 3) == []


def test_only_registered_tinytroupe_tasks_resolve():
    with pytest.raises(ConfigError, match="only registered tinytroupe tasks"):
        fanout.resolve_task("os:system")
    with pytest.raises(ConfigError, match="not registered"):
        fanout.resolve_task("tinytroupe.fanout:split")
    assert fanout.resolve_task("tinytroupe.survey.shards:answer_shard").__name__ == "answer_shard"


def test_executor_named_and_errors():
    assert isinstance(executor_named(None), LocalExecutor)
    assert executor_named("local", workers=3).workers == 3
    with pytest.raises(ConfigError, match="unknown"):
        executor_named("dask")
    with pytest.raises(ConfigError, match="no address"):
        executor_named("local", address="auto")


def test_asking_for_ray_without_it_names_the_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    with pytest.raises(MissingExtraError, match=r'pip install -e "\.\[ray\]"'):
        executor_named("ray")


def test_importing_tinytroupe_does_not_import_ray():
    import subprocess

    code = "import sys, tinytroupe, tinytroupe.executors, tinytroupe.survey, tinytroupe.factory; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _survey_reply(request):
    who = request.tags["agent"]
    n = sum(map(ord, who + request.messages[-1].content[-60:]))
    props = request.response_format.json_schema["properties"]
    if "enum" in props["answer"]:
        return {"answer": props["answer"]["enum"][n % len(props["answer"]["enum"])], "justification": who}
    return {"answer": n % 5 + 1, "justification": who}


SURVEY = Survey([LikertQuestion(text="I would buy this gazpacho.", name="buy"),
                 SingleChoiceQuestion(text="Where do you shop?", name="shop", options=["market", "online", "shop"])],
                remember=True)


def _contents(person):
    return [str(getattr(e, "content", e)) for e in person.episodic_memory.retrieve_all()]


def _respondents():
    TinyPerson.clear_agents()
    people = [TinyPerson(f"Respondent {i}") for i in range(7)]
    people[2].listen("I tasted it yesterday at the fair.")
    return people


@pytest.mark.parametrize("workers", [1, 3])
def test_a_sharded_survey_equals_the_one_process_survey(scripted, workers):
    scripted.responder = _survey_reply
    plain_people = _respondents()
    plain = SURVEY.run(plain_people)
    assert len(plain_people[0].episodic_memory) == 4  # remember=True: each question and its answer
    sharded_people = _respondents()
    sharded = SURVEY.run(sharded_people, executor=LocalExecutor(workers))
    assert [r.to_dict() for r in sharded.responses] == [r.to_dict() for r in plain.responses]
    assert sharded.table() == plain.table() and sharded.respondents == plain.respondents
    for a, b in zip(plain_people, sharded_people, strict=True):  # the driver recorded the answers too
        assert sorted(_contents(a)) == sorted(_contents(b))
    assert scripted.calls == 2 * 7 * 2
    sharded_prompts = [r.messages[-1].content for r in scripted.requests[14:] if r.tags["agent"] == "Respondent 2"]
    assert sharded_prompts and all("tasted it yesterday" in p for p in sharded_prompts)  # memories travel


def test_a_sharded_factory_makes_the_same_people(scripted):
    scripted.responder = persona_responder()  # name collisions on purpose: retries must settle the same way

    def run(executor):
        TinyPerson.clear_agents()
        factory = TinyPersonFactory(context="A town in Portugal", dimensions=AGE_GENDER, seed=5)
        people = factory.generate_people(40, executor=executor)
        return [p.persona for p in people], factory.generated_names

    assert run(None) == run(LocalExecutor(3)) == run(LocalExecutor(5))
