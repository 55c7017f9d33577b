"""Action quality checks on propositions: per-criterion scores, regeneration with that criterion's
feedback, direct correction, PoorQualityActionException, per-agent settings."""

from __future__ import annotations

import pytest

from tinytroupe import events, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.agent.quality import ActionGenerator
from tinytroupe.config import config_manager
from tinytroupe.errors import PoorQualityActionException
from tinytroupe.testing.agent_replies import act_reply, is_judge_request, is_turn_request, judge_reply

THREE = {"enable_quality_checks": True, "enable_quality_check_for_persona_adherence": True,
         "enable_quality_check_for_fluency": True, "enable_quality_check_for_suitability": True,
         "quality_threshold": 6, "action_generator_max_attempts": 3}


def script(model, turns, score):
    """Turn requests get the next of ``turns``; judge requests ``score(criterion, prompt)``."""
    pending = list(turns)

    def respond(request):
        if is_judge_request(request):
            prompt = "\n".join(m.content for m in request.messages)
            criterion = request.tags["criterion"]
            return judge_reply(score(criterion, prompt), f"{criterion} judged on what was said", request)
        if is_turn_request(request):
            return pending.pop(0)
        if request.response_format.name == "CorrectedActions":
            return {"actions": [{"type": "TALK", "content": "Long shift, but the ward is calm tonight.",
                                 "target": ""}]}
        raise AssertionError(f"unexpected request {request.response_format.name}")

    model.responder = respond
    return model


def nurse():
    ana = TinyPerson("Ana")
    ana.define("occupation", {"title": "Nurse"})
    return ana


def robotic(criterion, prompt):
    if "Beep boop" in prompt and criterion == "persona_adherence":
        return 2
    return 8


def test_off_by_default_no_judge_calls(scripted):
    scripted.queue(act_reply(("TALK", "hi")))
    TinyPerson("Ana").act()
    assert scripted.calls == 1


def test_a_low_score_on_one_of_three_criteria_regenerates_with_that_feedback(scripted):
    config_manager.update_multiple(THREE)
    script(scripted, [act_reply(("TALK", "Beep boop, I am a robot.")),
                      act_reply(("TALK", "Long shift today, but the ward is calm."))], robotic)
    ana = nurse()
    with events.collect(["agent.quality"]) as seen:
        entries = ana.act(return_actions=True)
    assert entries[0]["action"]["content"] == "Long shift today, but the ward is calm."
    assert [e.data["passed"] for e in seen.events] == [False, True]
    assert seen.events[0].data["scores"] == {"persona_adherence": 2, "fluency": 8, "suitability": 8}
    turns = [r for r in scripted.requests if is_turn_request(r)]
    assert len(turns) == 2
    feedback = turns[1].messages[-1].content
    assert "persona adherence (2/9): persona_adherence judged on what was said" in feedback
    assert "fluency (" not in feedback and "suitability (" not in feedback
    assert "Beep boop" in feedback
    judges = [r for r in scripted.requests if is_judge_request(r)]
    assert len(judges) == 6 and {r.tags["criterion"] for r in judges} == {"persona_adherence", "fluency", "suitability"}
    persona_prompt = next(r for r in judges if r.tags["criterion"] == "persona_adherence").messages
    assert "Nurse" in "\n".join(m.content for m in persona_prompt)
    stats = ana.quality_stats
    assert (stats.checks, stats.regenerations, stats.passed, stats.failed) == (2, 1, 1, 0)
    assert stats.criteria_scores == {"persona_adherence": [2, 8], "fluency": [8, 8], "suitability": [8, 8]}
    assert stats.scores == [2, 8]


def test_direct_correction_rewrites_the_action(scripted):
    config_manager.update_multiple({**THREE, "enable_direct_correction": True})
    script(scripted, [act_reply(("TALK", "Beep boop, I am a robot."))], robotic)
    ana = nurse()
    entries = ana.act(return_actions=True)
    assert entries[0]["action"] == {"type": "TALK", "content": "Long shift, but the ward is calm tonight.",
                                    "target": ""}
    assert len([r for r in scripted.requests if is_turn_request(r)]) == 1  # corrected, not regenerated
    correction = next(r for r in scripted.requests if r.response_format.name == "CorrectedActions")
    assert "persona adherence (2/9)" in correction.messages[-1].content
    assert correction.tags["purpose"] == "judge"
    assert ana.quality_stats.direct_corrections == 1 and ana.quality_stats.passed == 1


def test_without_continue_on_failure_poor_quality_raises(scripted):
    config_manager.update_multiple({**THREE, "continue_on_failure": False, "action_generator_max_attempts": 2})
    script(scripted, [act_reply(("TALK", "Beep boop.")), act_reply(("TALK", "Beep boop again."))], robotic)
    with pytest.raises(PoorQualityActionException, match="CONTINUE_ON_FAILURE") as caught:
        nurse().act()
    assert caught.value.scores["persona_adherence"] == 2


def test_with_continue_on_failure_the_best_is_kept(scripted):
    config_manager.update_multiple({**THREE, "quality_threshold": 9})
    scores = iter([3, 8, 8, 5, 8, 8, 1, 8, 8])

    def score(criterion, prompt):
        return next(scores) if criterion == "persona_adherence" else 8

    script(scripted, [act_reply(("THINK", "first")), act_reply(("THINK", "second")), act_reply(("THINK", "third"))],
           score)
    ana = nurse()
    entries = ana.act(return_actions=True)
    assert entries[0]["action"]["content"] == "second"
    assert ana.quality_stats.failed == 1 and ana.quality_stats.regenerations == 2


def test_only_talk_and_think_are_judged(scripted):
    config_manager.update_multiple(THREE)
    script(scripted, [act_reply()], lambda c, p: 0)  # a turn with nothing to say: no TALK, no THINK
    entries = TinyPerson("Ana").act(return_actions=True)
    assert [e["action"]["type"] for e in entries] == ["DONE"]
    assert not [r for r in scripted.requests if is_judge_request(r)]


def test_per_agent_settings_through_action_generator(scripted):
    config_manager.update("enable_quality_checks", False)
    ana = nurse()
    assert isinstance(ana.action_generator, ActionGenerator)
    ana.action_generator.enable_quality_checks = True
    ana.action_generator.enable_quality_check_for_persona_adherence = False
    ana.action_generator.enable_quality_check_for_fluency = True
    ana.action_generator.quality_threshold = 9
    ana.action_generator.max_attempts = 1
    judge = script(llm.ScriptedModel(), [], lambda c, p: 7)
    ana.action_generator.judge = judge
    scripted.queue(act_reply(("TALK", "Hello there.")))
    entries = ana.act(return_actions=True)
    assert entries[0]["action"]["content"] == "Hello there."
    assert [r.tags["criterion"] for r in judge.requests] == ["fluency"]  # the separate judge got it
    assert ana.quality_stats.failed == 1 and scripted.calls == 1
    other = TinyPerson("Rui")
    scripted.queue(act_reply(("TALK", "no judge")))
    other.act()
    assert scripted.calls == 2 and judge.calls == 1


def test_similarity_is_measured_without_a_model(scripted):
    config_manager.update_multiple({"enable_quality_checks": True, "enable_quality_check_for_persona_adherence": False,
                                    "enable_quality_check_for_similarity": True, "quality_threshold": 5,
                                    "action_generator_max_attempts": 2})
    ana = TinyPerson("Ana")
    ana.record_event("action", "TALK", "The weather is lovely today.")
    scripted.queue(act_reply(("TALK", "The weather is lovely today!")), act_reply(("TALK", "Shall we walk?")))
    entries = ana.act(return_actions=True)
    assert entries[0]["action"]["content"] == "Shall we walk?"
    assert not [r for r in scripted.requests if is_judge_request(r)]
    assert ana.quality_stats.criteria_scores["similarity"][0] <= 1


def test_judge_errors_do_not_break_the_turn(scripted):
    config_manager.update_multiple({"max_attempts": 1, "enable_quality_checks": True})
    scripted.queue(act_reply(("THINK", "fine")), "not a verdict")
    entries = TinyPerson("Ana").act(return_actions=True)
    assert entries[0]["action"]["content"] == "fine"
