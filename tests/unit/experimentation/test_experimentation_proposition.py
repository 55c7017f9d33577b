"""Propositions with the scripted model: values, justification, variables, double check, preconditions, judges."""

from __future__ import annotations

import pytest

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.errors import SpecificationError
from tinytroupe.experimentation import Proposition, check_proposition, compute_score, set_default_judge
from tinytroupe.validation import Proposition as ValidationProposition
from tinytroupe.validation import propositions as library


def verdict(value, justification="because of what Lisa said", confidence=0.8, reasoning="looked at it"):
    return {"reasoning": reasoning, "value": value, "justification": justification, "confidence": confidence}


@pytest.fixture
def lisa():
    agent = TinyPerson("Lisa")
    agent.define("occupation", "data scientist")
    agent.think("I should look at the sales data again.")
    return agent


def test_both_import_paths_give_the_same_class():
    assert ValidationProposition is Proposition


def test_check_returns_the_scripted_value_and_keeps_justification(scripted, lisa):
    scripted.queue(verdict(True, "Lisa thinks about data", 0.9, "the thought is about sales data"))
    p = Proposition("Lisa thinks about data.", target=lisa)
    assert p.check() is True
    assert p.justification == "Lisa thinks about data"
    assert p.confidence == 0.9
    assert p.reasoning == "the thought is about sales data"
    assert scripted.requests[0].tags["purpose"] == "judge"
    assert "I should look at the sales data again." in scripted.last_prompt()


def test_check_false_and_full_response(scripted, lisa):
    scripted.queue(verdict(False, "nothing about cooking"))
    full = Proposition("Lisa talks about cooking.", target=lisa).check(return_full_response=True)
    assert full["value"] is False and full["justification"] == "nothing about cooking"


def test_score_returns_the_scripted_score(scripted, lisa):
    scripted.queue(verdict(6, "mostly"))
    p = Proposition("Lisa is analytical.", target=lisa, include_personas=True)
    assert p.score() == 6
    assert p.justification == "mostly"
    assert '"occupation": "data scientist"' in scripted.last_prompt()


def test_out_of_range_scores_are_clamped(scripted, lisa):
    scripted.queue(verdict(14))
    assert Proposition("x", target=lisa).score() == 9


def test_claim_variables_are_rendered_in_the_prompt(scripted, lisa):
    scripted.queue(verdict(True))
    Proposition("The next action {{action}} fits task {{task_description}}.", target=lisa).check(
        claim_variables={"action": "TALK: hello there", "task_description": "greet the customer"})
    prompt = scripted.last_prompt()
    assert "The next action TALK: hello there fits task greet the customer." in prompt
    assert "{{" not in prompt.split("# Claim")[1].split("# Context")[0]


def test_compute_score_and_check_proposition_helpers(scripted, lisa):
    scripted.queue(verdict(8, "good"), verdict(True, "yes"))
    assert compute_score(lisa, "Lisa likes data.") == 8
    assert check_proposition(lisa, "Lisa likes data.") is True
    assert scripted.calls == 2


def test_double_check_makes_a_second_call_and_keeps_the_revision(scripted, lisa):
    scripted.queue(verdict(7, "first look"), verdict(4, "on reflection, less so"))
    p = Proposition("Lisa is cheerful.", target=lisa, double_check=True)
    assert p.score() == 4
    assert scripted.calls == 2
    assert p.revised and p.justification == "on reflection, less so"
    second = scripted.requests[1]
    assert second.messages[-1].role == "user" and "Are you sure?" in second.messages[-1].content
    assert any(m.role == "assistant" and '"value": 7' in m.content.replace(":7", ": 7") for m in second.messages)


def test_a_failing_precondition_yields_true_or_nine_without_a_call(scripted, lisa):
    never = Proposition("Lisa is quiet.", target=lisa,
                        precondition_function=lambda target, additional_context, claim_variables: False)
    assert never.check() is True
    assert never.score() == 9
    assert scripted.calls == 0
    assert "precondition" in never.justification


def test_library_action_propositions_hold_trivially_for_other_action_types(scripted, lisa):
    p = library.action_persona_adherence.copy()
    assert p.score(target=lisa, claim_variables={"action": {"type": "REACH_OUT", "content": "x"}}) == 9
    assert scripted.calls == 0
    scripted.queue(verdict(3, "not like her"))
    assert p.score(target=lisa, claim_variables={"action": [{"type": "DONE"}, {"type": "TALK", "content": "yo"}]}) == 3
    assert "yo" in scripted.last_prompt()


def test_the_library_has_the_documented_propositions():
    for name in ("persona_adherence", "hard_persona_adherence", "self_consistency", "fluency", "task_completion",
                 "quiet_recently", "action_persona_adherence", "hard_action_persona_adherence",
                 "action_self_consistency", "action_fluency", "action_suitability", "divergence", "convergence"):
        assert isinstance(getattr(library, name), Proposition), name
    assert "{{task_description}}" in library.task_completion.claim
    assert "{{action}}" in library.action_fluency.claim


def test_targets_a_world_or_a_list(scripted, lisa):
    oscar = TinyPerson("Oscar")
    oscar.think("Buildings should be beautiful.")
    world = TinyWorld("Office", [lisa, oscar])
    scripted.queue(verdict(True), verdict(False))
    assert Proposition("They talk about work.", target=world).check() is True
    assert "# World: Office" in scripted.last_prompt() and "Buildings should be beautiful." in scripted.last_prompt()
    assert Proposition("They agree.", target=[lisa, oscar]).check() is False
    assert "## Person: Oscar" in scripted.last_prompt() and "## Person: Lisa" in scripted.last_prompt()


def test_no_target_is_a_clear_error(scripted):
    with pytest.raises(SpecificationError, match="no target"):
        Proposition("floating claim").check()


def test_a_separate_judge_model_gets_the_judge_calls(scripted, lisa):
    judge = llm.ScriptedModel([verdict(True, "judge says so")])
    assert Proposition("x", target=lisa, judge=judge).check() is True
    assert judge.calls == 1 and scripted.calls == 0
    process_judge = llm.ScriptedModel([verdict(5)])
    set_default_judge(process_judge)
    try:
        assert compute_score(lisa, "y") == 5
    finally:
        set_default_judge(None)
    assert process_judge.calls == 1 and scripted.calls == 0


def test_use_reasoning_model_asks_for_the_reasoning_model(scripted, lisa, monkeypatch):
    monkeypatch.setenv("TINYTROUPE_REASONING_MODEL", "judge-model-x")
    from tinytroupe.config import config_manager

    config_manager.reset()
    scripted.queue(verdict(True))
    Proposition("x", target=lisa, use_reasoning_model=True).check()
    assert scripted.requests[-1].model == "judge-model-x"
