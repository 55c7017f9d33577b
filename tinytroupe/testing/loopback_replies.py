"""What the loopback server answers to one request, whichever engine carries the bytes.

:func:`answer` turns a parsed request into a :class:`Reply` and counts it in the server's
records; the engine waits ``reply.delay`` (the simulated latency), calls :func:`settle`, then
writes ``reply.payload`` as JSON (or drops the connection when it is None).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinytroupe.testing.loopback_server import LoopbackServer

__all__ = ["Reply", "answer", "settle", "encode_response", "estimate_tokens", "message_text"]

_IMMEDIATE = ("401", "429", "500", "503", "reject", "drop")


@dataclass
class Reply:
    """One answer to write after ``delay`` seconds; ``payload`` None means: drop the connection."""

    status: int
    payload: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    fault: str = "ok"
    completion_tokens: int = 0
    settled: bool = True  # False while the request still counts as in flight


def estimate_tokens(text: str) -> int:
    """About four characters per token, at least one for non-empty text."""
    return max(1, len(text) // 4) if text else 0


def message_text(message: dict[str, Any]) -> str:
    """A request message's text: its content, or the text of its content parts (images left out)."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(p.get("text") or "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return str(content or "")


def answer(state: LoopbackServer, method: str, target: str, raw: bytes, authorization: str | None) -> Reply:
    """The reply to one request (``target`` is the request path with its query, if any)."""
    path = target.split("?")[0].rstrip("/")
    if method == "GET":
        if path == "/v1/models":
            return Reply(200, {"object": "list", "data": [{"id": state.model_name, "object": "model"}]})
        return Reply(404, _error(f"no route GET {target}", "not_found"))
    if method != "POST":
        return Reply(501, _error(f"method {method} is not served", "not_implemented"))
    try:
        body = json.loads(raw or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return Reply(400, _error("request body is not JSON", "invalid_request_error"))
    if path == "/v1/chat/completions":
        return _chat(state, body, authorization)
    if path == "/v1/embeddings" and state.serve_embeddings:
        return _embeddings(state, body)
    return Reply(404, _error(f"no route POST {target}", "not_found"))


def settle(state: LoopbackServer, reply: Reply) -> None:
    """Count a delayed reply out of flight (once); call it before writing the reply."""
    if not reply.settled:
        reply.settled = True
        state._leave(reply.fault, reply.completion_tokens)


def encode_response(reply: Reply, keep_alive: bool) -> bytes:
    """The HTTP/1.1 bytes of a reply with a JSON payload."""
    data = json.dumps(reply.payload).encode("utf-8")
    head = [f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}", "Content-Type: application/json",
            f"Content-Length: {len(data)}"]
    head.extend(f"{key}: {value}" for key, value in reply.headers.items())
    if not keep_alive:
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data


def _chat(state: LoopbackServer, body: dict[str, Any], authorization: str | None) -> Reply:
    """Answer one chat request: a fault at once, or a completion after the latency."""
    chars = sum(len(message_text(m)) for m in body.get("messages") or [])
    prompt_tokens = max(1, chars // 4) if chars else 0  # estimate_tokens of the whole prompt, without joining it
    admitted = state._enter("chat", body, prompt_tokens)
    fault = "429"
    try:
        fault = "429" if not admitted else (_refusal(state, body, authorization) or state._next_fault())
        if fault in _IMMEDIATE:
            state._leave(fault, 0)
            return _fault_reply(state, fault)
        content = state._content(body, fault)
    except BaseException:
        state._leave(fault, 0)
        raise
    completion_tokens = estimate_tokens(content)
    delay = state.latency + state.latency_per_token * completion_tokens
    if fault == "stall":
        delay = max(delay, state.stall_seconds)
    return Reply(200, _completion(state, body, content, prompt_tokens, completion_tokens), delay=delay,
                 fault=fault, completion_tokens=completion_tokens, settled=False)


def _refusal(state: LoopbackServer, body: dict[str, Any], authorization: str | None) -> str | None:
    if state.api_key is not None and authorization != f"Bearer {state.api_key}":
        return "401"
    rf_type = (body.get("response_format") or {}).get("type")
    if state.mode == "reject_json_schema" and rf_type == "json_schema":
        return "reject"
    return None


def _embeddings(state: LoopbackServer, body: dict[str, Any]) -> Reply:
    """Answer one embeddings request: deterministic vectors after the latency, or a scripted fault."""
    inputs = body.get("input")
    texts = [inputs] if isinstance(inputs, str) else [str(t) for t in inputs or []]
    tokens = sum(estimate_tokens(t) for t in texts)
    state._enter("embeddings", body, tokens)
    with state._stats.lock:
        fault = state._embedding_script.popleft() if state._embedding_script else "ok"
    if fault != "ok":
        state._leave(fault, 0)
        return _fault_reply(state, fault)
    data = [{"object": "embedding", "index": i, "embedding": state.embedding(t)} for i, t in enumerate(texts)]
    payload = {"object": "list", "data": data, "model": body.get("model") or state.model_name,
               "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
    return Reply(200, payload, delay=state.latency, settled=False)


def _fault_reply(state: LoopbackServer, fault: str) -> Reply:
    """The reply for a fault answered at once (``drop``: no reply at all)."""
    if fault == "drop":
        return Reply(0, None, fault=fault)
    if fault == "401":
        return Reply(401, _error("Incorrect API key provided.", "invalid_api_key"), fault=fault)
    if fault == "429":
        return Reply(429, _error("Rate limit reached, retry later.", "rate_limit_exceeded"),
                     {"Retry-After": f"{state.retry_after:g}"}, fault=fault)
    if fault == "reject":
        message = ("'response_format' of type 'json_schema' is not supported by this server; "
                   "use json_object with a schema")
        return Reply(state.reject_status, _error(message, "invalid_request_error"), fault=fault)
    return Reply(int(fault), _error(f"The server had an error (HTTP {fault}).", "server_error"), fault=fault)


def _error(message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": code, "code": code, "param": None}}


def _completion(state: LoopbackServer, body: dict[str, Any], content: str, prompt_tokens: int,
                completion_tokens: int) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-loop-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model") or state.model_name,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop",
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
