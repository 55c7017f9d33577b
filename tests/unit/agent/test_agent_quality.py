"""Action quality checks: judge, regenerate with feedback, keep the best, keep statistics."""

from __future__ import annotations

from tinytroupe import events
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.testing.agent_replies import act_reply, is_judge_request, judge_reply


def _judge_scores(scripted):
    return [r for r in scripted.requests if is_judge_request(r)]


def test_off_by_default_no_judge_calls(scripted):
    scripted.queue(act_reply(("TALK", "hi")))
    TinyPerson("Ana").act()
    assert scripted.calls == 1


def test_low_scored_turn_is_regenerated_with_the_judge_feedback(scripted):
    config_manager.update_multiple({"enable_quality_checks": True, "quality_threshold": 6,
                                    "action_generator_max_attempts": 3})
    ana = TinyPerson("Ana")
    ana.define("occupation", {"title": "Nurse"})
    scripted.queue(
        act_reply(("TALK", "Beep boop, I am a robot.")),
        judge_reply(2, "Sounds like a machine, not a nurse."),
        act_reply(("TALK", "Long shift today, but the ward is calm.")),
        judge_reply(8, "Natural."),
    )
    with events.collect(["agent.quality"]) as seen:
        entries = ana.act(return_actions=True)
    assert entries[0]["action"]["content"] == "Long shift today, but the ward is calm."
    assert [e.data["score"] for e in seen.events] == [2, 8]
    assert [e.data["passed"] for e in seen.events] == [False, True]
    regeneration = scripted.requests[2]
    feedback = regeneration.messages[-1].content
    assert "Sounds like a machine" in feedback and "Beep boop" in feedback and "2/9" in feedback
    judge_prompt = "\n".join(m.content for m in scripted.requests[1].messages)
    assert "persona adherence" in judge_prompt and "title: Nurse" in judge_prompt and "Beep boop" in judge_prompt
    stats = ana.quality_stats
    assert (stats.checks, stats.regenerations, stats.passed, stats.failed) == (2, 1, 1, 0)
    assert stats.scores == [2, 8] and stats.mean_score == 5.0


def test_when_every_attempt_fails_the_best_is_kept(scripted):
    config_manager.update_multiple({"enable_quality_checks": True, "quality_threshold": 7,
                                    "action_generator_max_attempts": 3})
    ana = TinyPerson("Ana")
    scripted.queue(act_reply(("THINK", "first")), judge_reply(3),
                   act_reply(("THINK", "second")), judge_reply(5),
                   act_reply(("THINK", "third")), judge_reply(1))
    entries = ana.act(return_actions=True)
    assert entries[0]["action"]["content"] == "second"
    assert ana.quality_stats.failed == 1 and ana.quality_stats.regenerations == 2
    assert len(_judge_scores(scripted)) == 3


def test_failure_without_continue_on_failure_is_a_fallback(scripted):
    config_manager.update_multiple({"enable_quality_checks": True, "action_generator_max_attempts": 1,
                                    "continue_on_failure": False})
    ana = TinyPerson("Ana")
    scripted.queue(act_reply(("THINK", "meh")), judge_reply(0))
    entries = ana.act(return_actions=True)
    assert entries[0]["action"]["type"] == "THINK" and "train of thought" in entries[0]["action"]["content"]
    assert ana.fallback_count == 1


def test_per_agent_switch_and_judge_errors_do_not_break_the_turn(scripted):
    config_manager.update("max_attempts", 1)
    ana = TinyPerson("Ana", enable_quality_checks=True)
    scripted.queue(act_reply(("THINK", "fine")), "not a verdict")
    entries = ana.act(return_actions=True)
    assert entries[0]["action"]["content"] == "fine"
    assert ana.quality_stats.judge_errors == 1
    off = TinyPerson("Rui", enable_quality_checks=False)
    config_manager.update("enable_quality_checks", True)
    scripted.queue(act_reply(("THINK", "no judge")))
    off.act()
    assert scripted.remaining == 0 and scripted.calls == 3
