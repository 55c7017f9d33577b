"""The pytest plugin for cached LLM tests: --use_cache records then replays, --refresh_cache re-asks."""

import os
import subprocess
import sys
from pathlib import Path

import tinytroupe
from tinytroupe.testing import LoopbackServer

ROOT = Path(tinytroupe.__file__).resolve().parents[1]

INNER_TEST = '''
import os
from tinytroupe import llm
from tinytroupe.config import config_manager


def test_asks_the_model(llm_cache):
    config_manager.reset()  # the options hold whatever a test does to the configuration
    config_manager.update_multiple({"api_type": "openai", "base_url": os.environ["LOOP_URL"], "api_key": "k"})
    llm.reset_default_model()
    assert llm.complete_text("What is two plus two?") == "Hello from the loopback server."
    assert (llm_cache is not None) == (os.environ["EXPECT_CACHE"] == "1")
'''


def _pytest(project: Path, server: LoopbackServer, *options: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOOP_URL": server.base_url,
           "EXPECT_CACHE": "1" if options else "0"}
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project), *options],
                         capture_output=True, text=True, env=env, cwd=project, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_cached_llm_tests_record_once_then_replay(tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    (project / "conftest.py").write_text('pytest_plugins = ["tinytroupe.testing.pytest_plugin"]\n')
    (project / "test_inner.py").write_text(INNER_TEST)
    with LoopbackServer() as server:
        _pytest(project, server, "--use_cache")
        assert server.request_count == 1
        assert (project / "tests_llm_cache.sqlite").is_file()
        _pytest(project, server, "--use_cache")
        assert server.request_count == 1  # answered from the cache
        _pytest(project, server, "--refresh_cache")
        assert server.request_count == 2  # asked again, stored again
        _pytest(project, server)
        assert server.request_count == 3  # without the options, no cache
        _pytest(project, server, "--use_cache", "--llm_cache_file", str(tmp_path / "other.sqlite"))
        assert server.request_count == 4 and (tmp_path / "other.sqlite").is_file()
