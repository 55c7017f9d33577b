"""The lean HTTP/1.1 client for plain-http OpenAI-compatible servers (added after profiling the surveys)."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tinytroupe.errors import AuthenticationError, BadRequestError, TransientError
from tinytroupe.llm.base import ChatRequest, Message
from tinytroupe.llm.providers.azure import AzureOpenAIModel
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.providers.plain_http import PlainHTTPClient, usable_for
from tinytroupe.testing.loopback_server import LoopbackServer

COMPLETION = {"model": "m", "choices": [{"index": 0, "message": {"role": "assistant", "content": "chunked hi"},
                                         "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 2}}


class _Odd(BaseHTTPRequestHandler):
    """Replies the way some servers do: chunked, HTML errors, or closing after each reply."""

    protocol_version = "HTTP/1.1"
    seen: list[dict] = []

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Odd.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if self.path.endswith("/html/chat/completions"):
            page = b"<html>no such route</html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        data = json.dumps(COMPLETION).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.path.endswith("/close/chat/completions"):
            self.send_header("Connection", "close")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(data), 40):
            part = data[i:i + 40]
            self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


@pytest.fixture
def odd_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Odd.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _chat(**fields) -> ChatRequest:
    return ChatRequest(messages=[Message(role="user", content="hello")], **fields)


def test_chunked_replies_and_servers_that_close_each_connection(odd_server):
    for prefix in ("/v1", "/close"):
        model = OpenAIModel(api_key="sk-x", base_url=odd_server + prefix, model="m", timeout=5)

        async def three(model=model):
            return [await model.complete(_chat()) for _ in range(3)]

        replies = asyncio.run(three())
        assert [r.text for r in replies] == ["chunked hi"] * 3 and replies[0].usage.output_tokens == 2
    assert _Odd.seen[0]["path"] == "/v1/chat/completions" and _Odd.seen[0]["auth"] == "Bearer sk-x"
    assert _Odd.seen[0]["body"]["messages"] == [{"role": "user", "content": "hello"}]


def test_a_non_json_error_page_is_a_bad_request_naming_the_route(odd_server):
    model = OpenAIModel(api_key="k", base_url=odd_server + "/html", model="m", timeout=5)
    with pytest.raises(BadRequestError, match="404.*no such route.*BASE_URL ends with /v1"):
        asyncio.run(model.complete(_chat()))


def test_connections_are_reused_within_a_loop():
    with LoopbackServer() as server:
        client = PlainHTTPClient(server.base_url, {})

        async def five():
            replies = [await client.post_json("/chat/completions", {"messages": []}, 5) for _ in range(5)]
            idle = len(client._idle)
            await client.aclose()
            return replies, idle

        replies, idle = asyncio.run(five())
    assert [r.status for r in replies] == [200] * 5 and idle == 1


def test_faults_map_to_the_same_errors_as_the_sdk_path():
    with LoopbackServer(retry_after=0.25, stall_seconds=3, api_key="good") as server:
        model = OpenAIModel(api_key="good", base_url=server.base_url, model="m", timeout=0.5)
        server.script("429", "500", "drop", "stall")
        errors = []
        for _ in range(4):
            with pytest.raises(TransientError) as info:
                asyncio.run(model.complete(_chat()))
            errors.append(info.value)
        assert errors[0].status == 429 and errors[0].retry_after == 0.25
        assert errors[1].status == 500
        assert "cannot reach" in str(errors[2]) and "TIMEOUT=0.5" in str(errors[3])
        wrong = OpenAIModel(api_key="bad", base_url=server.base_url, model="m", timeout=5)
        with pytest.raises(AuthenticationError, match="refused the credentials"):
            asyncio.run(wrong.complete(_chat()))
        assert asyncio.run(model.complete(_chat())).text  # and it still works afterwards


def test_only_plain_http_without_a_proxy_and_never_for_azure(monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
    assert usable_for("http://localhost:11434/v1") and not usable_for("https://api.openai.com/v1")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy:3128")
    assert not usable_for("http://gpu-box:8000/v1")
    monkeypatch.setenv("NO_PROXY", "gpu-box")
    assert usable_for("http://gpu-box:8000/v1")
    azure = AzureOpenAIModel(endpoint="http://127.0.0.1:9", model="d", api_version="v", timeout=5, api_key="k")
    assert not azure.plain_http
