"""The OpenAI-compatible embedder: ``POST /v1/embeddings`` on OpenAI, Azure, Ollama, vLLM, LM Studio.

It borrows the chat provider's transport (:class:`~tinytroupe.llm.providers.openai_compat.OpenAIModel`
or its Azure subclass): the lean plain-HTTP client for local ``http://`` servers, the SDK
otherwise, one client per event loop. Errors become :mod:`tinytroupe.errors` types; a server
without embeddings (HTTP 404/405/501, or a 400 that says the model cannot embed) raises
:class:`EmbeddingsUnsupportedError`, which the fallback wrapper turns into one warning.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from tinytroupe.errors import AuthenticationError, BadRequestError, ProviderError, TransientError
from tinytroupe.llm.base import Usage
from tinytroupe.llm.embeddings import EmbeddingRequest, Embeddings, EmbeddingsUnsupportedError
from tinytroupe.llm.providers.openai_compat import OpenAIModel, parse_retry_after
from tinytroupe.llm.providers.plain_http import ConnectionProblem

__all__ = ["OpenAIEmbedder", "EmbeddingsUnsupportedError"]

_UNSUPPORTED_WORDS = re.compile(r"embedding|not support|does not support|unsupported|pooling", re.IGNORECASE)


class OpenAIEmbedder:
    """An :class:`~tinytroupe.llm.embeddings.EmbeddingModel` over an OpenAI-compatible endpoint."""

    kind = "dense"

    def __init__(self, transport: OpenAIModel, model: str):
        self.transport = transport
        self.name = transport.name
        self.endpoint = transport.endpoint
        self.default_model = model

    def __repr__(self) -> str:
        return f"OpenAIEmbedder({self.endpoint!r}, model={self.default_model!r})"

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        model = request.model or self.default_model
        if not request.texts:
            return Embeddings(np.zeros((0, 0), dtype=np.float32), model, Usage(), self.name)
        body = {"model": model, "input": list(request.texts), "encoding_format": "float"}
        if self.transport.plain_http:
            reply = await self._post_plain(body)
        else:
            reply = await self._post_sdk(body)
        return self._embeddings(reply, model, len(request.texts))

    async def _post_plain(self, body: dict[str, Any]) -> Any:
        transport = self.transport
        try:
            reply = await transport.post_plain("/embeddings", body)
        except TimeoutError as exc:
            raise TransientError(f"no embeddings from {self.endpoint} within TIMEOUT={transport.timeout:g} s; "
                                 "raise TIMEOUT or check the server") from exc
        except ConnectionProblem as exc:
            raise TransientError(f"cannot reach {self.endpoint} for embeddings ({exc}); check BASE_URL "
                                 "and that the server is running") from exc
        data = reply.json()
        if reply.status >= 400:
            error = data.get("error", data) if isinstance(data, dict) else None
            text = (error.get("message") if isinstance(error, dict) else error) or reply.body.decode("utf-8", "replace")
            raise self._status_error(reply.status, str(text)[:300], reply.headers, body["model"])
        return data

    async def _post_sdk(self, body: dict[str, Any]) -> Any:
        import openai  # only for HTTPS, proxies and Azure: plain-http servers never load the SDK

        try:
            raw = await self.transport.post_sdk("/embeddings", body)
        except openai.APITimeoutError as exc:
            raise TransientError(f"no embeddings from {self.endpoint} within TIMEOUT; raise TIMEOUT") from exc
        except openai.APIConnectionError as exc:
            raise TransientError(f"cannot reach {self.endpoint} for embeddings ({exc})") from exc
        except openai.APIStatusError as exc:
            raise self._status_error(exc.status_code, str(exc.message)[:300], exc.response.headers,
                                     body["model"]) from exc
        try:
            return json.loads(raw)
        except (ValueError, TypeError):
            return None

    def _status_error(self, status: int, text: str, headers: Any, model: str) -> ProviderError:
        where = self.endpoint
        if status in (401, 403):
            return AuthenticationError(f"{where} refused the credentials for embeddings (HTTP {status}: {text}); "
                                       f"check {self.transport.key_hint}", status=status)
        if status == 429 or status >= 500 and status != 501 or status in (408, 409):
            return TransientError(f"{where} failed to embed (HTTP {status}: {text})", status=status,
                                  retry_after=parse_retry_after(headers))
        if status in (404, 405, 501) or (status == 400 and _UNSUPPORTED_WORDS.search(text)):
            return EmbeddingsUnsupportedError(
                f"{where} does not serve embeddings for EMBEDDING_MODEL={model!r} (HTTP {status}: {text}); set "
                "EMBEDDING_MODEL to an embedding model the server has, or EMBEDDING_MODEL=lexical", status=status)
        return BadRequestError(f"{where} rejected the embeddings request (HTTP {status}: {text})", status=status)

    def _embeddings(self, reply: Any, model: str, count: int) -> Embeddings:
        data = reply.get("data") if isinstance(reply, dict) else None
        if not isinstance(data, list) or len(data) != count:
            raise TransientError(f"{self.endpoint} answered an embeddings request with something else "
                                 f"({type(reply).__name__}); check BASE_URL points at an OpenAI-compatible /v1 API")
        rows = sorted(data, key=lambda d: d.get("index", 0) if isinstance(d, dict) else 0)
        try:
            vectors = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise TransientError(f"{self.endpoint} sent malformed embeddings ({exc})") from None
        usage = reply.get("usage") if isinstance(reply.get("usage"), dict) else {}
        return Embeddings(vectors, str(reply.get("model") or model),
                          Usage(input_tokens=int(usage.get("prompt_tokens") or 0)), self.name, self.kind)

    async def aclose(self) -> None:
        await self.transport.aclose()
