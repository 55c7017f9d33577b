"""The embedded embedder: a GGUF model run by llama.cpp in embedding mode, in this process.

``LOCAL_EMBEDDING_MODEL_PATH`` names a proper embedding GGUF (nomic-embed, bge, e5...); left
empty, the packaged SmolLM2-135M demo model is used with mean pooling, which is weak, so it is
used only when ``EMBEDDING_MODEL=local`` asks for it (the offline default is static vectors or BM25). The model is loaded on first use, once per process and file, and runs on
its own worker thread (llama.cpp contexts are not thread-safe), so the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from tinytroupe import resources
from tinytroupe.errors import ConfigError, NoModelConfiguredError, ProviderError
from tinytroupe.llm.base import Usage
from tinytroupe.llm.embeddings import EmbeddingRequest, Embeddings

__all__ = ["LocalEmbedder", "local_embedder_available"]


def _setting(name: str) -> Any:
    """A setting of the current runtime."""
    from tinytroupe.runtime import current_runtime

    return current_runtime().settings[name]


EMBEDDING_CONTEXT = 2048  # tokens per text; longer texts are cut by llama.cpp


def local_embedder_available() -> bool:
    """True when llama-cpp-python is installed and a GGUF to embed with is there."""
    from tinytroupe.llm.providers.local import _llama_installed, default_gguf_path

    if not _llama_installed():
        return False
    return bool(_setting("local_embedding_model_path")) or default_gguf_path() is not None


def _resolve(path: str | os.PathLike | None) -> Path:
    from tinytroupe.llm.providers.local import default_gguf_path

    chosen = path or _setting("local_embedding_model_path")
    if chosen:
        candidate = Path(chosen).expanduser()
        candidate = candidate if candidate.is_absolute() else Path.cwd() / candidate
        if not candidate.is_file():
            raise ConfigError(f"LOCAL_EMBEDDING_MODEL_PATH = {str(candidate)!r}: no such GGUF file; set it to an "
                              "embedding model's .gguf file, or leave it empty for the packaged demo model")
        return candidate.resolve()
    default = default_gguf_path()
    if default is None:
        raise NoModelConfiguredError('the embedded model is not installed: run CMAKE_ARGS="-DGGML_NATIVE=OFF" '
                                     'pip install -e ".[local]", or set LOCAL_EMBEDDING_MODEL_PATH')
    return default


class _Engine:
    """One llama.cpp model loaded for embeddings, with the one thread allowed to use it."""

    def __init__(self, path: Path, n_threads: int):
        self.path = path
        self.n_threads = n_threads
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"tinytroupe-embed-{path.stem}")
        self.lock = threading.Lock()
        self.llama: Any = None

    def _load(self) -> Any:
        if self.llama is None:
            import llama_cpp

            try:
                self.llama = llama_cpp.Llama(model_path=str(self.path), embedding=True, n_ctx=EMBEDDING_CONTEXT,
                                             n_batch=EMBEDDING_CONTEXT, n_ubatch=EMBEDDING_CONTEXT,
                                             n_threads=self.n_threads, verbose=False,
                                             pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN)
                atexit.register(self.llama.close)
            except (ValueError, RuntimeError) as exc:
                raise ConfigError(f"the embedding model {self.path} could not be loaded ({exc}); check "
                                  "LOCAL_EMBEDDING_MODEL_PATH names a valid GGUF file") from None
        return self.llama

    def embed(self, texts: list[str]) -> tuple[list[list[float]], int]:
        with self.lock:
            llama = self._load()
            tokens = sum(len(llama.tokenize(t.encode("utf-8"), add_bos=False)) for t in texts)
            return llama.embed(texts, truncate=True), tokens


class LocalEmbedder:
    """An :class:`~tinytroupe.llm.embeddings.EmbeddingModel` running a GGUF model with llama.cpp."""

    name = "local"
    kind = "dense"

    def __init__(self, model_path: str | os.PathLike | None = None, *, n_threads: int = 0):
        from tinytroupe.llm.providers.local import _llama_installed

        if not _llama_installed():
            raise NoModelConfiguredError('local embeddings need llama-cpp-python: run CMAKE_ARGS="-DGGML_NATIVE=OFF" '
                                         'pip install -e ".[local]"')
        self.path = _resolve(model_path)
        self.endpoint = str(self.path)
        self.default_model = self.path.stem
        threads = int(n_threads) if n_threads and n_threads > 0 else (os.cpu_count() or 1)
        path = self.path
        self._engine = resources.shared("llama.embed", (path, threads), lambda: _Engine(path, threads))

    def __repr__(self) -> str:
        return f"LocalEmbedder({self.endpoint!r})"

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        if not request.texts:
            return Embeddings(np.zeros((0, 0), dtype=np.float32), self.default_model, Usage(), self.name)
        loop = asyncio.get_running_loop()
        try:
            rows, tokens = await loop.run_in_executor(self._engine.executor, self._engine.embed, list(request.texts))
        except ConfigError:
            raise
        except (ValueError, RuntimeError) as exc:
            raise ProviderError(f"the local embedding model {self.path.name} failed: {exc}") from None
        vectors = np.asarray(rows, dtype=np.float32)
        return Embeddings(vectors, self.default_model, Usage(input_tokens=tokens), self.name, self.kind)

    async def aclose(self) -> None:
        return None
