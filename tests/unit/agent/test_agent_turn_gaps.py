"""Turns as the original counts them: act(n) counts actions, until_done, the schema's cap, stored
undeclared types, legacy single-action replies; failures kept out of what the agent perceives."""

from __future__ import annotations

import json

import pytest

from tinytroupe import events, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.errors import SpecificationError, TransientError
from tinytroupe.llm.base import ModelCapabilities
from tinytroupe.testing.agent_replies import act_reply


def _lisa():
    lisa, oscar = TinyPerson("Lisa"), TinyPerson("Oscar")
    lisa.make_agent_accessible(oscar)
    return lisa


def _types(entries):
    return [e["action"]["type"] for e in entries]


def test_act_n_counts_actions_across_turns(scripted):
    lisa = _lisa()
    scripted.queue(act_reply(("THINK", "one"), ("TALK", "two", "Oscar")),
                   act_reply(("THINK", "three"), ("TALK", "four", "Oscar"), ("THINK", "five")))
    entries = lisa.act(n=3, return_actions=True)
    assert _types(entries) == ["THINK", "TALK", "DONE", "THINK", "DONE"]  # 3 actions, the 3rd turn cut
    assert scripted.calls == 2 and lisa.actions_count == 3
    assert scripted.requests[1].response_format.json_schema["properties"]["actions"]["maxItems"] == 1


def test_act_n_stops_when_the_agent_has_nothing_to_do(scripted):
    lisa = _lisa()
    scripted.default = act_reply()  # an empty turn every time
    assert _types(lisa.act(n=3, return_actions=True)) == ["DONE"] * 3 and scripted.calls == 3


def test_until_done_false_is_a_single_action(scripted):
    lisa = _lisa()
    scripted.queue(act_reply(("THINK", "a"), ("TALK", "b", "Oscar")))
    assert _types(lisa.act(until_done=False, return_actions=True)) == ["THINK", "DONE"]
    assert scripted.requests[-1].response_format.json_schema["properties"]["actions"]["maxItems"] == 1
    with pytest.raises(SpecificationError, match="n counts actions"):
        lisa.act(n=0)


def test_the_schema_allows_max_actions_per_turn_unless_the_model_reports_a_cap(scripted):
    lisa = _lisa()
    scripted.default = act_reply(("THINK", "x"))
    lisa.act()
    assert scripted.requests[-1].response_format.json_schema["properties"]["actions"]["maxItems"] == 15
    config_manager.update("max_actions_per_turn", 7)
    TinyPerson("Rui").act()
    assert scripted.requests[-1].response_format.json_schema["properties"]["actions"]["maxItems"] == 7
    small = llm.ScriptedModel(default=act_reply(("THINK", "y")))
    small.capabilities = ModelCapabilities(small=True, max_actions_per_turn=2, max_content_length=100)
    TinyPerson("Ana", model=small).act()
    schema = small.requests[-1].response_format.json_schema
    assert schema["properties"]["actions"]["maxItems"] == 2
    assert schema["properties"]["actions"]["items"]["properties"]["content"]["maxLength"] == 100


def test_a_legacy_single_action_reply_is_a_one_action_turn(scripted):
    lisa = _lisa()
    scripted.queue({"action": {"type": "TALK", "content": "Hello, Oscar.", "target": "Oscar"},
                    "cognitive_state": {"goals": "greet", "attention": "Oscar", "emotions": "warm"}})
    entries = lisa.act(return_actions=True)
    assert entries[0]["action"] == {"type": "TALK", "content": "Hello, Oscar.", "target": "Oscar"}
    assert _types(entries) == ["TALK", "DONE"] and lisa.mental_state.goals == "greet"
    assert scripted.calls == 1


def test_a_fallback_keeps_provider_text_out_of_memory_prompts_and_state(scripted):
    config_manager.update("max_attempts", 1)
    secret = "injected fault at http://user:hunter2@10.0.0.5/v1"
    scripted.default = TransientError(secret, status=503)
    lisa = _lisa()
    with events.collect(["agent.fallback"]) as seen:
        entries = lisa.act(return_actions=True)
    assert _types(entries) == ["THINK", "DONE"] and "train of thought" in entries[0]["action"]["content"]
    fallback = seen.events[0].payload
    assert fallback.error_type == "TransientError" and fallback.reason
    assert lisa.ledger.failures == {"TransientError": 1} and lisa.fallback_count == 1
    saved = json.dumps(lisa.encode_complete_state())
    assert "hunter2" not in saved and "injected fault" not in saved
    assert "hunter2" not in json.dumps(seen.events[0].to_dict())
    scripted.default = act_reply(("THINK", "again"))
    lisa.act()
    assert "injected fault" not in scripted.last_prompt() and "hunter2" not in scripted.last_prompt()


def test_old_agent_states_still_load():
    ana = TinyPerson("Ana")
    state = ana.encode_complete_state()
    counters = state["counters"]
    old = {**state, "state_version": 1, "counters": {k: counters[k] for k in (
        "fallback_count", "actions_count", "current_episode_event_count")},
        "last_action": {"type": "TALK", "content": "hi", "target": ""}, "actions_buffer": [{"type": "TALK"}]}
    TinyPerson.clear_agents()
    restored = TinyPerson.from_state(old)
    assert restored.last_action.content == "hi" and restored.pop_latest_actions() == [{"type": "TALK"}]
