"""The loopback server's two engines (threads, asyncio) answer the same exchange the same way."""

from __future__ import annotations

import asyncio
import http.client
import json
import time

import pytest

from tinytroupe.llm.base import ChatRequest, Message
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.testing import LoopbackServer

SCHEMA = {"type": "object", "properties": {"word": {"type": "string", "enum": ["yes", "no"]},
                                           "count": {"type": "integer"}}, "required": ["word", "count"]}
CHAT = {"model": "m", "messages": [{"role": "user", "content": "say yes or no"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "w", "schema": SCHEMA}}}


def send(conn: http.client.HTTPConnection, method: str, path: str, payload: object = None) -> None:
    body = None if payload is None else json.dumps(payload)
    conn.request(method, path, body, {"Content-Type": "application/json"})


def receive(conn: http.client.HTTPConnection) -> tuple[int, dict, dict]:
    response = conn.getresponse()
    data = json.loads(response.read())
    for key in ("id", "created"):  # a timestamp and a clock reading
        data.pop(key, None)
    return response.status, {k: v for k, v in response.getheaders() if k in ("Retry-After", "Content-Type")}, data


def wait_for(predicate, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "the server never got there"
        time.sleep(0.01)


def exchange(engine: str) -> dict:
    """A schema chat, an embedding and a model list on one kept-alive connection, then a 429."""
    with LoopbackServer(engine=engine, latency=0.05, concurrency_limit=2, retry_after=0.7, seed=3) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        send(conn, "POST", "/v1/chat/completions", CHAT)
        replies = [receive(conn)]
        sock = conn.sock
        send(conn, "POST", "/v1/embeddings", {"model": "e", "input": ["one", "two"]})
        replies.append(receive(conn))
        send(conn, "GET", "/v1/models")
        replies.append(receive(conn))
        assert conn.sock is sock, "the connection was not kept alive"
        server.latency = 1.0
        held = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=10) for _ in range(3)]
        for c in held[:2]:
            send(c, "POST", "/v1/chat/completions", CHAT)
        wait_for(lambda: server.in_flight == 2)
        send(held[2], "POST", "/v1/chat/completions", CHAT)
        refused = receive(held[2])
        late = [receive(c)[0] for c in held[:2]]
        for c in [conn, *held]:
            c.close()
        wait_for(lambda: server.in_flight == 0)
        return {"replies": replies, "refused": refused, "late": late, "stats": server.snapshot()}


def test_both_engines_answer_the_same_exchange_alike():
    threads, lean = exchange("threads"), exchange("asyncio")
    assert lean == threads
    chat, embeddings, models = lean["replies"]
    assert chat[0] == 200 and json.loads(chat[2]["choices"][0]["message"]["content"])["word"] in ("yes", "no")
    assert embeddings[0] == 200 and len(embeddings[2]["data"]) == 2
    assert models[2]["data"][0]["id"] == "loopback-model"
    assert lean["refused"][0] == 429 and lean["refused"][1]["Retry-After"] == "0.7"
    assert lean["late"] == [200, 200]
    stats = lean["stats"]
    assert stats["request_count"] == 5 and stats["refused"] == 1 and stats["max_in_flight"] == 3
    assert stats["paths"] == ["chat", "embeddings", "chat", "chat", "chat"]
    assert stats["faults_served"] == ["ok", "ok", "429", "ok", "ok"]


def test_asyncio_engine_holds_hundreds_of_requests_on_one_timer_each():
    request = ChatRequest(messages=(Message(role="user", content="hello"),))

    async def many(model: OpenAIModel, n: int) -> list[str]:
        return [c.text for c in await asyncio.gather(*(model.complete(request) for _ in range(n)))]

    with LoopbackServer(engine="asyncio", latency=1.0) as server:
        model = OpenAIModel(api_key="k", base_url=server.base_url, model="m", timeout=30)
        texts = asyncio.run(many(model, 300))
        assert texts == ["Hello from the loopback server."] * 300
        assert server.request_count == 300 and server.max_in_flight == 300 and server.in_flight == 0


def test_asyncio_engine_drops_waiting_replies_when_stopped_and_refuses_chunked_bodies():
    server = LoopbackServer(engine="asyncio", latency=30.0).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    send(conn, "POST", "/v1/chat/completions", CHAT)
    wait_for(lambda: server.in_flight == 1)
    server.stop()
    with pytest.raises((http.client.HTTPException, OSError)):
        conn.getresponse()
    assert server.in_flight == 0
    with LoopbackServer(engine="asyncio") as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("POST", "/v1/chat/completions", iter([json.dumps(CHAT).encode()]),
                     {"Transfer-Encoding": "chunked"})
        response = conn.getresponse()
        assert response.status == 501 and "Content-Length" in json.loads(response.read())["error"]["message"]


def test_an_unknown_engine_is_named_in_the_error():
    with pytest.raises(ValueError, match="engine must be one of"):
        LoopbackServer(engine="processes")


@pytest.mark.parametrize("engine", ["threads", "asyncio"])
def test_a_server_told_not_to_record_bodies_still_counts_everything(engine):
    with LoopbackServer(engine=engine, record_bodies=False) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        send(conn, "POST", "/v1/chat/completions", CHAT)
        status = receive(conn)[0]
        conn.close()
        assert status == 200 and server.bodies == []
        assert server.request_count == 1 and server.prompt_tokens_per_request == [3]
