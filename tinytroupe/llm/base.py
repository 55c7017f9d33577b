"""The one LLM seam: a chat request in, a completion with usage out.

Providers implement :class:`LLMModel`. Retry, limits, usage accounting and the call cache are
:class:`ModelWrapper` subclasses: models that wrap a model. Structured output (pydantic
objects back) is layered on top, in :mod:`tinytroupe.llm.structured`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tinytroupe.llm.images import ImageRef

__all__ = [
    "Message",
    "ResponseFormat",
    "ChatRequest",
    "Usage",
    "Completion",
    "LLMModel",
    "Wrapper",
    "innermost",
    "ModelWrapper",
    "ModelCapabilities",
    "capabilities_of",
]

Role = Literal["system", "user", "assistant"]


class Message(BaseModel):
    """One chat message."""

    model_config = ConfigDict(frozen=True)

    role: Role
    content: str
    images: tuple[ImageRef, ...] = ()  # shown with the text to models that see (see llm.images)


class ResponseFormat(BaseModel):
    """How the reply must be shaped.

    ``mode``: ``text`` (free text), ``json_schema`` (native structured outputs),
    ``json_object`` (JSON mode; ``json_schema`` is sent along, which llama.cpp turns into a
    grammar), ``prompt`` (the schema is only described in the prompt).
    """

    model_config = ConfigDict(frozen=True)

    mode: Literal["text", "json_schema", "json_object", "prompt"] = "text"
    json_schema: dict[str, Any] | None = None
    name: str = "response"


class ChatRequest(BaseModel):
    """Everything a provider needs for one chat completion.

    ``tags`` (e.g. ``{"agent": "Lisa"}``) are for accounting and never part of the cache key.
    ``model=None`` means the provider's configured default.
    """

    model_config = ConfigDict(frozen=True)

    messages: tuple[Message, ...]
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    top_p: float | None = None
    reasoning_effort: Literal["low", "medium", "high"] | None = None
    response_format: ResponseFormat = ResponseFormat()
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("messages", mode="before")
    @classmethod
    def _coerce_messages(cls, v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return tuple(Message(**m) if isinstance(m, dict) else m for m in v)
        return v

    @field_validator("messages")
    @classmethod
    def _not_empty(cls, v: tuple[Message, ...]) -> tuple[Message, ...]:
        if not v:
            raise ValueError("a chat request needs at least one message")
        return v

    @field_validator("temperature")
    @classmethod
    def _temperature_range(cls, v: float | None) -> float | None:
        if v is not None and not 0.0 <= v <= 2.0:
            raise ValueError(f"temperature must be between 0 and 2, got {v}")
        return v

    def cache_payload(self, provider: str, model: str) -> dict[str, Any]:
        """The canonical content of this request for caching: no tags, no secrets.

        ``top_p`` and ``reasoning_effort`` are in it only when set, so the keys of requests
        that leave them unset are those of caches written before they existed.
        """
        rf = self.response_format
        extra = {k: getattr(self, k) for k in ("top_p", "reasoning_effort") if getattr(self, k) is not None}
        return {**extra,
            "provider": provider,
            "model": model,
            "messages": [[m.role, m.content, *([[i.sha256 for i in m.images]] if m.images else [])]
                         for m in self.messages],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "frequency_penalty": self.frequency_penalty,
            "presence_penalty": self.presence_penalty,
            "response_format": {"mode": rf.mode, "schema": rf.json_schema, "name": rf.name},
        }

    def cache_key(self, provider: str, model: str) -> str:
        """SHA-256 of the canonical JSON of :meth:`cache_payload`."""
        canonical = json.dumps(self.cache_payload(provider, model), sort_keys=True,
                               separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def with_changes(self, **changes: Any) -> ChatRequest:
        """A copy with some fields replaced (validated).

        The fields kept are passed on as they are (messages and formats already validated are
        not dumped and rebuilt); the whole request is validated again, changes included.
        """
        unknown = [name for name in changes if name not in _REQUEST_FIELDS]
        if unknown:
            raise ValueError(f"ChatRequest has no field {unknown[0]!r}; fields: {', '.join(_REQUEST_FIELDS)}")
        data = {**self.__dict__, **changes}
        return ChatRequest.model_validate(data)


_REQUEST_FIELDS = tuple(ChatRequest.model_fields)  # read once: the class attribute is slow to read


class Usage(BaseModel):
    """Tokens one call used."""

    model_config = ConfigDict(frozen=True)

    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0  # of input_tokens, those the provider served from its prompt cache

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class Completion(BaseModel):
    """A provider's reply. ``cached`` is true when it came from the call cache."""

    model_config = ConfigDict(frozen=True)

    text: str
    model: str
    usage: Usage = Usage()
    finish_reason: str | None = None
    cached: bool = False
    provider: str = ""


@dataclass(frozen=True)
class ModelCapabilities:
    """What a model reports about itself, so callers never compare provider names.

    ``json_schema``: takes native structured outputs; ``seed``: honours a seed;
    ``reasoning``: a reasoning model (takes ``reasoning_effort``, refuses sampling parameters);
    ``vision``: takes images in messages (others get their descriptions only);
    ``small``: a small model generated on the CPU, whose every token costs wall time (callers
    keep replies short); ``in_process``: no server behind it (retrying at once costs
    nothing); ``max_actions_per_turn``, ``max_content_length``, ``max_cognitive_length``:
    the largest agent turn it handles well (None: no limit of its own).
    """

    json_schema: bool = True
    seed: bool = True
    small: bool = False
    in_process: bool = False
    reasoning: bool = False
    vision: bool = False
    max_actions_per_turn: int | None = None
    max_content_length: int | None = None
    max_cognitive_length: int | None = None


def capabilities_of(model: Any, model_name: str | None = None) -> ModelCapabilities:
    """``model.capabilities`` (for ``model_name`` when the provider tells models apart, e.g. a
    reasoning model behind the same endpoint), or the defaults for a model that reports none."""
    per_name = getattr(model, "capabilities_for", None)
    if model_name and callable(per_name):
        found = per_name(model_name)
    else:
        found = getattr(model, "capabilities", None)
    return found if isinstance(found, ModelCapabilities) else ModelCapabilities()


@runtime_checkable
class LLMModel(Protocol):
    """What every provider and wrapper implements.

    ``name`` identifies the provider (``"openai"``, ``"local"``...); ``endpoint`` identifies
    where requests go (a base URL, a model file), used to remember which structured-output
    mode an endpoint accepts; ``default_model`` is the model name used when a request
    leaves it unset.
    """

    name: str
    endpoint: str
    default_model: str

    async def complete(self, request: ChatRequest) -> Completion: ...

    async def aclose(self) -> None: ...


class Wrapper:
    """Base for anything that wraps an ``inner`` model or embedder and passes its identity on.

    :class:`ModelWrapper` (chat) and :class:`tinytroupe.llm.embeddings.EmbeddingWrapper`
    derive from it.
    """

    def __init__(self, inner: Any):
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def endpoint(self) -> str:
        return self.inner.endpoint

    @property
    def default_model(self) -> str:
        return self.inner.default_model

    def find(self, cls: type) -> Any:
        """The first link in this chain (self, then ``inner``...) that is a ``cls`` (or None)."""
        link: Any = self
        while link is not None:
            if isinstance(link, cls):
                return link
            link = getattr(link, "inner", None)
        return None

    async def aclose(self) -> None:
        await self.inner.aclose()


def innermost(model: Any) -> Any:
    """The provider at the bottom of a chain of wrappers (``model`` itself if it wraps nothing)."""
    while isinstance(model, Wrapper):
        model = model.inner
    return model


class ModelWrapper(Wrapper):
    """Base for models that wrap a model (retry, limits, usage, cache)."""

    inner: LLMModel

    @property
    def capabilities(self) -> ModelCapabilities:
        return capabilities_of(self._reporter())

    def capabilities_for(self, model_name: str) -> ModelCapabilities:
        """The capabilities of ``model_name`` as the provider beneath reports them."""
        return capabilities_of(self._reporter(), model_name)

    def _reporter(self) -> Any:
        """The first model beneath that reports capabilities of its own (wrappers that only pass
        them on are skipped in one walk, not one call per wrapper)."""
        link: Any = self.inner
        while (isinstance(link, ModelWrapper) and type(link).capabilities is ModelWrapper.capabilities
               and type(link).capabilities_for is ModelWrapper.capabilities_for):
            link = link.inner
        return link

    async def complete(self, request: ChatRequest) -> Completion:
        return await self.inner.complete(request)
