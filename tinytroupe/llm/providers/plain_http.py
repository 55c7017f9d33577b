"""A lean HTTP/1.1 JSON client for OpenAI-compatible servers on plain ``http://``.

Local servers (Ollama, vLLM, LM Studio, llama.cpp's server) are where hundreds of agents call
at once, and there the ``openai`` SDK and the HTTP stack beneath it cost 2-3 ms of CPU per
call, which on a small machine is more than the rest of an agent's turn together: a
1,000-agent step spent seconds in it. This client posts one JSON body and reads one reply
(``Content-Length``, chunked, or until close) over kept-alive asyncio connections, at about a
fifth of that cost. It is used only for ``http://`` URLs that no proxy applies to; TLS and
proxies stay with the SDK. Connections belong to the event loop that opened them.
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
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

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
            reader, writer = self._idle.pop()
            if writer.is_closing() or reader.at_eof():
                writer.close()
            else:
                connection = (reader, writer)
        if connection is None:
            try:
                connection = await asyncio.open_connection(self.host, self.port)
            except OSError as exc:
                raise ConnectionProblem(f"cannot connect to {self.host}:{self.port} ({exc})") from exc
        return await self._exchange(*connection, request)

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        request: bytes) -> HTTPReply:
        """One request and its reply; the connection goes back to the pool only after a whole reply."""
        keep = False
        try:
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            if not status_line:
                raise EOFError("the server closed the connection without replying")
            reply, keep = await _read_reply(reader, status_line)
            return reply
        except (OSError, EOFError, asyncio.IncompleteReadError, ValueError) as exc:
            raise ConnectionProblem(f"the connection to {self.host}:{self.port} failed "
                                    f"({exc or type(exc).__name__})") from exc
        finally:
            if keep and len(self._idle) < MAX_IDLE:
                self._idle.append((reader, writer))
            else:
                writer.close()

    async def aclose(self) -> None:
        """Close the idle connections."""
        idle, self._idle = self._idle, []
        for _, writer in idle:
            writer.close()


async def _read_reply(reader: asyncio.StreamReader, status_line: bytes) -> tuple[HTTPReply, bool]:
    """Read headers and body after ``status_line``; the reply and whether the connection may be reused."""
    version, _, rest = status_line.decode("latin-1").strip().partition(" ")
    status = int(rest.split(" ", 1)[0])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n"):
            break
        if not line:
            raise EOFError("the connection was closed inside the reply headers")
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body, keep = await reader.read(), False
    return HTTPReply(status, headers, body), keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readline()).split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)  # the CRLF after each chunk
