"""The plain-HTTP client's connection parses a reply however its bytes are cut on the way."""

from __future__ import annotations

import asyncio

import pytest

from tinytroupe.llm.providers.plain_http import _Connection

BODY = b'{"choices": [{"message": {"content": "hi"}}]}'
LENGTH = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)
CHUNKED = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           + b"".join(f"{len(BODY[i:i + 7]):x}\r\n".encode() + BODY[i:i + 7] + b"\r\n" for i in range(0, len(BODY), 7))
           + b"0\r\nX-Trailer: 1\r\n\r\n")
UNTIL_CLOSE = b"HTTP/1.0 503 Busy\r\nContent-Type: application/json\r\n\r\n" + BODY


class _Transport(asyncio.Transport):
    def __init__(self):
        super().__init__()
        self.sent = b""
        self.closed = False

    def write(self, data):
        self.sent += data

    def is_closing(self):
        return self.closed

    def close(self):
        self.closed = True


def _exchange(raw: bytes, step: int, close: bool = False):
    async def run():
        connection = _Connection()
        connection.connection_made(_Transport())
        future = connection.exchange(b"POST / HTTP/1.1\r\n\r\n")
        for i in range(0, len(raw), step):
            assert not future.done()
            connection.data_received(raw[i:i + step])
        if close:
            connection.eof_received()
        return await future

    return asyncio.run(run())


@pytest.mark.parametrize("step", [1, 2, 5, 13, 64, 10_000])
def test_a_reply_cut_anywhere_is_read_whole(step):
    for raw in (LENGTH, CHUNKED):
        reply, keep = _exchange(raw, step)
        assert (reply.status, reply.body, keep) == (200, BODY, True)
    reply, keep = _exchange(UNTIL_CLOSE, step, close=True)
    assert (reply.status, reply.body, keep) == (503, BODY, False)
    assert reply.headers["content-type"] == "application/json"


def test_a_reply_cut_short_by_the_server_is_an_error():
    with pytest.raises(EOFError, match="inside the reply"):
        _exchange(LENGTH[:-5], 10, close=True)
    with pytest.raises(EOFError, match="without replying"):
        _exchange(b"", 1, close=True)
