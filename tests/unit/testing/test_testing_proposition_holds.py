"""proposition_holds: test assertions judged by the judge model, as TinyTroupe's tests write them."""

from __future__ import annotations

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.testing import proposition_holds, proposition_score


def verdict(value):
    return {"reasoning": "", "justification": "as stated", "value": value, "confidence": 0.9}


def test_a_self_contained_statement(scripted):
    scripted.queue(verdict(True), verdict(False))
    assert proposition_holds("The following text is a greeting: 'Good morning, Ana!'")
    assert "'Good morning, Ana!'" in scripted.last_prompt()
    assert not proposition_holds("The following text is in French: 'Hello'")
    assert all(r.tags["purpose"] == "judge" for r in scripted.requests)


def test_about_an_agent_with_its_persona_and_a_separate_judge(scripted):
    ana = TinyPerson("Ana")
    ana.define("occupation", "nurse")
    ana.think("Night shifts again.")
    judge = llm.ScriptedModel([verdict(True), verdict(6)])
    assert proposition_holds("Ana works nights.", ana, judge=judge, include_personas=True)
    assert "Night shifts again." in judge.last_prompt() and "nurse" in judge.last_prompt()
    assert proposition_score("Ana is tired.", ana, judge=judge) == 6
    assert scripted.calls == 0
