"""The LLM call cache: identical requests are answered from a SQLite file, not the provider.

One table maps the SHA-256 of a request's canonical payload (see
:meth:`~tinytroupe.llm.base.ChatRequest.cache_payload`, which holds no key and no header; for
embeddings, of provider, model and one text) to the reply as JSON. Reads and writes are primary-key lookups, so their cost does not grow
with the file. WAL mode and a busy timeout let many threads and several processes share one
file. Values are JSON, never pickles.

Switch it on with ``CACHE_API_CALLS``/``CACHE_FILE_NAME`` or
``tinytroupe.openai_utils.force_api_cache(True, "file.sqlite")``.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from tinytroupe.errors import CacheError, ConfigError
from tinytroupe.llm.base import ChatRequest, Completion, LLMModel, Usage
from tinytroupe.llm.embeddings import (
    EmbeddingModel,
    EmbeddingRequest,
    Embeddings,
    decode_vector,
    encode_vector,
    text_cache_key,
)
from tinytroupe.llm.structured import reply_check
from tinytroupe.llm.wrappers.seams import StackWrapper

logger = logging.getLogger(__name__)

__all__ = ["CallCache", "CacheStats", "CachedModel", "cache_from_config", "reply_fits", "FORMAT_NAME", "FORMAT_VERSION"]

T = TypeVar("T")

FORMAT_NAME = "tinytroupe-llm-call-cache"
FORMAT_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
PAGE_CACHE_KIB = 32 * 1024  # SQLite's page cache per open cache, at most

_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # a rowid table: completions are often kilobytes, too large for a WITHOUT ROWID table
    "CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)",
)


@dataclass(frozen=True)
class CacheStats:
    """How a cache was used by this process: lookups that hit, lookups that missed, writes."""

    hits: int = 0
    misses: int = 0
    writes: int = 0


def _fix(path: Path) -> str:
    return f"delete {path} or set CACHE_FILE_NAME to another path"


def _retry_while_locked(action: Callable[[], T]) -> T:
    """Run ``action``, retrying the SQLITE_BUSY cases the busy timeout does not cover.

    SQLite reports "database is locked" at once, without waiting, when processes race to
    switch a new file to WAL or to upgrade a read lock; a short pause and retry resolves it.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _check_header(path: Path) -> None:
    """Refuse a non-empty file that is not SQLite, before SQLite ever touches it."""
    if not path.exists():
        return
    if not path.is_file():
        raise CacheError(f"LLM call cache {path} is not a file; {_fix(path)}.")
    with path.open("rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head and head != _SQLITE_MAGIC:
        hint = " (it looks like a pickle, e.g. an old openai_api_cache.pickle)" if head[:1] == b"\x80" else ""
        raise CacheError(
            f"LLM call cache {path} is not a tinytroupe cache: not a SQLite file{hint}. "
            f"It was left untouched; {_fix(path)}."
        )


class CallCache:
    """A SQLite file mapping request keys (SHA-256 hex) to JSON-able dicts.

    Safe to share between threads (one connection behind a lock) and processes (WAL, busy
    timeout). A file that is not a cache of this format raises :class:`CacheError` here,
    at open time, and is never modified.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path).expanduser().resolve()
        self._lock = threading.Lock()
        self._hits = self._misses = self._writes = 0
        self._damage_logged = False
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._closed = False
        self._conn = self._open()

    # -- opening -------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        _check_header(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"LLM call cache {self.path} cannot be opened ({exc}); "
                             "check the directory is writable or set CACHE_FILE_NAME.") from None
        try:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            _retry_while_locked(lambda: self._validate(conn, initialise=True))
        except CacheError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise CacheError(f"LLM call cache {self.path} cannot be read as a cache ({exc}); "
                             f"{_fix(self.path)}.") from None
        return conn

    def _validate(self, conn: sqlite3.Connection, *, initialise: bool) -> None:
        """Check the file holds our format (reads only); set up an empty file."""
        objects = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
        tables = {name for kind, name in objects if kind == "table"}
        if not objects and initialise:
            self._initialise(conn)
            return
        if not {"meta", "calls"} <= tables:
            raise CacheError(
                f"LLM call cache {self.path} is a SQLite database but not a tinytroupe cache "
                f"(tables: {', '.join(sorted(tables)) or 'none'}). It was left untouched; {_fix(self.path)}."
            )
        meta = dict(conn.execute("SELECT name, value FROM meta"))
        if meta.get("format") != FORMAT_NAME:
            raise CacheError(f"LLM call cache {self.path} has an unknown format {meta.get('format')!r}; "
                             f"it was left untouched; {_fix(self.path)}.")
        if meta.get("version") != str(FORMAT_VERSION):
            raise CacheError(
                f"LLM call cache {self.path} has format version {meta.get('version')!r}, this tinytroupe "
                f"reads version {FORMAT_VERSION}; it was left untouched; {_fix(self.path)}."
            )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL: safe against crashes of the process
        conn.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")  # keeps the key index in memory

    def _initialise(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0:
                # no other process got here first
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.executemany("INSERT INTO meta (name, value) VALUES (?, ?)",
                                 [("format", FORMAT_NAME), ("version", str(FORMAT_VERSION)),
                                  ("created", str(time.time()))])
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._validate(conn, initialise=False)

    def _connection(self) -> sqlite3.Connection:
        """The open connection (reopened in a forked child); call with the lock held."""
        if self._closed:
            raise CacheError(f"LLM call cache {self.path} was closed; open a new CallCache.")
        if self._conn is None or self._pid != os.getpid():
            self._pid = os.getpid()
            self._conn = self._open()
        return self._conn

    # -- use -----------------------------------------------------------------------------
    def get(self, key: str, check: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any] | None:
        """The value stored under ``key``, or None (counted as a hit or a miss).

        A stored value that is not JSON, not a dict or fails ``check`` is damaged: it counts as
        a miss (the caller asks again and its ``put`` replaces it), logged once per cache.
        """
        with self._lock:
            row = self._execute("SELECT value FROM calls WHERE key = ?", (key,)).fetchone()
            value = None
            if row is not None:
                try:
                    value = json.loads(row[0])
                except (TypeError, ValueError):
                    value = None
            if isinstance(value, dict) and (check is None or check(value)):
                self._hits += 1
                return value
            if row is not None and not self._damage_logged:
                self._damage_logged = True
                logger.warning("LLM call cache %s: a damaged entry was treated as a miss and will be "
                               "replaced (further damaged entries are not logged)", self.path)
            self._misses += 1
            return None

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Store ``value`` (a JSON-able dict) under ``key``, replacing any older value."""
        if not isinstance(value, dict):
            raise TypeError(f"CallCache.put needs a dict, got {type(value).__name__}")
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._execute("INSERT OR REPLACE INTO calls (key, value, created) VALUES (?, ?, ?)",
                          (key, data, time.time()))
            self._writes += 1

    def _execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        try:
            conn = self._connection()
            return _retry_while_locked(lambda: conn.execute(sql, params))
        except sqlite3.Error as exc:
            raise CacheError(f"LLM call cache {self.path}: {exc}; if the file is damaged, "
                             f"{_fix(self.path)}.") from None

    def __len__(self) -> int:
        with self._lock:
            return int(self._execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return self._execute("SELECT 1 FROM calls WHERE key = ?", (key,)).fetchone() is not None

    def clear(self) -> None:
        """Remove every stored call (the file and its format stay)."""
        with self._lock:
            self._execute("DELETE FROM calls")

    @property
    def stats(self) -> CacheStats:
        """Hits, misses and writes counted by this instance."""
        with self._lock:
            return CacheStats(self._hits, self._misses, self._writes)

    def close(self) -> None:
        """Close the file; later use raises :class:`CacheError`. Safe to call twice."""
        with self._lock:
            self._closed = True
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    @property
    def closed(self) -> bool:
        return self._closed

    def __repr__(self) -> str:
        return f"CallCache({str(self.path)!r})"


def completion_to_value(completion: Completion) -> dict[str, Any]:
    """What the cache stores for a completion (text, model, usage, finish reason)."""
    return {
        "text": completion.text,
        "model": completion.model,
        "usage": {"input_tokens": completion.usage.input_tokens,
                  "output_tokens": completion.usage.output_tokens},
        "finish_reason": completion.finish_reason,
    }


def is_completion_value(value: dict[str, Any]) -> bool:
    """Whether ``value`` is what :func:`completion_to_value` stores (an undamaged entry)."""
    usage = value.get("usage", {})
    return (isinstance(value.get("text"), str) and bool(value["text"])
            and isinstance(value.get("model", ""), str)
            and isinstance(usage, dict)
            and all(isinstance(usage.get(k, 0), int) and not isinstance(usage.get(k, 0), bool)
                    and usage.get(k, 0) >= 0 for k in ("input_tokens", "output_tokens"))
            and isinstance(value.get("finish_reason"), (str, type(None))))


def value_to_completion(value: dict[str, Any], provider: str) -> Completion:
    """A cached completion rebuilt from a stored value."""
    usage = value.get("usage") or {}
    return Completion(
        text=str(value.get("text", "")),
        model=str(value.get("model", "")),
        usage=Usage(input_tokens=int(usage.get("input_tokens", 0)),
                    output_tokens=int(usage.get("output_tokens", 0))),
        finish_reason=value.get("finish_reason"),
        cached=True,
        provider=provider,
    )


MAX_REPLY_CHARS = 2_000_000  # no provider writes a longer reply: a stored one is damage
CHARS_PER_TOKEN_BOUND = 32  # nor more characters than this per token of max_tokens


def reply_fits(text: str, request: ChatRequest) -> bool:
    """Whether a reply of this length could have answered ``request`` (its ``max_tokens``, else a hard bound)."""
    bound = request.max_tokens * CHARS_PER_TOKEN_BOUND if request.max_tokens else MAX_REPLY_CHARS
    return len(text) <= min(bound, MAX_REPLY_CHARS)


class CachedModel(StackWrapper):
    """A model or an embedder that answers repeated requests from a :class:`CallCache`.

    A chat request's key covers provider, model, messages, sampling parameters, seed and schema
    (never tags or secrets); an embedding is stored per text, keyed by provider, model and text,
    and only the texts not stored are sent, in one request. A hit makes no inner call and comes
    back ``cached=True`` (for embeddings, ``cached`` counts the texts answered). Empty replies
    are not stored, so a failed call is asked again next time. With ``refresh=True`` every
    request goes to the model and its reply replaces the stored one.

    A stored reply the caller cannot use is a miss, asked again and replaced, so a damaged
    entry never changes what a run sends: one longer than the request allows, or, under a
    structured call (:func:`~tinytroupe.llm.structured.reply_check`), one that does not
    validate. A fresh reply that does not validate is stored marked ``unusable``: it is what
    the provider said, and a rerun replays it and the repair that followed, for free.
    """

    def __init__(self, inner: LLMModel | EmbeddingModel, cache: CallCache, *, refresh: bool = False):
        super().__init__(inner)
        self.cache = cache
        self.refresh = refresh  # ask the model anyway and overwrite what is stored (CACHE_REFRESH)

    def key_for(self, request: ChatRequest) -> str:
        """The cache key of ``request`` for the wrapped model."""
        return request.cache_key(self.inner.name, self.model_of(request))

    async def complete(self, request: ChatRequest) -> Completion:
        key = self.key_for(request)
        usable = reply_check()

        def check(value: dict[str, Any]) -> bool:
            if not is_completion_value(value) or not reply_fits(value["text"], request):
                return False
            return usable is None or value.get("unusable") is True or usable(value["text"])

        stored = None if self.refresh else self.cache.get(key, check=check)
        if stored is not None:
            return value_to_completion(stored, self.inner.name)
        completion = await self.inner.complete(request)
        if completion.text and reply_fits(completion.text, request):
            value = completion_to_value(completion)
            if usable is not None and not usable(completion.text):
                value["unusable"] = True
            self.cache.put(key, value)
        return completion

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        model = self.model_of(request)
        keys = [text_cache_key(self.inner.name, model, text) for text in request.texts]
        found: dict[int, np.ndarray] = {} if self.refresh else self._stored_vectors(keys)
        missing = [i for i in range(len(keys)) if i not in found]
        usage, answered_model = Usage(), model
        if missing:
            fresh = await self.inner.embed(request.with_texts([request.texts[i] for i in missing]))
            usage, answered_model = fresh.usage, fresh.model
            for row, i in enumerate(missing):
                found[i] = fresh.vectors[row]
                self.cache.put(keys[i], {"vector": encode_vector(fresh.vectors[row]), "model": fresh.model})
        rows = [found[i] for i in range(len(keys))]
        vectors = np.stack(rows).astype(np.float32) if rows else np.zeros((0, 0), dtype=np.float32)
        return Embeddings(vectors, answered_model, usage, self.name, self.kind, cached=len(keys) - len(missing))

    def _stored_vectors(self, keys: list[str]) -> dict[int, np.ndarray]:
        found = {}
        for i, key in enumerate(keys):
            stored = self.cache.get(key, check=lambda value: isinstance(value.get("vector"), str))
            if stored is not None:
                found[i] = decode_vector(stored["vector"])
        return found


_open_lock = threading.Lock()


def cache_from_config(settings: Any = None, runtime: Any = None) -> CallCache | None:
    """The cache named by CACHE_FILE_NAME when CACHE_API_CALLS is on, else None.

    ``settings`` default to ``runtime``'s (default: the current runtime). A relative path is
    under the working directory. Within a runtime the same path always gives the same
    :class:`CallCache` instance (so its counters add up); the runtime keeps its open caches.
    """
    from tinytroupe.runtime import current_runtime

    runtime = runtime or current_runtime()
    settings = settings if settings is not None else runtime.settings
    if not settings["cache_api_calls"]:
        return None
    name = str(settings["cache_file_name"] or "").strip()
    if not name:
        raise ConfigError("CACHE_API_CALLS is on but CACHE_FILE_NAME is empty; set [OpenAI] "
                          "CACHE_FILE_NAME to a file path such as tinytroupe_llm_cache.sqlite.")
    path = (Path.cwd() / Path(name).expanduser()).resolve()
    open_caches: dict[Path, CallCache] = runtime.part("llm.caches", dict)
    with _open_lock:
        cache = open_caches.get(path)
        if cache is None or cache.closed:
            cache = CallCache(path)
            open_caches[path] = cache
        return cache
