"""The ``openai`` provider: OpenAI itself and every OpenAI-compatible server.

Ollama, vLLM, LM Studio and llama.cpp's server all speak this API; only ``base_url`` differs.
One ``AsyncOpenAI`` client is kept per running event loop (a client's connections belong to
the loop that opened them) and reused for every call made from that loop. The client's own
retries are off: :class:`~tinytroupe.llm.wrappers.retry.RetryingModel` owns retrying, and
this module turns every ``openai`` exception into one of :mod:`tinytroupe.errors`.

Plain ``http://`` servers without a proxy are called through the lean client of
:mod:`~tinytroupe.llm.providers.plain_http`; the ``openai`` SDK (and httpx beneath it) is
imported only when a call needs it (HTTPS, a proxy, Azure), since importing it costs about a
second on a small machine.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import re
import threading
import time
import weakref
from typing import Any

from tinytroupe.errors import AuthenticationError, BadRequestError, ProviderError, TransientError
from tinytroupe.llm.base import ChatRequest, Completion, Message, ModelCapabilities, Usage
from tinytroupe.llm.images import image_part
from tinytroupe.llm.providers.plain_http import ConnectionProblem, PlainHTTPClient, usable_for
from tinytroupe.llm.providers.request_body import encode_body

__all__ = ["OpenAIModel", "OPENAI_BASE_URL", "map_openai_error", "map_status", "parse_retry_after"]

OPENAI_BASE_URL = "https://api.openai.com/v1"
_FORMAT_WORDS = re.compile(r"response_format|json_schema|json schema|grammar|json_object", re.IGNORECASE)
_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")  # OpenAI's reasoning families (any deployment or server)
# model families that take images (OpenAI's, and common open vision models served by Ollama, vLLM...)
_VISION_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4-turbo", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "llava",
                    "bakllava", "llama3.2-vision", "qwen2-vl", "qwen2.5-vl", "qwen-vl", "minicpm-v", "pixtral",
                    "gemma3", "moondream", "llama-4")


@functools.lru_cache(maxsize=256)
def _capabilities_of(model_name: str, vision: bool | None) -> ModelCapabilities:
    """The rules above, once per model name and VISION setting."""
    base = model_name.lower().rsplit("/", 1)[-1]
    seen = base.startswith(_VISION_PREFIXES) if vision is None else vision
    return ModelCapabilities(reasoning=base.startswith(_REASONING_PREFIXES), vision=seen)


def _sdk() -> Any:
    """The ``openai`` package, imported on first use."""
    import openai

    return openai


REQUESTS_PER_CLIENT = 16  # calls in flight on one client before another is opened
MAX_CLIENTS_PER_LOOP = 32


class _LoopClients:
    """The clients of one event loop: a call goes to the least busy one, and another is opened
    when every one has ``REQUESTS_PER_CLIENT`` calls in flight.

    The HTTP connection pool inside a client looks at each of its connections whenever a
    request starts or a reply ends, so a single pool of a hundred busy connections costs
    milliseconds of CPU per call (a 1,000-agent step spent seconds there); small pools do not.
    Used from its loop's thread only.
    """

    def __init__(self, make: Any):
        self._make = make
        self.clients: list[Any] = [make()]
        self.busy: list[int] = [0]

    def lease(self) -> int:
        """The index of the client to use for one call (count it as busy until :meth:`release`)."""
        index = min(range(len(self.busy)), key=self.busy.__getitem__)
        if self.busy[index] >= REQUESTS_PER_CLIENT and len(self.clients) < MAX_CLIENTS_PER_LOOP:
            self.clients.append(self._make())
            self.busy.append(0)
            index = len(self.clients) - 1
        self.busy[index] += 1
        return index

    def release(self, index: int) -> None:
        self.busy[index] -= 1


class OpenAIModel:
    """An :class:`~tinytroupe.llm.base.LLMModel` that calls a chat-completions endpoint."""

    name = "openai"
    key_hint = "OPENAI_API_KEY (or API_KEY in the [OpenAI] section of config.ini)"
    not_found_hint = "check MODEL={model!r} exists there and that BASE_URL ends with /v1"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str,
        timeout: float,
        organization: str | None = None,
        extra_headers: dict[str, str] | None = None,
        vision: bool | None = None,
    ):
        self.api_key = api_key
        self.base_url = (base_url or OPENAI_BASE_URL).rstrip("/")
        self.endpoint = self.base_url
        self.default_model = model
        self.timeout = float(timeout)
        self.organization = organization
        self.extra_headers = dict(extra_headers or {})
        self.vision = vision  # takes images: None = decided by the model's family
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClients] = (
            weakref.WeakKeyDictionary())
        self._clients_lock = threading.Lock()
        # plain-http servers get the lean client, unless a subclass builds its own SDK client (Azure)
        self.plain_http = usable_for(self.base_url) and type(self)._make_client is OpenAIModel._make_client
        self._plain: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, PlainHTTPClient] = (
            weakref.WeakKeyDictionary())

    def __repr__(self) -> str:
        from tinytroupe.redaction import redact_url

        return f"{type(self).__name__}(base_url={redact_url(self.base_url)!r}, model={self.default_model!r})"

    @property
    def capabilities(self) -> ModelCapabilities:
        return self.capabilities_for(self.default_model)

    def capabilities_for(self, model_name: str) -> ModelCapabilities:
        """What ``model_name`` takes here: reasoning models (OpenAI's o-series and gpt-5 families,
        under their name or a ``vendor/`` prefix) take reasoning_effort and no sampling parameters."""
        return _capabilities_of(model_name, self.vision)

    @property
    def is_openai_com(self) -> bool:
        """True when talking to api.openai.com (which takes max_completion_tokens)."""
        return "api.openai.com" in self.base_url

    # -- clients -------------------------------------------------------------------------
    def _make_client(self) -> Any:
        """A new async client; subclasses (Azure) build theirs."""
        openai = _sdk()
        plain_http = self.base_url.startswith("http://")  # no TLS: skip loading the CA bundle (~30 ms)
        return openai.AsyncOpenAI(
            api_key=self.api_key,
            base_url=self.base_url,
            organization=self.organization,
            timeout=self.timeout,
            max_retries=0,
            default_headers=self.extra_headers or None,
            http_client=openai.DefaultAsyncHttpxClient(verify=False) if plain_http else None,
        )

    def _loop_clients(self) -> _LoopClients:
        loop = asyncio.get_running_loop()
        with self._clients_lock:
            clients = self._clients.get(loop)
            if clients is None:
                clients = _LoopClients(self._make_client)
                self._clients[loop] = clients
            return clients

    def client(self) -> Any:
        """The (first) client of the running event loop, created on first use there."""
        return self._loop_clients().clients[0]

    def _plain_client(self) -> PlainHTTPClient:
        loop = asyncio.get_running_loop()
        with self._clients_lock:
            client = self._plain.get(loop)
            if client is None:
                headers = {"Authorization": f"Bearer {self.api_key}", **self.extra_headers}
                if self.organization:
                    headers["OpenAI-Organization"] = self.organization
                client = PlainHTTPClient(self.base_url, headers)
                self._plain[loop] = client
            return client

    async def post_plain(self, path: str, body: dict[str, Any]) -> Any:
        """POST ``body`` to ``path`` (e.g. ``/embeddings``) with this loop's lean client; its reply."""
        return await self._plain_client().post_json(path, body, self.timeout)

    async def post_sdk(self, path: str, body: dict[str, Any]) -> bytes:
        """POST ``body`` to ``path`` with one of this loop's SDK clients; the raw reply (SDK errors pass)."""
        clients = self._loop_clients()
        index = clients.lease()
        try:
            return await clients.clients[index].post(path, body=body, cast_to=bytes)
        finally:
            clients.release(index)

    async def aclose(self) -> None:
        """Close this loop's clients now; clients of other live loops are closed on their loop."""
        current = asyncio.get_running_loop()
        with self._clients_lock:
            sets = list(self._clients.items())
            self._clients.clear()
            plain = self._plain.pop(current, None)
        if plain is not None:
            await plain.aclose()
        for loop, clients in sets:
            for client in clients.clients:
                if loop is current:
                    await client.close()
                elif loop.is_running() and not loop.is_closed():
                    asyncio.run_coroutine_threadsafe(client.close(), loop)

    # -- requests ------------------------------------------------------------------------
    def request_params(self, request: ChatRequest) -> dict[str, Any]:
        """The keyword arguments for ``chat.completions.create`` (only what is set)."""
        model = request.model or self.default_model
        params: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} if not m.images else _with_images(m)
                         for m in request.messages],
        }
        reasoning = self.capabilities_for(model).reasoning
        if request.max_tokens is not None:
            key = "max_completion_tokens" if self.is_openai_com or reasoning else "max_tokens"
            params[key] = request.max_tokens
        if request.seed is not None:
            params["seed"] = request.seed
        if reasoning:  # sampling parameters are refused by reasoning models
            if request.reasoning_effort is not None:
                params["reasoning_effort"] = request.reasoning_effort
        else:
            for name in ("temperature", "top_p", "frequency_penalty", "presence_penalty"):
                if getattr(request, name) is not None:
                    params[name] = getattr(request, name)
        response_format = self._response_format(request)
        if response_format is not None:
            params["response_format"] = response_format
        return params

    def _response_format(self, request: ChatRequest) -> dict[str, Any] | None:
        rf = request.response_format
        if rf.mode == "json_schema":
            return {"type": "json_schema", "json_schema": {
                "name": _schema_name(rf.name), "schema": rf.json_schema or {"type": "object"}, "strict": False,
            }}
        if rf.mode == "json_object":
            if rf.json_schema is not None and not self.is_openai_com:
                # llama.cpp's server turns this schema into a grammar; other servers ignore it.
                return {"type": "json_object", "schema": rf.json_schema}
            return {"type": "json_object"}
        return None

    async def complete(self, request: ChatRequest) -> Completion:
        """Send one chat request; errors come back as tinytroupe errors.

        Plain-http servers are called with :class:`PlainHTTPClient`; others through the SDK,
        posting the body as it is and reading the reply as plain JSON (the SDK's typed
        ``chat.completions.create`` spends milliseconds per call converting both).
        """
        params = self.request_params(request)
        if self.plain_http:
            response = await self._post_plain(params, request)
        else:
            response = await self._post_sdk(params, request)
        return self._completion(response, params["model"])

    async def _post_sdk(self, params: dict[str, Any], request: ChatRequest) -> Any:
        clients = self._loop_clients()
        index = clients.lease()
        try:
            raw = await clients.clients[index].post("/chat/completions", body=params, cast_to=bytes)
        except _sdk().OpenAIError as exc:
            raise map_openai_error(exc, self, request) from exc
        finally:
            clients.release(index)
        try:
            return json.loads(raw)
        except (ValueError, TypeError):
            return None

    async def _post_plain(self, params: dict[str, Any], request: ChatRequest) -> Any:
        try:
            reply = await self._plain_client().post_json("/chat/completions", encode_body(params), self.timeout)
        except TimeoutError as exc:
            raise _timeout_error(self) from exc
        except ConnectionProblem as exc:
            raise _connection_error(self, exc) from exc
        body = reply.json()
        if reply.status >= 400:
            error = body.get("error", body) if isinstance(body, dict) else None
            text = (error.get("message") if isinstance(error, dict) else error) or reply.body.decode("utf-8", "replace")
            code = error.get("code") if isinstance(error, dict) else None
            raise map_status(reply.status, str(text)[:500], code, reply.headers, self, request)
        return body

    def _completion(self, response: Any, model: str) -> Completion:
        choices = response.get("choices") if isinstance(response, dict) else None
        if not isinstance(choices, list):
            raise TransientError(
                f"{self.base_url} answered with something that is not a chat completion "
                f"({type(response).__name__}); check BASE_URL points at an OpenAI-compatible /v1 API"
            )
        choice = choices[0] if choices and isinstance(choices[0], dict) else {}
        message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        usage = response.get("usage") if isinstance(response.get("usage"), dict) else {}
        content = message.get("content")
        return Completion(
            text=content if isinstance(content, str) else "",
            model=response.get("model") or model,
            usage=Usage(
                input_tokens=int(usage.get("prompt_tokens") or 0),
                output_tokens=int(usage.get("completion_tokens") or 0),
                cached_input_tokens=_cached_tokens(usage),
            ),
            finish_reason=choice.get("finish_reason"),
            provider=self.name,
        )


def _with_images(message: Message) -> dict[str, Any]:
    """A message with images as OpenAI content parts: its text first, then each image (files read now)."""
    parts: list[dict[str, Any]] = [{"type": "text", "text": message.content}] if message.content else []
    parts.extend(image_part(image) for image in message.images)
    return {"role": message.role, "content": parts}


def _cached_tokens(usage: dict[str, Any]) -> int:
    details = usage.get("prompt_tokens_details")
    try:
        return int((details or {}).get("cached_tokens") or 0) if isinstance(details, dict) else 0
    except (TypeError, ValueError):
        return 0


def _schema_name(name: str) -> str:
    cleaned = re.sub(r"[^a-zA-Z0-9_-]", "_", name or "response")[:64]
    return cleaned or "response"


def parse_retry_after(headers: Any) -> float | None:
    """Seconds asked for by ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    parsed = email.utils.parsedate_to_datetime(raw) if raw else None
    if parsed is None:
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _server_text(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(getattr(exc, "message", None) or exc)


def _timeout_error(model: OpenAIModel) -> TransientError:
    return TransientError(
        f"no reply from {model.base_url} within TIMEOUT={model.timeout:g} s; raise TIMEOUT in config.ini "
        "or check the server is not overloaded")


def _connection_error(model: OpenAIModel, cause: Any) -> TransientError:
    return TransientError(
        f"cannot reach {model.base_url} ({cause}); check BASE_URL and that the server is running")


def map_openai_error(exc: Exception, model: OpenAIModel, request: ChatRequest) -> ProviderError:
    """The tinytroupe error for an ``openai`` exception, with a message that says what to check."""
    openai = _sdk()
    if isinstance(exc, openai.APITimeoutError):
        return _timeout_error(model)
    if isinstance(exc, openai.APIConnectionError):
        return _connection_error(model, exc.__cause__ or exc)
    if not isinstance(exc, openai.APIStatusError):
        return TransientError(f"unexpected reply from {model.base_url}: {exc}")
    return map_status(exc.status_code, _server_text(exc), getattr(exc, "code", None), exc.response.headers,
                      model, request)


def map_status(status: int, text: str, code: Any, headers: Any, model: OpenAIModel,
               request: ChatRequest) -> ProviderError:
    """The tinytroupe error for an HTTP error status, with a message that says what to check."""
    where = model.base_url
    if status in (401, 403):
        hint = f"check {model.key_hint}"
        if not model.is_openai_com:
            hint += f", and that BASE_URL={where} is the server you mean"
        return AuthenticationError(f"{where} refused the credentials (HTTP {status}: {text}); {hint}",
                                   status=status)
    uses_format = request.response_format.mode in ("json_schema", "json_object")
    if status == 429:
        if code == "insufficient_quota":
            return AuthenticationError(f"{where}: the account has no quota left (HTTP 429: {text}); "
                                       f"check billing for the key in {model.key_hint}", status=status)
        return TransientError(f"{where} is rate limiting (HTTP 429: {text})", status=status,
                              retry_after=parse_retry_after(headers))
    if status >= 500 and uses_format and _FORMAT_WORDS.search(text):
        return BadRequestError(f"{where} rejected the response_format (HTTP {status}: {text})", status=status)
    if status >= 500 or status in (408, 409):
        return TransientError(f"{where} failed (HTTP {status}: {text})", status=status,
                              retry_after=parse_retry_after(headers))
    if status == 404:
        hint = model.not_found_hint.format(model=request.model or model.default_model)
        return BadRequestError(f"{where} answered HTTP 404 ({text}); {hint}", status=status)
    return BadRequestError(f"{where} rejected the request (HTTP {status}: {text})", status=status)
