"""Interventions fire exactly in the steps where their precondition holds."""

from __future__ import annotations

import asyncio

import pytest

from tinytroupe import events
from tinytroupe.environment import Intervention, TinyWorld
from tinytroupe.errors import SimulationError
from tinytroupe.steering import InterventionBatch


def test_fires_exactly_when_the_precondition_holds(fake):
    ann, bob = fake("Ann"), fake("Bob")
    world = TinyWorld("Room", [ann, bob])
    fired_at: list[int] = []
    nudge = (Intervention(ann, name="nudge")
             .set_functional_precondition(lambda target, w: w.simulation_step % 2 == 0)
             .set_effect(lambda target, w: (fired_at.append(w.simulation_step), target.think("be bold"))))
    world.add_intervention(nudge)
    with events.collect(["world.intervention"]) as c:
        world.run(5)
    assert fired_at == [2, 4]
    assert [e.data["step"] for e in c.events] == [2, 4]
    assert all(e.data["name"] == "nudge" and e.data["world"] == "Room" for e in c.events)
    assert [t for k, t, _ in ann.received if k == "THOUGHT"] == ["be bold", "be bold"]


def test_effects_come_before_agents_act_in_that_step(fake):
    ann = fake("Ann")
    world = TinyWorld("Room", [ann], interventions=[
        Intervention(ann).set_effect(lambda target: target.listen("wake up", source=None))])
    world.run(1)
    assert [c for _, c, _ in ann.acted_after[0]] == ["wake up"]


def test_one_argument_functions_like_tinytroupe_and_async_functions(fake):
    ann = fake("Ann")
    calls: list[str] = []

    async def effect(target, world):
        await asyncio.sleep(0)
        calls.append(f"{target[0].name}@{world.name}")

    item = Intervention([ann]).set_functional_precondition(lambda targets: len(targets) == 1).set_effect(effect)
    TinyWorld("Room", [ann], interventions=[item]).run(2)
    assert calls == ["Ann@Room", "Ann@Room"]


def test_an_intervention_without_a_precondition_always_fires_and_one_without_effect_says_so(fake):
    ann = fake("Ann")
    with pytest.raises(SimulationError, match="set_effect"):
        TinyWorld("Room", [ann], interventions=[Intervention(ann, name="empty")]).run(1)
    with pytest.raises(SimulationError, match="targets"):
        Intervention([])


def test_create_for_each_builds_one_per_target(fake):
    ann, bob = fake("Ann"), fake("Bob")
    batch = Intervention.create_for_each([ann, bob], name="hint")
    assert isinstance(batch, InterventionBatch) and len(batch) == 2
    batch.set_functional_precondition(lambda t: t.name == "Bob").set_effect(lambda t: t.think("hint"))
    world = TinyWorld("Room", [ann, bob], interventions=batch.as_list())
    world.run(1)
    assert [i.name for i in batch] == ["hint_0", "hint_1"]
    assert [k for k, *_ in ann.received] == [] and [k for k, *_ in bob.received] == ["THOUGHT"]


def test_textual_precondition_uses_the_judge_it_is_given(fake):
    ann = fake("Ann")
    seen: list[tuple] = []

    def judge(text, targets, world):
        seen.append((text, targets.name, world.simulation_step))
        return world.simulation_step == 1

    fired: list[int] = []
    item = Intervention(ann).set_textual_precondition("Ann looks bored", judge=judge) \
        .set_effect(lambda t, w: fired.append(w.simulation_step))
    TinyWorld("Room", [ann], interventions=[item]).run(2)
    assert seen == [("Ann looks bored", "Ann", 1), ("Ann looks bored", "Ann", 2)] and fired == [1]
    assert item.last_checks == {"text": False}


def test_textual_precondition_without_a_judge_asks_a_proposition_of_the_default_model(scripted):
    from tinytroupe.agent import TinyPerson
    from tinytroupe.llm.providers.scripted_replies import is_judge_request, judge_reply

    asked: list[str] = []

    def respond(request):
        if is_judge_request(request):
            asked.append(" ".join(m.content for m in request.messages))
            return judge_reply(9 if len(asked) == 1 else 0, "as seen", request)
        return {"actions": [], "cognitive_state": {}}

    scripted.responder = respond
    ann = TinyPerson("Ann")
    fired: list[int] = []
    item = Intervention(ann).set_textual_precondition("Ann looks bored").set_effect(
        lambda t, w: fired.append(w.simulation_step))
    TinyWorld("Room", [ann], interventions=[item]).run(2)
    assert len(asked) == 2 and all("Ann looks bored" in text for text in asked)
    assert fired == [1]


class Claim:
    """A proposition object as the validation package will provide (sync and async)."""

    def __init__(self, verdicts, scores=None):
        self.verdicts, self.scores, self.targets = list(verdicts), list(scores or []), []

    def check(self, target=None):
        self.targets.append(target)
        return self.verdicts.pop(0)

    async def ascore(self, target=None):
        self.targets.append(target)
        return self.scores.pop(0)


def test_propositional_preconditions_check_or_score_against_a_threshold(fake):
    ann = fake("Ann")
    checked, scored = Claim([True, False]), Claim([], scores=[3, 8])
    fired: list[str] = []
    by_check = Intervention(ann, name="c").set_propositional_precondition(checked) \
        .set_effect(lambda t, w: fired.append(f"c{w.simulation_step}"))
    by_score = Intervention(ann, name="s").set_propositional_precondition(scored, threshold=7) \
        .set_effect(lambda t, w: fired.append(f"s{w.simulation_step}"))
    TinyWorld("Room", [ann], interventions=[by_check, by_score]).run(2)
    assert fired == ["c1", "s2"]
    assert checked.targets == [ann, ann] and scored.targets == [ann, ann]
    assert "proposition precondition met" in by_score.precondition_justification()


def test_sync_execute_outside_a_world(fake):
    ann = fake("Ann")
    item = Intervention(ann).set_functional_precondition(lambda t: True).set_effect(lambda t: t.think("x"))
    assert item.execute() is True and item() is True
    assert [k for k, *_ in ann.received] == ["THOUGHT", "THOUGHT"]
