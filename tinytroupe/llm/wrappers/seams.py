"""The two seams as the wrapper stack sees them, and the base of every wrapper in the stack.

Retry, limits, the budget guard, the call cache and usage accounting are each written once,
over "a call": a request, the function that sends it, and the :class:`Seam` that tells the
wrapper what it needs to know about that kind of call (its accounting tags, the tokens it is
expected to send and get back, the usage and cache status of its result, the event it makes).
:data:`CHAT` adapts chat completions, :data:`EMBEDDING` embeddings. A :class:`StackWrapper`
routes both :meth:`~StackWrapper.complete` and :meth:`~StackWrapper.embed` through its one
:meth:`~StackWrapper.call`, so the same wrapper class serves a chat model and an embedder.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from tinytroupe import contracts
from tinytroupe.llm.base import ChatRequest, Completion, ModelWrapper, Usage
from tinytroupe.llm.embeddings import EmbeddingRequest, Embeddings, EmbeddingWrapper
from tinytroupe.llm.purposes import EMBEDDING as EMBEDDING_PURPOSE
from tinytroupe.llm.purposes import REPLY_TOKENS, purpose_of

__all__ = ["Seam", "ChatSeam", "EmbeddingSeam", "CHAT", "EMBEDDING", "seam_of", "StackWrapper"]

Req = TypeVar("Req", ChatRequest, EmbeddingRequest)
Res = TypeVar("Res", Completion, Embeddings)
Send = Callable[[Req], Awaitable[Res]]


class Seam(Generic[Req, Res]):
    """What the wrappers need to know about one kind of call."""

    name = ""

    def tags(self, request: Req) -> dict[str, str]:
        """The accounting tags of ``request`` (usage slices, events, per-agent budgets); read only."""
        return request.tags

    def input_tokens(self, request: Req) -> int:
        """About how many tokens ``request`` sends (four characters a token)."""
        raise NotImplementedError

    def reply_cap(self, request: Req) -> int:
        """The most tokens ``request`` says it may get back (0: none stated)."""
        return 0

    def reply_budget(self, request: Req) -> int:
        """The tokens a budget reserves for the reply before the call."""
        return 0

    def usage(self, result: Res) -> Usage:
        """The tokens the call used."""
        return result.usage

    def cached(self, request: Req, result: Res) -> bool:
        """Whether the call cache answered all of ``request`` (so it cost nothing)."""
        raise NotImplementedError

    def event(self, provider: str, request: Req, result: Res, cost: float | None) -> Any:
        """The event payload announcing one answered call."""
        raise NotImplementedError


class ChatSeam(Seam[ChatRequest, Completion]):
    """Chat completions: messages in, text out."""

    name = "chat"

    def input_tokens(self, request: ChatRequest) -> int:
        chars = sum(len(m.content) for m in request.messages)
        fmt = request.response_format
        if fmt.json_schema is not None and fmt.mode == "json_schema":
            chars += len(json.dumps(fmt.json_schema, separators=(",", ":")))  # sent beside the messages
        return chars // 4

    def reply_cap(self, request: ChatRequest) -> int:
        return request.max_tokens or 0

    def reply_budget(self, request: ChatRequest) -> int:
        typical = REPLY_TOKENS[purpose_of(request.tags)]
        return min(request.max_tokens or typical, typical)

    def cached(self, request: ChatRequest, result: Completion) -> bool:
        return result.cached

    def event(self, provider: str, request: ChatRequest, result: Completion, cost: float | None) -> Any:
        usage = result.usage
        return contracts.LLMCall(provider, result.model, usage.input_tokens, usage.output_tokens, result.cached,
                                 dict(request.tags), cost, purpose_of(request.tags))


class EmbeddingSeam(Seam[EmbeddingRequest, Embeddings]):
    """Embeddings: texts in, vectors out; counted under the ``embedding`` purpose unless tagged otherwise."""

    name = "embedding"

    def tags(self, request: EmbeddingRequest) -> dict[str, str]:
        return {"purpose": EMBEDDING_PURPOSE, **request.tags}

    def input_tokens(self, request: EmbeddingRequest) -> int:
        return sum(len(t) for t in request.texts) // 4

    def cached(self, request: EmbeddingRequest, result: Embeddings) -> bool:
        return bool(request.texts) and result.cached == len(request.texts)

    def event(self, provider: str, request: EmbeddingRequest, result: Embeddings, cost: float | None) -> Any:
        return contracts.LLMEmbed(provider, result.model, len(request.texts), result.cached,
                                  result.usage.input_tokens, self.tags(request), cost)


CHAT = ChatSeam()
EMBEDDING = EmbeddingSeam()


def seam_of(request: ChatRequest | EmbeddingRequest) -> Seam[Any, Any]:
    """The seam a request belongs to."""
    return EMBEDDING if isinstance(request, EmbeddingRequest) else CHAT


class StackWrapper(ModelWrapper, EmbeddingWrapper):
    """Base for the wrappers of the stack: ``complete`` and ``embed`` both go through :meth:`call`.

    It wraps a chat model or an embedder alike; a subclass writes its policy once, in
    :meth:`call`, and asks ``seam`` what it needs to know about the call.
    """

    async def call(self, request: Req, send: Send[Req, Res], seam: Seam[Req, Res]) -> Res:
        """Send ``request`` with ``send`` (the inner model's method), under this wrapper's policy."""
        return await send(request)

    def model_of(self, request: ChatRequest | EmbeddingRequest) -> str:
        """The model ``request`` goes to (the inner default when it names none)."""
        return request.model or self.inner.default_model

    async def complete(self, request: ChatRequest) -> Completion:
        return await self.call(request, self.inner.complete, CHAT)

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        return await self.call(request, self.inner.embed, EMBEDDING)
