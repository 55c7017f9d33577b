"""A damaged cache entry is a miss: the provider is asked, the entry replaced, the damage logged once."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.llm import ChatRequest, ScriptedModel
from tinytroupe.llm.cache import CachedModel, CallCache
from tinytroupe.testing.agent_replies import talk_responder

DAMAGE = ['{"text": 5}', '{"text": "ok", "usage": "lots"}', "[1, 2]", "{not json", '{"text": ""}',
          '{"text": "x", "usage": {"input_tokens": -3}}']


def _damage_all(path, value: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("UPDATE calls SET value = ?", (value,)).rowcount


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_entry_is_asked_again_and_replaced(tmp_path, caplog, damage):
    cache = CallCache(tmp_path / "calls.sqlite")
    inner = ScriptedModel(default="the reply")
    model = CachedModel(inner, cache)
    request = ChatRequest(messages=[{"role": "user", "content": "hi"}])
    asyncio.run(model.complete(request))
    assert _damage_all(cache.path, damage) == 1
    with caplog.at_level(logging.WARNING, logger="tinytroupe"):
        again = asyncio.run(model.complete(request))
        third = asyncio.run(model.complete(request))
    assert inner.calls == 2 and again.text == "the reply" and not again.cached
    assert third.cached and third.text == "the reply"  # the entry was replaced
    assert [r for r in caplog.records if "damaged entry" in r.getMessage()]
    cache.close()


def test_an_agent_turn_from_a_damaged_cache_is_not_a_fallback_and_is_logged_once(tmp_path, caplog):
    cache = CallCache(tmp_path / "calls.sqlite")
    inner = ScriptedModel(responder=talk_responder())

    def turn() -> TinyPerson:
        TinyPerson.clear_agents()
        agent = TinyPerson("Ana", model=CachedModel(inner, cache))
        agent.listen("How was your day?")
        agent.act()
        agent.listen("And tomorrow?")
        agent.act()
        return agent

    first = turn()
    asked = inner.calls
    assert _damage_all(cache.path, '{"text": 7, "model": null}') == asked >= 2
    with caplog.at_level(logging.WARNING, logger="tinytroupe"):
        second = turn()
    assert second.fallback_count == 0 and inner.calls == 2 * asked
    assert [e.to_dict() for e in second.episodic_memory] == [e.to_dict() for e in first.episodic_memory]
    assert len([r for r in caplog.records if "damaged entry" in r.getMessage()]) == 1
    with sqlite3.connect(cache.path) as conn:
        values = [json.loads(v) for (v,) in conn.execute("SELECT value FROM calls")]
    assert all(isinstance(v["text"], str) and v["text"] for v in values)
    cache.close()
