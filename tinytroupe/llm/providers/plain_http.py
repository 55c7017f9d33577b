"""A lean HTTP/1.1 JSON client for OpenAI-compatible servers on plain ``http://``.

Local servers (Ollama, vLLM, LM Studio, llama.cpp's server) are where hundreds of agents call
at once, and there the ``openai`` SDK and the HTTP stack beneath it cost 2-3 ms of CPU per
call, which on a small machine is more than the rest of an agent's turn together: a
1,000-agent step spent seconds in it. This client posts one JSON body and reads one reply
(``Content-Length``, chunked, or until close) over kept-alive asyncio connections, at about a
fifth of that cost: each connection is an asyncio protocol that parses the reply as its bytes
arrive. It is used only for ``http://`` URLs that no proxy applies to; TLS and proxies stay
with the SDK. Connections belong to the event loop that opened them.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tinytroupe.llm.providers.request_body import encode_json

__all__ = ["PlainHTTPClient", "HTTPReply", "ConnectionProblem", "usable_for"]

MAX_IDLE = 256  # idle connections kept per client


class ConnectionProblem(Exception):
    """The server could not be reached, or hung up before a full reply."""


@dataclass(frozen=True)
class HTTPReply:
    """A reply: status, headers (lower-case names) and the raw body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None


def usable_for(base_url: str) -> bool:
    """Whether ``base_url`` is plain http with no proxy configured for its host."""
    parts = urlsplit(base_url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    proxies = urllib.request.getproxies()
    return not (proxies.get("http") or proxies.get("all")) or bool(urllib.request.proxy_bypass(parts.hostname))


class PlainHTTPClient:
    """POSTs JSON to one server over reused connections; use from one event loop only."""

    def __init__(self, base_url: str, headers: dict[str, str]):
        parts = urlsplit(base_url)
        self.host = parts.hostname or "localhost"
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        fixed = {"Host": parts.netloc, "Content-Type": "application/json", "Accept": "application/json",
                 "User-Agent": "tinytroupe", **headers}
        self._head = "".join(f"{k}: {v}\r\n" for k, v in fixed.items())
        self._idle: list[_Connection] = []

    async def post_json(self, path: str, payload: Any, timeout: float) -> HTTPReply:
        """Send ``payload`` (a JSON value, or its UTF-8 JSON bytes already encoded); the reply,
        whatever its status. Raises ConnectionProblem or TimeoutError."""
        body = payload if isinstance(payload, bytes) else encode_json(payload)
        request = (f"POST {self.prefix}{path} HTTP/1.1\r\n{self._head}Content-Length: {len(body)}\r\n\r\n"
                   ).encode("latin-1") + body
        async with asyncio.timeout(timeout):  # no extra task per call, unlike wait_for
            return await self._send(request)

    async def _send(self, request: bytes) -> HTTPReply:
        connection = None
        while self._idle and connection is None:  # skip connections the server closed while idle
            candidate = self._idle.pop()
            if candidate.usable():
                connection = candidate
            else:
                candidate.close()
        if connection is None:
            try:
                _, connection = await asyncio.get_running_loop().create_connection(_Connection, self.host, self.port)
            except OSError as exc:
                raise ConnectionProblem(f"cannot connect to {self.host}:{self.port} ({exc})") from exc
        return await self._exchange(connection, request)

    async def _exchange(self, connection: _Connection, request: bytes) -> HTTPReply:
        """One request and its reply; the connection goes back to the pool only after a whole reply."""
        keep = False
        try:
            reply, keep = await connection.exchange(request)
            return reply
        except (OSError, EOFError, ValueError) as exc:
            raise ConnectionProblem(f"the connection to {self.host}:{self.port} failed "
                                    f"({exc or type(exc).__name__})") from exc
        finally:
            if keep and len(self._idle) < MAX_IDLE:
                self._idle.append(connection)
            else:
                connection.close()

    async def aclose(self) -> None:
        """Close the idle connections."""
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


class _Connection(asyncio.Protocol):
    """One kept-alive connection: writes a request, parses its reply as the bytes arrive (no
    reader task, no coroutine per header line) and hands it over through one future."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.head: tuple[int, dict[str, str], bool, int] | None = None  # status, headers, keep, body start
        self.eof = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def usable(self) -> bool:
        return self.transport is not None and not self.transport.is_closing() and not self.eof

    def exchange(self, request: bytes) -> asyncio.Future:
        """Send ``request``; a future of (reply, whether the connection may be reused)."""
        assert self.transport is not None
        self.buffer.clear()
        self.head = None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.waiter

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is not None and not self.waiter.done():
            try:
                done = _parse(self)
            except ValueError as exc:
                self.waiter.set_exception(exc)
                return
            if done is not None:
                self.waiter.set_result(done)

    def eof_received(self) -> bool:
        self.eof = True
        self._ended()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self._ended(exc)

    def _ended(self, exc: Exception | None = None) -> None:
        """The server closed the connection: a reply read until close is complete, else it was cut."""
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self.head is not None and self.head[3] >= 0 and _length(self.head[1]) is None \
                and not _chunked(self.head[1]):
            status, headers, _, start = self.head
            waiter.set_result((HTTPReply(status, headers, bytes(self.buffer[start:])), False))
        elif self.head is None and not self.buffer:
            waiter.set_exception(EOFError("the server closed the connection without replying"))
        else:
            waiter.set_exception(exc or EOFError("the connection was closed inside the reply"))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def _length(headers: dict[str, str]) -> int | None:
    value = headers.get("content-length")
    return None if value is None else int(value)


def _chunked(headers: dict[str, str]) -> bool:
    return "chunked" in headers.get("transfer-encoding", "").lower()


def _parse(connection: _Connection) -> tuple[HTTPReply, bool] | None:
    """The reply in ``connection``'s buffer and whether to keep the connection, once it is whole."""
    buffer = connection.buffer
    if connection.head is None:
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        connection.head = _head(bytes(buffer[:end]).decode("latin-1"), end + 4)
    status, headers, keep, start = connection.head
    if _chunked(headers):
        body = _chunks(buffer, start)
        return None if body is None else (HTTPReply(status, headers, body), keep)
    length = _length(headers)
    if length is None:
        return None  # read until the server closes the connection
    if len(buffer) - start < length:
        return None
    return HTTPReply(status, headers, bytes(buffer[start:start + length])), keep


def _head(text: str, start: int) -> tuple[int, dict[str, str], bool, int]:
    """Status, headers (lower-case names), whether the connection may be reused, where the body starts."""
    status_line, *lines = text.split("\r\n")
    version, _, rest = status_line.strip().partition(" ")
    status = int(rest.split(" ", 1)[0])
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close" and (
        "content-length" in headers or _chunked(headers))
    return status, headers, keep, start


def _chunks(buffer: bytearray, at: int) -> bytes | None:
    """The body of a chunked reply starting at ``at``, or None while it is incomplete."""
    parts = []
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        size = int(bytes(buffer[at:line_end]).split(b";", 1)[0].strip() or b"0", 16)
        at = line_end + 2
        if size == 0:  # trailers, then an empty line
            while True:
                line_end = buffer.find(b"\r\n", at)
                if line_end < 0:
                    return None
                if line_end == at:
                    return b"".join(parts)
                at = line_end + 2
        if len(buffer) < at + size + 2:
            return None
        parts.append(bytes(buffer[at:at + size]))
        at += size + 2  # the CRLF after each chunk
