"""A scripted model: the test and example double that ships beside the seam.

It answers from a queue of replies, or computes a reply from the request, and records every
request it was sent so tests can assert on the prompts::

    model = ScriptedModel(['{"answer": 42}'])
    model.queue({"answer": 43}, TransientError("flaky", status=503))
    model.responder = lambda request: {"echo": request.messages[-1].content}
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from tinytroupe.errors import LLMError
from tinytroupe.llm.base import ChatRequest, Completion, ModelCapabilities, Usage

__all__ = ["ScriptedModel", "ScriptExhaustedError"]

Reply = Any  # str | dict | list | BaseModel | Exception | Callable[[ChatRequest], Reply]


class ScriptExhaustedError(LLMError):
    """The scripted model was asked for more replies than it was given."""


def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


class ScriptedModel:
    """An :class:`~tinytroupe.llm.base.LLMModel` that replies from a script.

    Each reply is a string (sent as is), a dict, list or pydantic object (sent as JSON), an
    exception (raised), or a callable taking the request and returning any of those.
    When the queue is empty, ``responder`` (if set) computes the reply; else ``default``
    (if set) is repeated; else :class:`ScriptExhaustedError` is raised.
    """

    name = "scripted"
    capabilities = ModelCapabilities(in_process=True)  # a subclass may declare its own

    def __init__(
        self,
        replies: list[Reply] | None = None,
        *,
        responder: Callable[[ChatRequest], Reply] | None = None,
        default: Reply | None = None,
        latency: float = 0.0,
        model_name: str = "scripted-model",
        endpoint: str = "scripted://local",
        vision: bool = False,
    ):
        self._queue: deque[Reply] = deque(replies or [])
        self.responder = responder
        self.default = default
        self.latency = latency
        self.default_model = model_name
        self.endpoint = endpoint
        if vision:  # takes images: on top of what the class declares
            self.capabilities = dataclasses.replace(type(self).capabilities, vision=True)
        self.requests: list[ChatRequest] = []
        self._lock = threading.Lock()

    def queue(self, *replies: Reply) -> ScriptedModel:
        """Append replies to the script."""
        with self._lock:
            self._queue.extend(replies)
        return self

    @property
    def remaining(self) -> int:
        return len(self._queue)

    @property
    def calls(self) -> int:
        return len(self.requests)

    def last_prompt(self) -> str:
        """All message contents of the last request, joined: handy in assertions."""
        if not self.requests:
            return ""
        return "\n".join(m.content for m in self.requests[-1].messages)

    def _next_reply(self, request: ChatRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None:
            return self.responder(request)
        if self.default is not None:
            return self.default
        raise ScriptExhaustedError(
            f"the scripted model has no reply left for request #{len(self.requests)}; "
            "queue more replies or set a responder"
        )

    @staticmethod
    def _render(reply: Reply, request: ChatRequest) -> str:
        while callable(reply) and not isinstance(reply, (BaseModel, type)):
            reply = reply(request)
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, BaseModel):
            return reply.model_dump_json()
        if isinstance(reply, (dict, list)):
            return json.dumps(reply, ensure_ascii=False)
        return str(reply)

    async def complete(self, request: ChatRequest) -> Completion:
        reply = self._next_reply(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        text = self._render(reply, request)
        prompt = sum(_estimate_tokens(m.content) for m in request.messages)
        return Completion(
            text=text,
            model=request.model or self.default_model,
            usage=Usage(input_tokens=prompt, output_tokens=_estimate_tokens(text)),
            finish_reason="stop",
            provider=self.name,
        )

    async def aclose(self) -> None:
        return None
