"""TinyPersonValidator: bounded interview rounds on a fork; the person's memory is unchanged."""

from __future__ import annotations

import json

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.testing.agent_replies import is_turn_request, talk_responder
from tinytroupe.validation import TinyPersonValidator


def interviewer(score=0.75, stop_after=None):
    rounds = {"n": 0}
    turns = talk_responder(lambda request: "I have been a nurse for twenty years and I love night shifts.")

    def respond(request):
        if is_turn_request(request):
            return turns(request)
        rounds["n"] += 1
        final = request.response_format.json_schema["properties"]["phase"]["enum"] == ["verdict"]
        if final or (stop_after and rounds["n"] >= stop_after):
            return {"phase": "verdict", "questions": [], "done": True, "score": score,
                    "justification": "Answers fit a nurse; she mentioned her twenty years on the ward."}
        phase = "characteristics" if rounds["n"] == 1 else "behaviours"
        return {"phase": phase, "questions": [f"Question {rounds['n']}a?", f"Question {rounds['n']}b?"],
                "done": False, "score": None, "justification": ""}

    return respond, rounds


def nurse():
    ana = TinyPerson("Ana")
    ana.define("occupation", "nurse")
    ana.define("age", 45)
    ana.listen("Welcome to the study.")
    return ana


def test_validation_runs_at_most_the_configured_rounds_and_leaves_memory_alone(scripted):
    respond, rounds = interviewer()
    scripted.responder = respond
    ana = nurse()
    before = json.dumps(ana.encode_complete_state(), sort_keys=True)
    score, justification = TinyPersonValidator.validate_person(ana, expectations="A nurse in her forties.",
                                                               max_rounds=3)
    assert score == 0.75 and "twenty years" in justification
    assert rounds["n"] == 3
    judge_requests = [r for r in scripted.requests if not is_turn_request(r)]
    assert all(r.tags["purpose"] == "validation" for r in judge_requests)
    last = judge_requests[-1].messages[-1].content
    assert "Interviewer: Question 2b?" in last and "twenty years" in last
    assert "A nurse in her forties." in last and '"occupation": "nurse"' in last
    assert len([r for r in scripted.requests if is_turn_request(r)]) == 4  # 2 questions x 2 rounds
    assert json.dumps(ana.encode_complete_state(), sort_keys=True) == before
    assert TinyPerson.get_agent_by_name("Ana") is ana


def test_the_interviewer_may_stop_early_and_scores_are_clamped(scripted):
    respond, rounds = interviewer(score=1.7, stop_after=2)
    scripted.responder = respond
    score, _ = TinyPersonValidator.validate_person(nurse(), max_rounds=5, include_agent_spec=False)
    assert rounds["n"] == 2 and score == 1.0
    assert '"occupation"' not in scripted.requests[-1].messages[-1].content


def test_a_separate_judge_interviews(scripted):
    respond, _ = interviewer()
    judge = llm.ScriptedModel(responder=respond)
    scripted.responder = respond
    TinyPersonValidator.validate_person(nurse(), max_rounds=2, judge=judge)
    assert judge.calls == 2 and all(is_turn_request(r) for r in scripted.requests)
