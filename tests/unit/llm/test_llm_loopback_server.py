"""The loopback server's own behaviours, over plain HTTP (http.client)."""

import http.client
import json
import threading

import pytest

from tinytroupe.testing import LoopbackServer
from tinytroupe.testing.loopback_server import schema_of_request

SCHEMA = {"type": "object", "properties": {"word": {"type": "string", "enum": ["yes", "no"]}}, "required": ["word"]}


def post(server, path, payload, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("POST", path, json.dumps(payload), {"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read() or b"null")
    finally:
        conn.close()


def chat(server, **extra):
    body = {"model": "m", "messages": [{"role": "user", "content": "hello there"}], **extra}
    return post(server, "/v1/chat/completions", body)


def content(reply):
    return reply[2]["choices"][0]["message"]["content"]


def test_llm_server_answers_schema_with_valid_json_and_records():
    with LoopbackServer() as server:
        rf = {"type": "json_schema", "json_schema": {"name": "w", "schema": SCHEMA}}
        reply = chat(server, response_format=rf)
        assert reply[0] == 200 and json.loads(content(reply))["word"] in ("yes", "no")
        usage = reply[2]["usage"]
        assert usage["prompt_tokens"] == server.prompt_tokens == server.prompt_tokens_per_request[0]
        assert server.request_count == 1 and server.bodies[0]["response_format"] == rf
        snap = server.snapshot()
        assert snap["request_count"] == 1 and snap["completion_tokens"] == usage["completion_tokens"]
        server.reset_stats()
        assert server.request_count == 0 and server.bodies == []


def test_llm_server_reads_a_schema_written_in_the_prompt():
    body = {"messages": [{"role": "system", "content": "Follow this JSON schema:\n" + json.dumps(SCHEMA)}]}
    assert schema_of_request(body) == SCHEMA
    assert schema_of_request({"messages": [{"role": "user", "content": "no schema {here}"}]}) is None


def test_llm_server_plain_text_and_responder():
    with LoopbackServer() as server:
        assert "loopback" in content(chat(server))
        server.responder = lambda body: body["messages"][-1]["content"].upper()
        assert content(chat(server)) == "HELLO THERE"


def test_llm_server_scripted_faults_in_order():
    with LoopbackServer(retry_after=1.5) as server:
        server.script("429", "500", "401", "ok")
        status, headers, _ = chat(server)
        assert status == 429 and headers["Retry-After"] == "1.5"
        assert chat(server)[0] == 500
        assert chat(server)[0] == 401
        assert chat(server)[0] == 200
        assert server.faults_served == ["429", "500", "401", "ok"]


def test_llm_server_rejects_json_schema_like_llama_cpp():
    with LoopbackServer(mode="reject_json_schema", reject_status=500) as server:
        status, _, body = chat(server, response_format={"type": "json_schema", "json_schema": {"schema": SCHEMA}})
        assert status == 500 and "json_schema" in body["error"]["message"]
        assert chat(server, response_format={"type": "json_object", "schema": SCHEMA})[0] == 200


def test_llm_server_prose_only_wraps_json():
    with LoopbackServer(mode="prose_only") as server:
        texts = [content(chat(server, response_format={"type": "json_object", "schema": SCHEMA})) for _ in range(2)]
        assert any("```json" in t for t in texts) and all(not t.startswith("{") for t in texts)


def test_llm_server_checks_the_key_and_routes():
    with LoopbackServer(api_key="secret") as server:
        assert chat(server)[0] == 401
        body = {"messages": [{"role": "user", "content": "x"}]}
        assert post(server, "/v1/chat/completions", body, {"Authorization": "Bearer secret"})[0] == 200
        assert post(server, "/nope", {})[0] == 404


def test_llm_server_validates_its_settings():
    with pytest.raises(ValueError, match="mode"):
        LoopbackServer(mode="weird")
    with pytest.raises(ValueError, match="unknown fault"):
        LoopbackServer().script("explode")
    with pytest.raises(RuntimeError, match="not running"):
        LoopbackServer().base_url  # noqa: B018


def test_llm_server_handles_150_concurrent_connections():
    n = 150
    all_in = threading.Event()
    counter = {"n": 0}
    lock = threading.Lock()

    def hold_until_all_arrive(body):
        with lock:
            counter["n"] += 1
            if counter["n"] == n:
                all_in.set()
        all_in.wait(timeout=20)  # every request is inside the server at once
        return "ok"

    with LoopbackServer(responder=hold_until_all_arrive) as server:
        statuses = []

        def one():
            status = chat(server)[0]
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=one) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert all_in.is_set()
        assert statuses.count(200) == n
        assert server.max_in_flight == n and server.in_flight == 0
