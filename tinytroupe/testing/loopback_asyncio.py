"""The loopback server's lean engine: one asyncio loop in one background thread.

Each connection is an :class:`asyncio.Protocol` with a minimal HTTP/1.1 keep-alive parser
(``Content-Length`` bodies; chunked request bodies get a 501). The simulated latency is a
timer on the loop, not a sleeping thread, so thousands of requests in flight cost almost no
CPU: this is the engine benchmarks use, so that the server does not weigh on what they measure.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from tinytroupe.testing.loopback_replies import Reply, answer, encode_response, settle

if TYPE_CHECKING:
    from tinytroupe.testing.loopback_server import LoopbackServer

__all__ = ["AsyncioEngine"]

_MAX_HEAD = 65536


class AsyncioEngine:
    """Serves a :class:`LoopbackServer`'s state from an event loop in a daemon thread."""

    def __init__(self, state: LoopbackServer):
        self.state = state
        self.port = 0
        self.connections: set[_Connection] = set()
        self.waiting: set[_Connection] = set()  # connections with a reply waiting for its latency
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    def start(self) -> None:
        """Bind 127.0.0.1 on a free port and serve until :meth:`stop`."""
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="loopback-asyncio", daemon=True)
        self._thread.start()
        if not ready.wait(10) or self._failure is not None:
            raise RuntimeError(f"the loopback server's asyncio engine did not start: {self._failure}")

    def stop(self) -> None:
        """Drop every connection (waiting replies included) and end the loop's thread."""
        if self._thread is None:
            return
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._thread = None

    def _run(self, ready: threading.Event) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(loop.create_server(
                lambda: _Connection(self), "127.0.0.1", 0, backlog=1024, reuse_address=True))
            self.port = server.sockets[0].getsockname()[1]
        except BaseException as exc:  # reported by start()
            self._failure = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            for connection in list(self.waiting):
                connection.cancel()
            for connection in list(self.connections):
                connection.transport.abort()
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()


class _Connection(asyncio.Protocol):
    """One client connection: parses requests in order and answers each after its latency."""

    def __init__(self, engine: AsyncioEngine):
        self.engine = engine
        self.buffer = bytearray()
        self.transport: asyncio.Transport
        self.pending: tuple[asyncio.TimerHandle, Reply, bool] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.engine.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        # a reply still waiting keeps counting as in flight until its latency is over, as with threads
        self.engine.connections.discard(self)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.pending is None:
            self._serve_buffered()

    def cancel(self) -> None:
        """The server stops: forget the waiting reply (it is counted out, never written)."""
        if self.pending is not None:
            timer, reply, _ = self.pending
            timer.cancel()
            self.pending = None
            self.engine.waiting.discard(self)
            settle(self.engine.state, reply)

    def _serve_buffered(self) -> None:
        """Answer every complete request in the buffer, in order, until one has to wait."""
        while self.pending is None and not self.transport.is_closing():
            request = self._take_request()
            if request is None:
                return
            method, target, raw, authorization, keep = request
            try:
                reply = answer(self.engine.state, method, target, raw, authorization)
            except Exception:  # a responder failed: hang up, as the threads engine does
                self.transport.close()
                return
            if reply.delay > 0:
                timer = asyncio.get_running_loop().call_later(reply.delay, self._finish)
                self.pending = (timer, reply, keep)
                self.engine.waiting.add(self)
                return
            self._write(reply, keep)

    def _finish(self) -> None:
        assert self.pending is not None
        _, reply, keep = self.pending
        self.pending = None
        self.engine.waiting.discard(self)
        self._write(reply, keep)
        if self.buffer:
            self._serve_buffered()

    def _write(self, reply: Reply, keep: bool) -> None:
        settle(self.engine.state, reply)
        if self.transport.is_closing():
            return
        if reply.payload is None:
            self.transport.abort()
            return
        self.transport.write(encode_response(reply, keep))
        if not keep:
            self.transport.close()

    def _take_request(self) -> tuple[str, str, bytes, str | None, bool] | None:
        """The next complete request (method, target, body, Authorization, keep-alive), or None."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > _MAX_HEAD:
                self._refuse(431, "request header too large")
            return None
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            self._refuse(400, f"malformed request line {lines[0][:80]!r}")
            return None
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._refuse(501, "chunked request bodies are not supported by the asyncio engine; send Content-Length")
            return None
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            self._refuse(400, "Content-Length is not a number")
            return None
        if len(self.buffer) < end + 4 + length:
            return None
        raw = bytes(self.buffer[end + 4:end + 4 + length])
        del self.buffer[:end + 4 + length]
        keep = parts[2] == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        return parts[0], parts[1], raw, headers.get("authorization"), keep

    def _refuse(self, status: int, message: str) -> None:
        """Answer a request the engine cannot read, then close the connection."""
        self.buffer.clear()
        payload = {"error": {"message": message, "type": "invalid_request_error", "code": status, "param": None}}
        self.transport.write(encode_response(Reply(status, payload), keep_alive=False))
        self.transport.close()
