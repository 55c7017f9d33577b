"""The public ActionGenerator (tinytroupe.agent.action_generator): fixed constructor defaults,
JSON round trip, counters fed by act() and by generate_next_action, a replaceable proposal step."""

from __future__ import annotations

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.agent.action_generator import ActionGenerator, ActionRefusedException
from tinytroupe.errors import PoorQualityActionException, SpecificationError
from tinytroupe.testing.agent_replies import act_reply, is_judge_request, is_turn_request, judge_reply


def script(model, turns, score):
    """Turn requests get the next of ``turns``; judge requests ``score(prompt)``."""
    pending = list(turns)

    def respond(request):
        if is_judge_request(request):
            prompt = "\n".join(m.content for m in request.messages)
            return judge_reply(score(prompt), "judged on the wording", request)
        if is_turn_request(request):
            return pending.pop(0)
        raise AssertionError(f"unexpected request {request.response_format.name}")

    model.responder = respond
    return model


def bakery_dislike(prompt):
    return 1 if "hate bread" in prompt else 8


def baker():
    tom = TinyPerson("Tom")
    tom.define("occupation", {"title": "Baker"})
    return tom


def test_defaults_are_the_constructors_not_the_configuration():
    g = ActionGenerator()
    assert (g.max_attempts, g.enable_quality_checks, g.quality_threshold) == (2, True, 7)
    assert g.enable_regeneration is True and g.max_action_similarity == 0.6 and g.enable_reasoning_step is False
    custom = ActionGenerator(max_attempts=5, enable_quality_checks=False, quality_threshold=5)
    assert (custom.max_attempts, custom.enable_quality_checks, custom.quality_threshold) == (5, False, 5)
    assert ActionRefusedException is PoorQualityActionException


def test_json_round_trip_and_bad_input():
    g = ActionGenerator(max_attempts=3, quality_threshold=6, max_action_similarity=0.4)
    data = g.to_json()
    assert isinstance(data, dict) and data["max_attempts"] == 3
    back = ActionGenerator.from_json(data)
    assert (back.max_attempts, back.quality_threshold, back.max_action_similarity) == (3, 6, 0.4)
    with pytest.raises(SpecificationError, match="unknown setting"):
        ActionGenerator.from_json({"max_attempts": 2, "colour": "red"})
    with pytest.raises(SpecificationError, match="max_attempts"):
        ActionGenerator(max_attempts=0)


def test_act_uses_the_assigned_generator_and_counts_regenerations(scripted):
    script(scripted, [act_reply(("TALK", "I hate bread, honestly.")),
                      act_reply(("TALK", "The sourdough rose well this morning."))], bakery_dislike)
    tom = baker()
    tom.action_generator = ActionGenerator(max_attempts=3, enable_quality_check_for_selfconsistency=False,
                                           enable_quality_check_for_fluency=False)
    entries = tom.listen_and_act("How was work?", return_actions=True)
    assert entries[0]["action"]["content"] == "The sourdough rose well this morning."
    stats = tom.action_generator.get_statistics()
    assert stats["total_actions_produced"] == 1 and stats["total_original_actions_succeeded"] == 0
    assert tom.action_generator.regeneration_attempts == 1
    assert stats["regeneration_failure_rate"] == 0.0 and stats["regeneration_mean_score"] == 8


def test_quality_checks_off_means_no_judge_call(scripted):
    scripted.queue(act_reply(("TALK", "Morning!")))
    tom = baker()
    tom.action_generator = ActionGenerator(enable_quality_checks=False)
    tom.listen_and_act("Hi")
    assert scripted.calls == 1


def test_generate_next_action_returns_the_reviewed_action_and_feedback(scripted):
    script(scripted, [act_reply(("TALK", "Croissants need cold butter."))], bakery_dislike)
    tom = baker()
    generator = ActionGenerator(max_attempts=3, enable_quality_check_for_selfconsistency=False,
                                enable_quality_check_for_fluency=False)
    seen = []
    original = generator._generate_tentative_action

    def first_bad(agent, messages, feedback_from_previous_attempt=None, previous_tentative_action=None,
                  previous_llm_role=None, previous_llm_content=None):
        seen.append(feedback_from_previous_attempt)
        if feedback_from_previous_attempt is None:
            bad = {"type": "TALK", "content": "I hate bread.", "target": ""}
            return bad, "assistant", {"action": bad, "cognitive_state": {"goals": "be contrary"}}
        return original(agent, messages, feedback_from_previous_attempt, previous_tentative_action,
                        previous_llm_role, previous_llm_content)

    generator._generate_tentative_action = first_bad
    action, role, content, feedbacks = generator.generate_next_action(
        tom, [{"role": "user", "content": "What do you bake?"}])
    assert action == {"type": "TALK", "content": "Croissants need cold butter.", "target": ""}
    assert role == "assistant" and content["action"] == action and "goals" in content["cognitive_state"]
    assert len(feedbacks) == 1 and "judged on the wording" in feedbacks[0]
    assert seen[0] is None and seen[1] == feedbacks[0]
    assert generator.regeneration_attempts == 1
    turn = next(r for r in scripted.requests if is_turn_request(r))
    assert turn.messages[-2].content == "What do you bake?"
    assert "I hate bread." in turn.messages[-1].content
    assert tom.episodic_memory.count() == 0  # nothing was acted or remembered


def test_similarity_limit_rejects_a_near_repeat(scripted):
    script(scripted, [act_reply(("TALK", "Fresh rolls every day at six.")),
                      act_reply(("TALK", "Fresh rolls every day at six!")),
                      act_reply(("TALK", "Tomorrow I try a rye recipe."))], lambda prompt: 9)
    tom = baker()
    tom.action_generator = ActionGenerator(max_attempts=2, enable_quality_check_for_persona_adherence=False,
                                           enable_quality_check_for_selfconsistency=False,
                                           enable_quality_check_for_fluency=False,
                                           enable_quality_check_for_similarity=True, max_action_similarity=0.5)
    tom.listen_and_act("Hi")
    entries = tom.listen_and_act("And tomorrow?", return_actions=True)
    assert entries[0]["action"]["content"] == "Tomorrow I try a rye recipe."
    assert tom.action_generator.regeneration_attempts == 1


def test_the_reasoning_step_asks_for_a_think_first(scripted):
    scripted.queue(act_reply(("THINK", "Bread first, then the shop."), ("TALK", "Opening at seven.")))
    tom = baker()
    generator = ActionGenerator(enable_quality_checks=False, enable_reasoning_step=True)
    action, _, _, feedbacks = generator.generate_next_action(tom, [])
    assert [a["type"] for a in action] == ["THINK", "TALK"] and feedbacks == []
    assert scripted.requests[0].messages[-1].content.startswith("Before you act, reason it through")
    scripted.queue(act_reply(("TALK", "Opening at seven.")))
    ActionGenerator(enable_quality_checks=False).generate_next_action(tom, [])
    assert "reason it through" not in scripted.requests[1].messages[-1].content
