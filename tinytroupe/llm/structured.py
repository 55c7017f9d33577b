"""Structured output that degrades, never breaks.

``await agenerate(model, messages, MyModel)`` returns a validated ``MyModel``. The mode is
chosen per endpoint: native ``json_schema`` first, then ``json_object`` with the schema as a
grammar, then prompt-only with tolerant extraction. A mode the endpoint rejects (a bad
request that names the response format, schema or grammar) is remembered for that endpoint;
other bad requests propagate at once. An invalid reply is re-asked with the validation error
quoted, and counted as a repair by the usage tracker in the model's chain. After
``STRUCTURED_OUTPUT_ATTEMPTS`` replies (0: ``MAX_ATTEMPTS``) a
:class:`~tinytroupe.errors.StructuredOutputError` is raised. Each reply is one call through
the retry wrapper, which ``MAX_ATTEMPTS`` bounds on its own. The modes learnt per endpoint
belong to the current runtime.

While a request is out, :func:`reply_check` tells the wrappers below (the call cache) what a
usable reply is, so that a stored reply this call could not use is a miss, not a repair.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from tinytroupe import contracts, events
from tinytroupe.errors import BadRequestError, StructuredOutputError
from tinytroupe.llm.base import ChatRequest, Completion, LLMModel, Message, ModelWrapper, ResponseFormat
from tinytroupe.llm.json_extract import JSONExtractionError, extract_json

__all__ = [
    "agenerate",
    "generate",
    "StructuredResult",
    "MODES",
    "endpoint_modes",
    "forget_endpoint_modes",
    "schema_for",
    "is_format_rejection",
    "reply_check",
]

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

MODES: tuple[str, ...] = ("json_schema", "json_object", "prompt")



class _EndpointModes:
    """A runtime's memory of endpoints: endpoint -> index into MODES of the first mode known to work."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.modes: dict[str, int] = {}


def _known() -> _EndpointModes:
    from tinytroupe.runtime import current_runtime

    return current_runtime().part("llm.endpoint_modes", _EndpointModes)


def _request_settings() -> Any:
    from tinytroupe.runtime import current_runtime

    return current_runtime().settings.request

# What servers say when they refuse a structured-output request (llama.cpp, vLLM, Azure, ...).
_FORMAT_WORDS = re.compile(
    r"response_format|response format|json_schema|json schema|json_object|grammar|structured output|schema",
    re.IGNORECASE,
)


# set while agenerate waits on model.complete(): can the awaited reply be used?
_reply_check: ContextVar[Callable[[str], bool] | None] = ContextVar("tinytroupe_reply_check", default=None)


def reply_check() -> Callable[[str], bool] | None:
    """For wrappers: whether a reply text would validate for the structured call now waiting (None: no such call)."""
    return _reply_check.get()


def _checker(output_type: type[BaseModel]) -> Callable[[str], bool]:
    def usable(text: str) -> bool:
        try:
            _validate(output_type, text)
        except (JSONExtractionError, ValidationError):
            return False
        return True

    return usable


def endpoint_modes() -> dict[str, str]:
    """The structured-output mode remembered for each endpoint so far."""
    known = _known()
    with known.lock:
        return {ep: MODES[i] for ep, i in known.modes.items()}


def forget_endpoint_modes() -> None:
    """Forget what was learnt about endpoints (tests; a server that was upgraded)."""
    known = _known()
    with known.lock:
        known.modes.clear()


def is_format_rejection(exc: BadRequestError) -> bool:
    """Whether a rejected request was rejected for its response_format (so another mode may work)."""
    return bool(_FORMAT_WORDS.search(str(exc)))


@dataclass(frozen=True)
class StructuredResult(Generic[T]):
    """A validated object, with the completion it came from and how it was obtained."""

    value: T
    completion: Completion
    attempts: int
    mode: str


@lru_cache(maxsize=256)
def schema_for(output_type: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema sent to the model for ``output_type`` (made once per type; read-only)."""
    return output_type.model_json_schema()


def _schema_instruction(schema: dict[str, Any]) -> str:
    return (
        "Reply with one JSON object only, no prose and no code fences. "
        "It must validate against this JSON schema:\n" + json.dumps(schema, separators=(",", ":"))
    )


def _start_mode(endpoint: str, forced: str) -> int:
    if forced in MODES:
        return MODES.index(forced)
    known = _known()
    with known.lock:
        return known.modes.get(endpoint, 0)


def _remember(endpoint: str, index: int) -> None:
    known = _known()
    with known.lock:
        if known.modes.get(endpoint, 0) < index:
            known.modes[endpoint] = index


def _with_instruction(messages: list[Message], instruction: str) -> list[Message]:
    """Put the schema instruction in the leading system message (some chat templates allow no other)."""
    if messages and messages[0].role == "system":
        first = Message(role="system", content=messages[0].content.rstrip() + "\n\n" + instruction)
        return [first, *messages[1:]]
    return [Message(role="system", content=instruction), *messages]


def _build_request(base: ChatRequest, mode: str, schema: dict[str, Any], name: str,
                   repair: list[Message]) -> ChatRequest:
    """``base`` with the mode's response format (and instruction) and any repair messages.

    Every part is a validated object already (``base``, its messages, the repair messages and
    the format built here), so the copy is not validated again, and nothing is dumped and rebuilt.
    """
    messages = base.messages
    if mode in ("prompt", "json_object"):
        # Describe the schema in the prompt too: JSON mode alone does not say which fields.
        messages = tuple(_with_instruction(list(messages), _schema_instruction(schema)))
    if repair:
        messages = (*messages, *repair)
    response_format = ResponseFormat(mode=mode, json_schema=schema, name=name)
    return base.model_copy(update={"messages": tuple(messages), "response_format": response_format})


def _validate(output_type: type[T], text: str) -> T:
    """Parse and validate, accepting the usual small-model wrappings of a right answer.

    Tried in order: the value itself; the only element of a one-item list; the only value of
    a one-key object (``{"Person": {...}}``). The first error is the one reported.
    """
    try:  # the usual case: the reply is exactly a valid object (parsed and checked in one pass)
        return output_type.model_validate_json(text)
    except ValidationError:
        pass
    data = extract_json(text)
    try:
        return output_type.model_validate(data)
    except ValidationError as first:
        for candidate in _unwrapped(data):
            try:
                return output_type.model_validate(candidate)
            except ValidationError:
                continue
        raise first from None


def _unwrapped(data: Any) -> list[Any]:
    out = []
    if isinstance(data, list) and len(data) == 1:
        out.append(data[0])
    if isinstance(data, dict) and len(data) == 1:
        inner = next(iter(data.values()))
        if isinstance(inner, dict):
            out.append(inner)
    return out


def _repair_messages(text: str, problem: str) -> list[Message]:
    return [
        Message(role="assistant", content=(text or "(empty reply)")[:2000]),
        Message(role="user", content=(
            f"That reply was not valid: {problem}. Reply again with only the corrected "
            "JSON object, following the schema exactly."
        )),
    ]


def _note_repair(model: LLMModel, request: ChatRequest) -> None:
    """Tell the usage tracker in ``model``'s chain, if any, that a repair was asked for."""
    from tinytroupe.llm.wrappers.usage import UsageTracker

    tracker = model.find(UsageTracker) if isinstance(model, ModelWrapper) else None
    if tracker is not None:
        tracker.note_repair(request)


async def agenerate(
    model: LLMModel,
    messages: Sequence[Message | dict[str, str]],
    output_type: type[T],
    *,
    temperature: float | None = None,
    max_tokens: int | None = None,
    seed: int | None = None,
    tags: dict[str, str] | None = None,
    max_attempts: int | None = None,
    schema: dict[str, Any] | None = None,
) -> StructuredResult[T]:
    """Ask ``model`` for an object of ``output_type``; see the module docstring.

    ``schema`` overrides the schema sent to the model (e.g. with enums computed at run time
    or ``maxLength`` bounds for small models); the reply is still validated by ``output_type``.
    Transient errors that outlast the retry wrapper propagate as
    :class:`~tinytroupe.errors.TransientError`; a bad request unrelated to the response
    format propagates as :class:`~tinytroupe.errors.BadRequestError`.
    """
    settings = _request_settings()
    attempts_allowed = max_attempts or settings.structured_attempts
    schema = schema or schema_for(output_type)
    name = output_type.__name__
    base = ChatRequest(
        messages=[m if isinstance(m, Message) else Message(**m) for m in messages],
        temperature=temperature,
        max_tokens=max_tokens,
        seed=seed,
        tags=tags or {},
    )
    endpoint = model.endpoint
    can_fall_back = settings.structured_output_mode == "auto"
    mode_index = _start_mode(endpoint, settings.structured_output_mode)
    usable = _checker(output_type)
    repair: list[Message] = []
    errors: list[str] = []
    last_text: str | None = None
    attempt = 0
    while attempt < attempts_allowed:
        attempt += 1
        mode = MODES[mode_index]
        request = _build_request(base, mode, schema, name, repair)
        token = _reply_check.set(usable)
        try:
            completion = await model.complete(request)
        except BadRequestError as exc:
            if can_fall_back and mode_index + 1 < len(MODES) and is_format_rejection(exc):
                logger.info("endpoint %s rejected %s (%s); falling back", endpoint, mode, exc)
                mode_index += 1
                _remember(endpoint, mode_index)
                attempt -= 1  # a rejected mode is not a failed attempt at the content
                continue
            raise
        finally:
            _reply_check.reset(token)
        last_text = completion.text
        try:
            value = _validate(output_type, completion.text)
        except (JSONExtractionError, ValidationError) as exc:
            problem = _describe(exc)
            errors.append(problem)
            events.emit(contracts.LLMRepair(attempt, mode, problem, name), source=base.tags.get("agent"))
            if attempt < attempts_allowed:
                _note_repair(model, request)
            repair = _repair_messages(completion.text, problem)
            continue
        if mode_index:  # the first mode needs no remembering
            _remember(endpoint, mode_index)
        return StructuredResult(value=value, completion=completion, attempts=attempt, mode=mode)
    raise StructuredOutputError(
        f"no valid {name} after {attempts_allowed} attempts from {model.name} at {endpoint}: "
        + (errors[-1] if errors else "no reply") + "; raise STRUCTURED_OUTPUT_ATTEMPTS (or MAX_ATTEMPTS) or use a stronger MODEL",
        last_text=last_text,
        errors=errors,
    )


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:5]:
            loc = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
            parts.append(f"{loc}: {err.get('msg')}")
        return "; ".join(parts)
    return str(exc)


def generate(model: LLMModel, messages: Sequence[Message | dict[str, str]], output_type: type[T],
             **kwargs: Any) -> StructuredResult[T]:
    """Blocking twin of :func:`agenerate`, usable in scripts and notebooks."""
    from tinytroupe._sync import run_sync

    return run_sync(agenerate(model, messages, output_type, **kwargs))
