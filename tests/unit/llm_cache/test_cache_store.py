"""CallCache: storage, counters, format checks, and sharing between threads and processes."""

from __future__ import annotations

import multiprocessing
import pickle
import sqlite3
import threading
from pathlib import Path

import pytest

from tinytroupe.config import config_manager
from tinytroupe.errors import CacheError, ConfigError
from tinytroupe.llm.cache import FORMAT_VERSION, CacheStats, CallCache, cache_from_config


def test_put_get_roundtrip_and_counters(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")
    assert cache.get("a" * 64) is None
    cache.put("a" * 64, {"text": "héllo", "n": [1, 2]})
    assert cache.get("a" * 64) == {"text": "héllo", "n": [1, 2]}
    assert cache.get("b" * 64) is None
    assert cache.stats == CacheStats(hits=1, misses=2, writes=1)
    assert len(cache) == 1
    assert "a" * 64 in cache and "b" * 64 not in cache


def test_put_replaces_and_clear_empties(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")
    cache.put("k", {"v": 1})
    cache.put("k", {"v": 2})
    assert cache.get("k") == {"v": 2}
    assert len(cache) == 1
    cache.clear()
    assert len(cache) == 0 and cache.get("k") is None


def test_values_survive_reopen_and_are_json_not_pickle(tmp_path):
    path = tmp_path / "sub" / "c.sqlite"
    cache = CallCache(path)
    cache.put("k", {"text": "persisted"})
    cache.close()
    again = CallCache(path)
    assert again.get("k") == {"text": "persisted"}
    again.close()
    with sqlite3.connect(path) as conn:
        (raw,) = conn.execute("SELECT value FROM calls WHERE key='k'").fetchone()
        meta = dict(conn.execute("SELECT name, value FROM meta"))
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
    assert raw == '{"text":"persisted"}'
    assert meta["version"] == str(FORMAT_VERSION)
    assert mode == "wal"


def test_put_rejects_non_dict(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")
    with pytest.raises(TypeError):
        cache.put("k", ["not", "a", "dict"])  # type: ignore[arg-type]


def test_closed_cache_says_so(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")
    cache.close()
    cache.close()
    with pytest.raises(CacheError, match="closed"):
        cache.get("k")


def test_empty_file_is_initialised(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    cache = CallCache(path)
    cache.put("k", {"v": 1})
    assert cache.get("k") == {"v": 1}


def _sqlite_with_other_table(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('Ada')")
    conn.close()


def _our_format_other_version(path: Path) -> None:
    CallCache(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value='99' WHERE name='version'")
    conn.close()


@pytest.mark.parametrize("make, fragment", [
    (lambda p: p.write_bytes(bytes(range(256)) * 8), "not a SQLite file"),
    (lambda p: p.write_bytes(pickle.dumps({"old": "cache"})), "pickle"),
    (lambda p: p.write_text("just some notes\n"), "not a SQLite file"),
    (_sqlite_with_other_table, "not a tinytroupe cache"),
    (_our_format_other_version, "version '99'"),
], ids=["random", "pickle", "text", "foreign-sqlite", "future-version"])
def test_invalid_file_gets_clear_error_and_is_left_untouched(tmp_path, make, fragment):
    path = tmp_path / "user_file.sqlite"
    make(path)
    before = path.read_bytes()
    with pytest.raises(CacheError) as info:
        CallCache(path)
    message = str(info.value)
    assert str(path) in message
    assert fragment in message
    assert "CACHE_FILE_NAME" in message and "delete" in message
    assert path.read_bytes() == before


def test_directory_path_is_refused(tmp_path):
    with pytest.raises(CacheError, match="not a file"):
        CallCache(tmp_path)


def test_many_threads_lose_no_write(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")

    def writer(t: int) -> None:
        for i in range(200):
            cache.put(f"{t}-{i}", {"t": t, "i": i})
            assert cache.get(f"{t}-{i}") == {"t": t, "i": i}

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(cache) == 1600
    assert cache.stats.writes == 1600 and cache.stats.hits == 1600


def _process_writer(path: str, worker: int, count: int, barrier) -> None:
    barrier.wait()  # all four create and initialise the new file at the same moment
    cache = CallCache(path)
    for i in range(count):
        cache.put(f"p{worker}-{i}", {"worker": worker, "i": i})
    cache.close()


def test_four_processes_lose_no_write(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_process_writer, args=(path, w, 200, barrier)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    cache = CallCache(path)
    assert len(cache) == 800
    for w in range(4):
        for i in range(200):
            assert cache.get(f"p{w}-{i}") == {"worker": w, "i": i}


def test_cache_from_config_off_by_default():
    assert cache_from_config() is None


def test_cache_from_config_resolves_against_cwd_and_is_shared(tmp_path):
    config_manager.update_multiple({"cache_api_calls": True, "cache_file_name": "calls.sqlite"})
    first = cache_from_config()
    assert first is not None
    assert first.path == (tmp_path / "calls.sqlite").resolve()
    assert cache_from_config() is first
    config_manager.update("cache_file_name", str(tmp_path / "calls.sqlite"))
    assert cache_from_config() is first
    config_manager.update("cache_file_name", "other.sqlite")
    assert cache_from_config() is not first


def test_cache_from_config_reopens_a_closed_cache():
    config_manager.update("cache_api_calls", True)
    first = cache_from_config()
    first.close()
    second = cache_from_config()
    assert second is not first and not second.closed


def test_cache_from_config_empty_name_is_a_config_error():
    config_manager.update_multiple({"cache_api_calls": True, "cache_file_name": ""})
    with pytest.raises(ConfigError, match="CACHE_FILE_NAME"):
        cache_from_config()
