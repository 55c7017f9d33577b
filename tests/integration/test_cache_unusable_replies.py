"""A cached reply that parses but cannot be used is a miss: asked again with the same request, and replaced.

Against the loopback server with the configured call cache (CACHE_API_CALLS): bad entries are
planted in the SQLite file, and the rerun sends exactly the requests a run without a cache
sends, with no repair, and leaves entries that a third run replays without any request.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.llm import generate
from tinytroupe.llm.cache import CachedModel
from tinytroupe.testing import sample_from_schema
from tinytroupe.testing.loopback_server import LoopbackServer, schema_of_request

CACHE = "calls.sqlite"
STATE = {"goals": "chat", "context": "home", "attention": "the question", "emotions": "calm"}
BAD_TEXTS = {
    "not a turn": "Sure! I had a lovely day, thanks for asking.",
    "wrong schema": json.dumps({"actions": "TALK", "cognitive_state": 5}),
    "5 MB": json.dumps({"actions": [{"type": "TALK", "content": "a" * 5_000_000, "target": ""}],
                        "cognitive_state": STATE}),
}


class Opinion(BaseModel):
    stance: str = Field(max_length=40)
    confidence: int


def deterministic(body: dict) -> str:
    """A reply sampled from the request's schema, seeded by its messages: a provider that answers alike."""
    digest = hashlib.sha256(json.dumps(body["messages"], sort_keys=True).encode("utf-8")).digest()
    return json.dumps(sample_from_schema(schema_of_request(body), random.Random(digest)))


@pytest.fixture
def server():
    with LoopbackServer(responder=deterministic) as running:
        config_manager.update_multiple({"api_key": "sk-test", "base_url": running.base_url, "model": "loop",
                                        "timeout": 10, "cache_api_calls": True, "cache_file_name": CACHE})
        llm.reset_default_model()
        yield running
        cached = llm.default_model().find(CachedModel)
        if cached is not None:
            cached.cache.close()


def plant(text: str) -> int:
    """Overwrite every stored reply's text; how many entries were changed."""
    with sqlite3.connect(Path(CACHE)) as conn:
        rows = conn.execute("SELECT key, value FROM calls").fetchall()
        for key, value in rows:
            conn.execute("UPDATE calls SET value = ? WHERE key = ?", (json.dumps({**json.loads(value), "text": text}), key))
    return len(rows)


def stored_texts() -> list[str]:
    with sqlite3.connect(Path(CACHE)) as conn:
        return [json.loads(v)["text"] for (v,) in conn.execute("SELECT value FROM calls")]


def a_turn() -> list[dict]:
    TinyPerson.clear_agents()
    agent = TinyPerson("Ana")
    agent.listen("How was your day?")
    agent.act()
    assert agent.fallback_count == 0
    return [e.to_dict() for e in agent.episodic_memory]


@pytest.mark.parametrize("bad", list(BAD_TEXTS))
def test_an_unusable_cached_turn_is_asked_again_and_replaced(server, bad):
    first = a_turn()
    sent = server.bodies
    assert plant(BAD_TEXTS[bad]) == len(sent) >= 1
    llm.usage_stats().reset()
    second = a_turn()
    assert server.bodies[len(sent):] == sent  # the same requests as the first run: no repair request
    assert second == first
    assert llm.usage_stats().snapshot()["total"]["repairs"] == 0
    assert BAD_TEXTS[bad] not in stored_texts()  # replaced
    asked = server.request_count
    assert a_turn() == first and server.request_count == asked  # the replaced entries replay


def test_an_unusable_cached_structured_reply_is_a_miss(server):
    messages = [{"role": "user", "content": "What do you think of trains?"}]
    first = generate(llm.default_model(), messages, Opinion, seed=5)
    plant(json.dumps({"stance": "x" * 500, "confidence": "very"}))
    again = generate(llm.default_model(), messages, Opinion, seed=5)
    assert server.request_count == 2 and server.bodies[1] == server.bodies[0]
    assert again.attempts == 1 and not again.completion.cached and again.value == first.value
    third = generate(llm.default_model(), messages, Opinion, seed=5)
    assert third.completion.cached and server.request_count == 2


def test_the_providers_own_invalid_reply_is_replayed_with_its_repair_for_free(server):
    server.script("wrong_types", "ok")
    messages = [{"role": "user", "content": "What do you think of buses?"}]
    first = generate(llm.default_model(), messages, Opinion, seed=7)
    assert first.attempts == 2 and server.request_count == 2
    again = generate(llm.default_model(), messages, Opinion, seed=7)
    assert again.attempts == 2 and again.value == first.value and server.request_count == 2  # a free rerun
