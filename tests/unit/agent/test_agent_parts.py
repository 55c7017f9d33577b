"""Parts are bound to their agent once and answer one protocol; a world gets typed turns."""

from __future__ import annotations

import pytest

from tinytroupe import contracts, events
from tinytroupe._sync import run_sync
from tinytroupe.agent import TinyPerson
from tinytroupe.agent.actions import Action
from tinytroupe.agent.mental_faculty import TinyMentalFaculty
from tinytroupe.agent.parts import ActionResult, AgentPart, BoundFaculty, acted_of
from tinytroupe.testing.agent_replies import act_reply


class Oracle(TinyMentalFaculty):
    """An original-style faculty: its answer comes back as a thought the agent acts upon."""

    def __init__(self, name: str | None = None):
        super().__init__(name or "oracle")
        self.asked: list[str] = []

    def actions_definitions_prompt(self) -> str:
        return "- ASK_ORACLE: ask the oracle a question."

    def prompt_section(self, agent) -> str:
        return f"The oracle has answered {len(self.asked)} question(s) for {agent.name}."

    def process_action(self, agent, action) -> bool:
        if action.type != "ASK_ORACLE":
            return False
        self.asked.append(action.content)
        agent.perceive_thought("The oracle says: yes.")
        return True


def test_a_faculty_is_bound_once_and_adapted_to_the_protocol():
    ana = TinyPerson("Ana")
    oracle = Oracle()
    ana.add_mental_faculty(oracle)
    bound = ana.bound_faculties()
    assert len(bound) == 1 and isinstance(bound[0], BoundFaculty) and isinstance(bound[0], AgentPart)
    assert ana.bound_faculties()[0] is bound[0]  # bound once, not at every turn
    assert bound[0].prompt_section(ana.view()) == "The oracle has answered 0 question(s) for Ana."
    assert [d.type for d in bound[0].action_definitions()] == ["ASK_ORACLE"]


def test_handling_returns_a_typed_result_saying_whether_the_agent_learned_something():
    ana = TinyPerson("Ana")
    ana.add_mental_faculty(Oracle())
    part = ana.bound_faculties()[0]
    assert run_sync(part.ahandle(Action("TALK", "hi"))) == ActionResult(False, False)
    assert run_sync(part.ahandle(Action("ASK_ORACLE", "rain?"))) == ActionResult(True, True)
    assert not hasattr(ana, "_faculty_news")


def test_a_faculty_result_makes_the_agent_decide_again_with_it(scripted):
    ana = TinyPerson("Ana")
    oracle = Oracle()
    ana.add_mental_faculty(oracle)
    scripted.queue(act_reply(("ASK_ORACLE", "will it rain?"), ("TALK", "never asked")))
    scripted.queue(act_reply(("THINK", "good to know")))
    entries = ana.act(return_actions=True)
    assert oracle.asked == ["will it rain?"]
    assert [e["action"]["type"] for e in entries] == ["ASK_ORACLE", "THINK", "DONE"]
    second = scripted.requests[1].messages[1].content
    assert "The oracle says: yes." in second and "answered 1 question(s)" in second


def test_aturn_gives_typed_actions_and_aact_gives_the_original_entries(scripted):
    ana = TinyPerson("Ana")
    scripted.queue(act_reply(("THINK", "hm")))
    acted = run_sync(ana.aturn())
    assert all(isinstance(a, contracts.Acted) for a in acted)
    assert [a.action.type for a in acted] == ["THINK", "DONE"]
    assert acted[0].to_dict() == {"action": {"type": "THINK", "content": "hm", "target": ""},
                                  "cognitive_state": acted[0].cognitive_state}


def test_a_subclass_that_overrides_act_is_driven_through_it():
    class Scripted(TinyPerson):
        def act(self, *args, **kwargs):
            return [{"action": {"type": "TALK", "content": "mine", "target": "Bob"}, "cognitive_state": {}}]

    acted = run_sync(Scripted("Cy").aturn())
    assert acted == [contracts.Acted(Action("TALK", "mine", "Bob"), {})]
    assert acted_of({"action": {"type": "", "content": None}}).action == Action("DONE")


@pytest.mark.parametrize(("written", "meant"), [
    ("Bob Smith", "Bob Smith"), ("bob smith", "Bob Smith"), ("@Bob", "Bob Smith"), ("'ann'", "Ann"),
    ("bob", "Bob Smith"), ("Nobody", None), ("", None)])
def test_one_rule_resolves_targets(written, meant):
    assert contracts.resolve_name(written, ["Bob Smith", "Ann"]) == meant


def test_an_ambiguous_first_name_resolves_to_nobody():
    assert contracts.resolve_name("Bob", ["Bob Smith", "Bob Jones"]) is None


def test_events_are_emitted_only_as_typed_payloads():
    with pytest.raises(TypeError, match="typed payload"):
        events.emit("agent.action", agent="Ann")
    with pytest.raises(TypeError, match="not an event payload"):
        events.emit(object())
