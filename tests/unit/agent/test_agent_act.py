"""act(): one structured call per turn, the prompt it sends, shaping, guard, fallback, events."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from types import SimpleNamespace

import pytest

from tinytroupe import events, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.errors import StructuredOutputError
from tinytroupe.testing.agent_replies import act_reply, talk_responder


def _pair():
    lisa, oscar = TinyPerson("Lisa"), TinyPerson("Oscar")
    lisa.define({"age": 28, "occupation": {"title": "Data scientist"}, "beliefs": ["Data needs context."]})
    lisa.make_agent_accessible(oscar, "colleague from the design team")
    return lisa, oscar


def test_prompt_holds_persona_mental_state_and_recent_episodes(scripted):
    lisa, oscar = _pair()
    lisa.environment = SimpleNamespace(current_datetime=datetime(2025, 3, 14, 9, 30))
    lisa.move_to("the office kitchen", context=["a Monday morning", "coffee break"])
    lisa.listen("Did you see the new dashboard?", source=oscar)
    scripted.queue(act_reply(("TALK", "Yes, it looks great.", "Oscar")))
    lisa.act()
    prompt = scripted.last_prompt()
    assert "title: Data scientist" in prompt and "Data needs context." in prompt  # persona
    assert "2025-03-14 09:30" in prompt  # simulated time from the world
    assert "the office kitchen" in prompt and "coffee break" in prompt
    assert "Oscar (colleague from the design team)" in prompt  # accessible agents with relation
    assert "Oscar -> you (CONVERSATION): Did you see the new dashboard?" in prompt  # episodes
    request = scripted.requests[-1]
    assert request.tags["agent"] == "Lisa"
    schema = request.response_format.json_schema
    item = schema["properties"]["actions"]["items"]["properties"]
    assert item["type"]["enum"] == ["TALK", "THINK", "REACH_OUT"]  # DONE is implied, never offered
    assert item["target"]["enum"] == ["Oscar", ""]
    assert item["content"]["maxLength"] > 0 and schema["properties"]["actions"]["maxItems"] >= 2


def test_three_actions_come_back_in_order_ending_with_done(scripted):
    lisa, _ = _pair()
    scripted.queue(act_reply(("THINK", "He means the Q3 one."), ("TALK", "Which one?", "Oscar"),
                             cognitive_state={"goals": "understand Oscar", "emotions": "curious"}))
    entries = lisa.listen_and_act("Did you see it?", return_actions=True)
    assert [e["action"]["type"] for e in entries] == ["THINK", "TALK", "DONE"]
    assert entries[1]["action"] == {"type": "TALK", "content": "Which one?", "target": "Oscar"}
    assert entries[0]["cognitive_state"]["goals"] == "understand Oscar"
    assert set(entries[0]["cognitive_state"]) == {"goals", "context", "attention", "emotions"}
    assert scripted.calls == 1
    assert lisa.mental_state.emotions == "curious"
    kinds = [(e.role, e.type) for e in lisa.episodic_memory]
    assert kinds == [("stimulus", "CONVERSATION"), ("action", "THINK"), ("action", "TALK")]
    assert lisa.act() is None  # without return_actions


def test_a_model_that_never_says_done_is_cut_at_the_cap(scripted):
    config_manager.update("max_actions_per_turn", 5)
    lisa, _ = _pair()
    topics = ["rain", "budgets", "the Q3 chart", "lunch", "Oscar's sketch", "deadlines", "coffee",
              "the new intern", "python versions", "holidays", "the printer", "a podcast"]
    endless = act_reply(*[("THINK", f"Now I am thinking about {topic}.") for topic in topics], done=False)
    scripted.queue(endless)
    with events.collect(["agent."]) as seen:
        entries = lisa.act(return_actions=True)
    assert [e["action"]["type"] for e in entries] == ["THINK"] * 5 + ["DONE"]
    assert any(e.kind == "agent.guard" and e.data["reason"] == "cap" for e in seen.events)
    assert lisa.episodic_memory.retrieve_all(role="note")[-1].type == "CAP"


def test_reply_without_done_gets_one(scripted):
    lisa, _ = _pair()
    scripted.queue(act_reply(("TALK", "hello", "Oscar"), done=False))
    entries = lisa.act(return_actions=True)
    assert [e["action"]["type"] for e in entries] == ["TALK", "DONE"]


def test_repeated_talk_is_stopped_by_the_guard(scripted):
    lisa, _ = _pair()
    scripted.queue(act_reply(("TALK", "We should ship it today.", "Oscar"),
                             ("TALK", "We should ship it today!", "Oscar"),
                             ("THINK", "never reached")))
    with events.collect(["agent.guard"]) as seen:
        entries = lisa.act(return_actions=True)
    assert [e["action"]["type"] for e in entries] == ["TALK", "DONE"]
    assert seen.events and seen.events[0].data["reason"] == "repetition"
    notes = lisa.episodic_memory.retrieve_all(role="note")
    assert notes and "repeat" in notes[-1].content
    # the next turn repeating the last action, with nothing new heard in between, is stopped too
    scripted.queue(act_reply(("TALK", "We should ship it today.", "Oscar")))
    assert [e["action"]["type"] for e in lisa.act(return_actions=True)] == ["DONE"]
    # ...but after hearing something new, saying it again is allowed
    lisa.listen("Sorry, what did you say?", source="Oscar")
    scripted.queue(act_reply(("TALK", "We should ship it today.", "Oscar")))
    assert [e["action"]["type"] for e in lisa.act(return_actions=True)] == ["TALK", "DONE"]


def test_guard_can_be_switched_off(scripted):
    lisa = TinyPerson("Lisa", enable_basic_action_repetition_prevention=False)
    scripted.queue(act_reply(("THINK", "again"), ("THINK", "again")))
    assert [e["action"]["type"] for e in lisa.act(return_actions=True)] == ["THINK", "THINK", "DONE"]


def test_garbage_every_time_yields_a_recorded_fallback(scripted):
    config_manager.update("max_attempts", 2)
    scripted.default = "this is not JSON at all"
    lisa, _ = _pair()
    with events.collect(["agent."]) as seen:
        entries = lisa.listen_and_act("Hello?", return_actions=True)
    assert [e["action"]["type"] for e in entries] == ["THINK", "DONE"]
    assert "train of thought" in entries[0]["action"]["content"]
    assert lisa.fallback_count == 1
    fallback = [e for e in seen.events if e.kind == "agent.fallback"]
    assert fallback and "StructuredOutputError" in fallback[0].data["error"]
    assert lisa.episodic_memory.retrieve_last(1)[0].type == "THINK"
    lisa.act()  # the simulation goes on
    assert lisa.fallback_count == 2


def test_undeclared_action_types_are_stored_and_shown_not_retried(scripted):
    config_manager.update("max_attempts", 2)
    lisa, _ = _pair()
    scripted.queue(act_reply(("DANCE", "wildly")), act_reply(("THINK", "fine, no dancing")))
    with events.collect(["agent.action"]) as seen:
        entries = lisa.act(return_actions=True)
    assert entries[0]["action"]["type"] == "DANCE" and scripted.calls == 1  # as the original: kept
    assert lisa.episodic_memory.retrieve_all(role="action")[-1].type == "DANCE"
    assert [e.payload.type for e in seen.events] == ["DANCE", "DONE"] and lisa.fallback_count == 0


def test_a_reply_whose_action_type_is_not_a_word_is_repaired(scripted):
    config_manager.update("max_attempts", 2)
    lisa, _ = _pair()
    scripted.queue(act_reply(("dance wildly!", "x")), act_reply(("THINK", "fine, no dancing")))
    entries = lisa.act(return_actions=True)
    assert entries[0]["action"]["type"] == "THINK" and scripted.calls == 2


def test_strict_raises_instead(scripted):
    config_manager.update("max_attempts", 1)
    scripted.default = "garbage"
    lisa = TinyPerson("Lisa", strict=True)
    with pytest.raises(StructuredOutputError):
        lisa.act()
    relaxed = TinyPerson("Rui")
    with pytest.raises(StructuredOutputError):
        relaxed.act(strict=True)
    relaxed.act()
    assert relaxed.fallback_count == 1


def test_act_n_runs_n_turns_and_targets_are_normalised(scripted):
    lisa, _ = _pair()
    scripted.queue(act_reply(("TALK", "hi", "oscar")), act_reply(("THINK", "ok", "Oscar")))
    entries = lisa.act(n=2, return_actions=True)
    assert [e["action"] for e in entries] == [
        {"type": "TALK", "content": "hi", "target": "Oscar"},
        {"type": "DONE", "content": "", "target": ""},
        {"type": "THINK", "content": "ok", "target": ""},
        {"type": "DONE", "content": "", "target": ""},
    ]
    assert scripted.calls == 2


def test_talk_is_not_delivered_by_the_agent(scripted):
    lisa, oscar = _pair()
    scripted.queue(act_reply(("TALK", "hi Oscar", "Oscar")))
    lisa.act()
    assert len(oscar.episodic_memory) == 0


def test_every_stimulus_and_action_is_an_event(scripted):
    lisa, oscar = _pair()
    scripted.queue(act_reply(("TALK", "hi", "Oscar")))
    with events.collect(["agent."]) as seen:
        lisa.listen("hey", source=oscar).see("a chart").think("hmm").internalize_goal("finish").socialize("party")
        lisa.act(communication_display=False)
    stimuli = [e for e in seen.events if e.kind == "agent.stimulus"]
    assert [e.data["type"] for e in stimuli] == ["CONVERSATION", "VISUAL", "THOUGHT",
                                                 "INTERNAL_GOAL_FORMULATION", "SOCIAL"]
    assert stimuli[0].data["sender"] == "Oscar" and stimuli[0].source == "Lisa"
    actions = [e for e in seen.events if e.kind == "agent.action"]
    assert [(e.data["type"], e.data["target"]) for e in actions] == [("TALK", "Oscar"), ("DONE", "")]
    assert all(e.data["display"] is False for e in actions)
    assert all(e.data["display"] is True for e in stimuli)


def test_pop_actions_helpers(scripted):
    lisa, _ = _pair()
    scripted.queue(act_reply(("TALK", "one", "Oscar"), ("THINK", "two"), ("TALK", "three", "Oscar")))
    lisa.act()
    assert lisa.pop_actions_and_get_contents_for("TALK", only_last_action=False) == "one\nthree"
    assert lisa.pop_latest_actions() == []


def test_per_agent_model_is_used_over_the_default(scripted):
    own = llm.ScriptedModel([act_reply(("THINK", "my own model"))])
    lisa = TinyPerson("Lisa", model=own)
    entries = lisa.act(return_actions=True)
    assert entries[0]["action"]["content"] == "my own model"
    assert own.calls == 1 and scripted.calls == 0


def test_aact_runs_concurrently_in_the_callers_loop():
    model = llm.ScriptedModel(responder=talk_responder(), latency=0.05)
    llm.set_default_model(model)
    agents = [TinyPerson(f"A{i}") for i in range(4)]
    for agent in agents:
        agent.make_agents_accessible([a for a in agents if a is not agent])

    async def all_act():
        return await asyncio.gather(*(a.aact(return_actions=True) for a in agents))

    results = asyncio.run(all_act())
    assert [r[0]["action"]["type"] for r in results] == ["TALK"] * 4
    assert all(r[0]["action"]["target"] for r in results)
    assert model.calls == 4


def test_talk_responder_and_act_reply_shapes(scripted):
    scripted.responder = talk_responder(think=True)
    lisa, _ = _pair()
    entries = lisa.act(return_actions=True)
    assert [e["action"]["type"] for e in entries] == ["THINK", "TALK", "DONE"]
    assert entries[1]["action"]["target"] == "Oscar" and entries[1]["action"]["content"].startswith("Lisa says")
    reply = act_reply({"type": "TALK", "content": "x"}, ("DONE",))
    assert reply["actions"] == [{"type": "TALK", "content": "x", "target": ""},
                                {"type": "DONE", "content": "", "target": ""}]
    assert json.dumps(reply)


def test_reach_out_is_offered_only_inside_a_world(scripted):
    lisa, _ = _pair()
    scripted.queue(act_reply(("THINK", "alone")), act_reply(("REACH_OUT", "let's talk", "Oscar")))
    lisa.act()
    enum = scripted.requests[-1].response_format.json_schema["properties"]["actions"]["items"]
    assert enum["properties"]["type"]["enum"] == ["TALK", "THINK"]
    assert "REACH_OUT" not in scripted.requests[-1].messages[0].content.split("Rules:")[0]
    lisa.environment = SimpleNamespace(current_datetime=None)
    entries = lisa.act(return_actions=True)
    assert entries[0]["action"] == {"type": "REACH_OUT", "content": "let's talk", "target": "Oscar"}


def test_an_empty_turn_is_just_done_and_max_tokens_comes_from_config(scripted):
    config_manager.update("max_completion_tokens", 777)
    lisa, _ = _pair()
    scripted.queue({"actions": [], "cognitive_state": {"goals": "wait"}})
    assert [e["action"]["type"] for e in lisa.act(return_actions=True)] == ["DONE"]
    assert scripted.requests[-1].max_tokens == 777
