"""A real OpenAI-compatible HTTP server on 127.0.0.1, with switchable behaviours.

Tests and benchmarks point the ``openai`` provider at it instead of patching a client::

    with LoopbackServer(latency=0.2) as server:
        model = OpenAIModel(api_key="x", base_url=server.base_url, model="loop", timeout=5)
        ...
        assert server.max_in_flight >= 10

It serves ``POST /v1/chat/completions`` and ``POST /v1/embeddings`` over HTTP/1.1 keep-alive.
``engine="threads"`` (the default) answers from a thread per connection, the latency a sleep in
that thread; ``engine="asyncio"`` answers from one event loop, the latency a timer, at a small
fraction of the CPU per request (what benchmarks use). Both serve every behaviour below; on
the asyncio engine the responder runs on the event loop, so it must not block. Replies come from
``responder(request_json)`` when set, else a JSON object generated from the request's schema,
else a short text. ``mode`` mimics servers: ``native`` takes ``json_schema``;
``reject_json_schema`` answers it with HTTP ``reject_status`` (400, or 500 like llama.cpp);
``prose_only`` ignores ``response_format`` and wraps JSON in prose or code fences.
Faults come from a script (``server.script("429", "ok", "drop")``) or by rate
(``fault_rates={"500": 0.1}``, seeded): see :data:`FAULTS`. ``concurrency_limit=N`` acts as
a provider that takes at most N requests at once: a chat request arriving while N are being
answered gets a 429 with ``Retry-After: retry_after`` (counted in ``refused``).
``record_bodies=False`` keeps every count but not the request bodies (long benchmarks).
"""

from __future__ import annotations

import hashlib
import json
import random
import socket
import threading
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tinytroupe.llm.providers.schema_sample import corrupt_types, sample_from_schema
from tinytroupe.testing.loopback_asyncio import AsyncioEngine
from tinytroupe.testing.loopback_replies import Reply, answer, estimate_tokens, message_text, settle

__all__ = ["LoopbackServer", "FAULTS", "MODES", "ENGINES", "estimate_tokens", "schema_of_request", "message_text",
           "image_parts"]

FAULTS: tuple[str, ...] = (
    "ok",           # no fault: a normal reply
    "429",          # rate limited, with Retry-After: retry_after seconds
    "500",          # internal server error
    "503",          # service unavailable
    "401",          # authentication refused
    "truncated",    # 200, but the JSON content is cut in half
    "wrong_types",  # 200, JSON with its first field of the wrong type
    "empty",        # 200, empty content
    "stall",        # waits stall_seconds (past the client's timeout), then replies
    "drop",         # closes the connection without answering
)
MODES: tuple[str, ...] = ("native", "reject_json_schema", "prose_only")
ENGINES: tuple[str, ...] = ("threads", "asyncio")

Responder = Callable[[dict[str, Any]], str]


def schema_of_request(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema a chat request asks for: from response_format, else from the prompt."""
    rf = body.get("response_format") or {}
    if rf.get("type") == "json_schema":
        schema = (rf.get("json_schema") or {}).get("schema")
        if isinstance(schema, dict):
            return schema
    if rf.get("type") == "json_object" and isinstance(rf.get("schema"), dict):
        return rf["schema"]
    for message in reversed(body.get("messages") or []):
        found = _schema_in_text(message_text(message))
        if found is not None:
            return found
    return None


def image_parts(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The image content parts of a request body, in order (``{"type": "image_url", ...}``)."""
    return [p for m in body.get("messages") or [] if isinstance(m.get("content"), list)
            for p in m["content"] if isinstance(p, dict) and p.get("type") == "image_url"]


def _schema_in_text(text: str) -> dict[str, Any] | None:
    """A JSON schema written into a prompt (an object with "properties"), if any."""
    decoder = json.JSONDecoder()
    start = text.find('{"')
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, dict) and ("properties" in value or "$defs" in value):
            return value
        start = text.find('{"', start + 1)
    return None


class _Stats:
    """What the server saw; guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.request_count = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.prompt_tokens_per_request: list[int] = []
        self.bodies: list[dict[str, Any]] = []
        self.faults_served: list[str] = []
        self.paths: list[str] = []
        self.refused = 0  # requests answered 429 because concurrency_limit was reached


class LoopbackServer:
    """An OpenAI-compatible server in a background thread; see the module docstring."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        latency_per_token: float = 0.0,
        responder: Responder | None = None,
        mode: str = "native",
        reject_status: int = 400,
        fault_rates: dict[str, float] | None = None,
        retry_after: float = 0.2,
        stall_seconds: float = 30.0,
        api_key: str | None = None,
        model_name: str = "loopback-model",
        embedding_dim: int = 16,
        seed: int = 0,
        serve_embeddings: bool = True,
        concurrency_limit: int | None = None,
        engine: str = "threads",
        record_bodies: bool = True,
    ):
        if mode not in MODES:
            raise ValueError(f"LoopbackServer mode must be one of {MODES}, got {mode!r}")
        if engine not in ENGINES:
            raise ValueError(f"LoopbackServer engine must be one of {ENGINES}, got {engine!r}")
        self.engine = engine
        self.latency = latency
        self.latency_per_token = latency_per_token
        self.responder = responder
        self.mode = mode
        self.reject_status = reject_status
        self.fault_rates = dict(fault_rates or {})
        self.retry_after = retry_after
        self.stall_seconds = stall_seconds
        self.api_key = api_key
        self.model_name = model_name
        self.embedding_dim = embedding_dim
        self.serve_embeddings = serve_embeddings  # False: a chat-only server (404 on /v1/embeddings)
        self.record_bodies = record_bodies  # False: ``bodies`` stays empty (long benchmarks: less memory, less GC)
        self.concurrency_limit = concurrency_limit
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._script: deque[str] = deque()
        self._embedding_script: deque[str] = deque()  # faults of the next embedding requests
        self._stats = _Stats()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._aio: AsyncioEngine | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> LoopbackServer:
        """Bind 127.0.0.1 on a free port and serve in a background thread."""
        if self._httpd is not None or self._aio is not None:
            return self
        self._stopping.clear()
        if self.engine == "asyncio":
            self._aio = AsyncioEngine(self)
            self._aio.start()
            return self
        handler = type("_BoundHandler", (_Handler,), {"server_state": self})
        httpd = _Server(("127.0.0.1", 0), handler)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="loopback-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; stalled handlers are woken up."""
        self._stopping.set()
        if self._aio is not None:
            self._aio.stop()
            self._aio = None
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._aio is not None:
            return self._aio.port
        if self._httpd is None:
            raise RuntimeError("the loopback server is not running; call start() or use it in a with block")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """The URL to give an OpenAI client (ends in /v1)."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- behaviour -----------------------------------------------------------------------
    def script(self, *faults: str) -> LoopbackServer:
        """Queue faults for the next chat requests, in order ("ok" for a normal reply)."""
        unknown = [f for f in faults if f not in FAULTS]
        if unknown:
            raise ValueError(f"unknown fault(s) {unknown}; known: {FAULTS}")
        with self._stats.lock:
            self._script.extend(faults)
        return self

    def script_embeddings(self, *faults: str) -> LoopbackServer:
        """Queue faults for the next embedding requests: "ok", "429", "500", "503", "401" or "drop"."""
        unknown = [f for f in faults if f not in ("ok", "429", "500", "503", "401", "drop")]
        if unknown:
            raise ValueError(f"unknown embedding fault(s) {unknown}; known: ok, 429, 500, 503, 401, drop")
        with self._stats.lock:
            self._embedding_script.extend(faults)
        return self

    def _next_fault(self) -> str:
        with self._stats.lock:
            if self._script:
                return self._script.popleft()
        with self._rng_lock:
            for fault, rate in self.fault_rates.items():
                if self._rng.random() < rate:
                    return fault
        return "ok"

    # -- records -------------------------------------------------------------------------
    def reset_stats(self) -> None:
        """Forget counts and recorded requests (behaviour settings are kept)."""
        with self._stats.lock:
            self._stats.reset()

    def snapshot(self) -> dict[str, Any]:
        """Every count and record at once (consistent with each other), as plain data."""
        with self._stats.lock:
            return {k: (list(v) if isinstance(v, list) else v)
                    for k, v in vars(self._stats).items() if k != "lock"}

    def _read(self, name: str) -> Any:
        with self._stats.lock:
            value = getattr(self._stats, name)
            return list(value) if isinstance(value, list) else value

    @property
    def request_count(self) -> int:
        """Requests received (chat and embeddings), faults included."""
        return self._read("request_count")

    @property
    def in_flight(self) -> int:
        return self._read("in_flight")

    @property
    def max_in_flight(self) -> int:
        """The most requests being handled at the same moment."""
        return self._read("max_in_flight")

    @property
    def prompt_tokens(self) -> int:
        return self._read("prompt_tokens")

    @property
    def completion_tokens(self) -> int:
        return self._read("completion_tokens")

    @property
    def prompt_tokens_per_request(self) -> list[int]:
        """Estimated prompt tokens of each request, in arrival order."""
        return self._read("prompt_tokens_per_request")

    @property
    def bodies(self) -> list[dict[str, Any]]:
        """The JSON body of each request, in arrival order."""
        return self._read("bodies")

    @property
    def image_parts(self) -> list[list[dict[str, Any]]]:
        """The image content parts of each recorded request, in arrival order ([] for text-only ones)."""
        return [image_parts(body) for body in self.bodies]

    @property
    def faults_served(self) -> list[str]:
        """The fault (or "ok") each finished request got, in completion order."""
        return self._read("faults_served")

    @property
    def refused(self) -> int:
        """Requests refused with a 429 because ``concurrency_limit`` requests were in flight."""
        return self._read("refused")

    def _enter(self, path: str, body: dict[str, Any], prompt_tokens: int) -> bool:
        """Count a request in; False when it is over the concurrency limit (it is then refused)."""
        s = self._stats
        with s.lock:
            s.request_count += 1
            over = self.concurrency_limit is not None and s.in_flight >= self.concurrency_limit
            s.refused += int(over)
            s.in_flight += 1
            s.max_in_flight = max(s.max_in_flight, s.in_flight)
            if self.record_bodies:
                s.bodies.append(body)
            s.paths.append(path)
            s.prompt_tokens += prompt_tokens
            s.prompt_tokens_per_request.append(prompt_tokens)
            return not over

    def _leave(self, fault: str, completion_tokens: int) -> bool:
        s = self._stats
        with s.lock:
            s.in_flight -= 1
            s.completion_tokens += completion_tokens
            s.faults_served.append(fault)
        return True

    # -- replies -------------------------------------------------------------------------
    def _content(self, body: dict[str, Any], fault: str) -> str:
        """The assistant content for a chat request, with content faults applied."""
        if self.responder is not None:
            text = self.responder(body)
            value: Any = None
        else:
            schema = schema_of_request(body)
            with self._rng_lock:
                seed = self._rng.random()
            value = sample_from_schema(schema, random.Random(seed)) if schema is not None else None
            text = json.dumps(value) if schema is not None else "Hello from the loopback server."
        if fault == "empty":
            return ""
        if fault == "wrong_types":
            if value is None:
                try:
                    value = json.loads(text)
                except json.JSONDecodeError:
                    value = {"text": text}
            text = json.dumps(corrupt_types(value))
        if fault == "truncated":
            text = text[: max(1, len(text) // 2)]
        if self.mode == "prose_only" and text.lstrip().startswith(("{", "[")):
            with self._stats.lock:
                n = self._stats.request_count
            if n % 2:
                text = f"Sure! Here is what you asked for:\n```json\n{text}\n```\nLet me know if you need more."
            else:
                text = f"Of course. The answer is {text} as requested."
        return text

    def embedding(self, text: str) -> list[float]:
        """A deterministic unit-length vector for ``text``."""
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        raw = [(digest[i % len(digest)] - 127.5) / 127.5 for i in range(self.embedding_dim)]
        norm = sum(v * v for v in raw) ** 0.5 or 1.0
        return [v / norm for v in raw]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up (timeouts, drops) are expected here


class _Handler(BaseHTTPRequestHandler):
    """One connection of the threads engine; ``server_state`` is the owning LoopbackServer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_state: LoopbackServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._deliver(answer(self.server_state, "GET", self.path, b"", self.headers.get("Authorization")))

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self._deliver(answer(self.server_state, "POST", self.path, raw, self.headers.get("Authorization")))

    def _deliver(self, reply: Reply) -> None:
        """Wait the reply's latency in this thread, count it out, then write it (or drop)."""
        state = self.server_state
        try:
            if reply.delay > 0 and state._stopping.wait(reply.delay):
                self._drop()
                return
        finally:
            settle(state, reply)
        if reply.payload is None:
            self._drop()
        else:
            self._send_json(reply.status, reply.payload, reply.headers)

    def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client hung up (e.g. it timed out)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
