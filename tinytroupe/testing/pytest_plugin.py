"""A pytest plugin for tests that call an LLM: record their calls once, replay them after.

Enable it in a ``conftest.py`` with ``pytest_plugins = ["tinytroupe.testing.pytest_plugin"]``
(or ``pytest -p tinytroupe.testing.pytest_plugin``). Options, as in the original's test suite:

- ``--use_cache``: answer each test's LLM calls from the call cache (a SQLite file), and
  store the ones that are not there yet: the first run calls the model, later runs do not.
- ``--refresh_cache``: call the model for every request and overwrite the stored replies.
- ``--llm_cache_file PATH``: the cache file (default ``tests_llm_cache.sqlite`` in pytest's
  root directory).

The plugin also registers the original suite's markers (``core``, ``slow``, ``examples``,
``gpt41mini``; see :data:`MARKERS`).

The options set ``TINYTROUPE_CACHE_API_CALLS``, ``TINYTROUPE_CACHE_FILE_NAME`` and
``TINYTROUPE_CACHE_REFRESH`` for the session, so they hold whatever a test does to the
configuration. The ``llm_cache`` fixture gives the :class:`~tinytroupe.llm.cache.CallCache`
in use (None without the options), e.g. to assert on its hits.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

__all__ = ["llm_cache", "DEFAULT_FILE", "MARKERS"]

DEFAULT_FILE = "tests_llm_cache.sqlite"
_ENV = ("TINYTROUPE_CACHE_API_CALLS", "TINYTROUPE_CACHE_FILE_NAME", "TINYTROUPE_CACHE_REFRESH")


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("tinytroupe", "tinytroupe LLM call cache")
    group.addoption("--use_cache", "--use-cache", action="store_true", default=False,
                    help="answer LLM calls from the call cache, storing new ones")
    group.addoption("--refresh_cache", "--refresh-cache", action="store_true", default=False,
                    help="call the model for every request and overwrite the cached replies")
    group.addoption("--llm_cache_file", "--llm-cache-file", default=None, metavar="PATH",
                    help=f"the call cache file (default: {DEFAULT_FILE} in the root directory)")


def _cache_path(config: Any) -> Path:
    given = config.getoption("llm_cache_file")
    path = Path(given).expanduser() if given else Path(str(config.rootpath)) / DEFAULT_FILE
    return path if path.is_absolute() else Path(str(config.rootpath)) / path


MARKERS = {
    "core": "a core test: fast, run on every change",
    "slow": "a slow test (many model calls or long simulations)",
    "examples": "runs an example or notebook end to end",
    "gpt41mini": "written against gpt-4.1-mini's behaviour",
}
"""The markers the original's test suite uses, registered so ``--strict-markers`` accepts them."""


def pytest_configure(config: Any) -> None:
    for name, meaning in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")
    use, refresh = config.getoption("use_cache"), config.getoption("refresh_cache")
    if not (use or refresh):
        return
    config._tinytroupe_saved_env = {k: os.environ.get(k) for k in _ENV}
    os.environ["TINYTROUPE_CACHE_API_CALLS"] = "true"
    os.environ["TINYTROUPE_CACHE_FILE_NAME"] = str(_cache_path(config).resolve())
    os.environ["TINYTROUPE_CACHE_REFRESH"] = "true" if refresh else "false"
    from tinytroupe import llm
    from tinytroupe.config import config_manager

    config_manager.reset()
    llm.reset_default_model()


def pytest_unconfigure(config: Any) -> None:
    saved = getattr(config, "_tinytroupe_saved_env", None)
    if saved is None:
        return
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def pytest_report_header(config: Any) -> str | None:
    if config.getoption("refresh_cache"):
        return f"tinytroupe: refreshing the LLM call cache {_cache_path(config)}"
    if config.getoption("use_cache"):
        return f"tinytroupe: LLM calls cached in {_cache_path(config)}"
    return None


@pytest.fixture
def llm_cache(request: Any) -> Any:
    """The call cache the test's LLM calls go through (None when the options are not given)."""
    config = request.config
    if not (config.getoption("use_cache") or config.getoption("refresh_cache")):
        return None
    from tinytroupe.llm.cache import CallCache, cache_from_config

    cache = cache_from_config()
    return cache if cache is not None else CallCache(_cache_path(config))
