"""Textual intervention preconditions are propositions checked by the judge model."""

from __future__ import annotations

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import Intervention, TinyWorld
from tinytroupe.testing.agent_replies import is_judge_request, judge_reply, talk_responder


def test_a_textual_precondition_asks_the_judge_about_the_targets(scripted):
    turns = talk_responder(lambda request: "So bored here.")
    verdicts = iter([False, True])

    def respond(request):
        if is_judge_request(request):
            return judge_reply(9 if next(verdicts) else 0, "judged", request)
        return turns(request)

    scripted.responder = respond
    ann = TinyPerson("Ann")
    ann.think("This meeting is dull.")
    fired = []
    item = (Intervention(ann, name="cheer up").set_textual_precondition("Ann looks bored")
            .set_effect(lambda target, world: fired.append(world.simulation_step)))
    TinyWorld("Room", [ann], interventions=[item]).run(2)
    judges = [r for r in scripted.requests if is_judge_request(r)]
    assert len(judges) == 2 and fired == [2]
    assert "Ann looks bored" in judges[0].messages[-1].content
    assert "This meeting is dull." in judges[0].messages[-1].content
    assert judges[0].tags["intervention"] == "cheer up" and judges[0].tags["purpose"] == "judge"


def test_a_separate_judge_can_be_installed(scripted):
    from tinytroupe.experimentation import set_default_judge

    judge = llm.ScriptedModel(responder=lambda r: judge_reply(9, "yes", r))
    set_default_judge(judge)
    try:
        ann = TinyPerson("Ann")
        item = Intervention(ann).set_textual_precondition("Ann is here").set_effect(lambda t: None)
        assert item.check_precondition() is True
    finally:
        set_default_judge(None)
    assert judge.calls == 1 and scripted.calls == 0
