"""Scripts written the way TinyTroupe's documentation writes them, run against a real
OpenAI-compatible server on 127.0.0.1 (the loopback server), each in its own process.

Each script is run as it is: the working directory holds the scripts' ``config.ini`` and
sample files in the original's formats (``agents/``, ``fragments/``, ``populations/``,
``saved-agents/``, as a user's project would). Those files are our own, in ``fixtures/``, so
the suite passes on a clone of the repository alone. Where the original's own sample files
are checked out beside the repository (``../shared/compat/tinytroupe-0.6.0``, as in CI), an
extra test runs every one of them too; elsewhere it skips, saying so.

The environment points the OpenAI client at the server with ``OPENAI_BASE_URL`` and
``OPENAI_API_KEY``, as it would point it at any compatible provider. The server answers every
request with JSON that follows the request's schema. A script checks its own results with
``assert`` and must exit 0 having made model calls.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tinytroupe.testing.loopback_server import LoopbackServer

HERE = Path(__file__).resolve().parent
SCRIPTS = sorted((HERE / "scripts").glob("*.py"))
REPO = Path(__file__).resolve().parents[2]
FIXTURES = HERE / "fixtures"
SAMPLES = REPO.parent / "shared" / "compat" / "tinytroupe-0.6.0"
FOLDERS = ("agents", "fragments", "populations", "saved-agents")


@pytest.fixture(scope="module")
def server():
    with LoopbackServer(seed=7) as running:
        yield running


def _project(tmp_path: Path, samples: Path = FIXTURES) -> Path:
    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(HERE / "scripts" / "config.ini", work / "config.ini")
    for folder in FOLDERS:
        shutil.copytree(samples / folder, work / folder)
    return work


def _run(script: Path, work: Path, server: LoopbackServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINYTROUPE_")}
    env.update(OPENAI_API_KEY="loopback-key", OPENAI_BASE_URL=server.base_url,
               PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]),
               TINYTROUPE_HOME=str(tmp_path / "home"), LOCAL_THREADS="1")
    before = server.request_count
    done = subprocess.run([sys.executable, str(script)], cwd=work, env=env, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, f"{script.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    assert server.request_count > before, f"{script.name} made no model call"


def test_the_scripts_and_their_files_are_there():
    names = {p.stem for p in SCRIPTS}
    assert {"agents_from_files", "agents_by_definition", "fragments", "worlds_and_networks",
            "factory_from_demography", "control_and_caching", "statistics_and_empirical_validation",
            "cost_statistics", "profiler_analyses", "factory_sampling_plan", "memory_and_utils_helpers",
            "state_crossing", "memory_helpers", "cost_printing"} <= names
    for folder in FOLDERS:
        assert list((FIXTURES / folder).glob("*.json")), f"no sample files in {FIXTURES / folder}"


def test_the_saved_agent_fixture_has_the_keys_the_original_saves():
    import json

    docs = [json.loads(p.read_text()) for p in (FIXTURES / "saved-agents").glob("*.json")]
    assert all(d["type"] == "TinyPerson" and isinstance(d["mental_faculties"], list) for d in docs)
    assert any("current_episode_event_count" in d for d in docs)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_a_script_of_the_original_runs_unmodified(script, server, tmp_path):
    _run(script, _project(tmp_path), server, tmp_path)


@pytest.mark.skipif(not (SAMPLES / "agents").is_dir(),
                    reason=f"the original's sample files are not checked out at {SAMPLES}")
def test_every_sample_file_of_the_original_loads_and_runs(server, tmp_path):
    _run(HERE / "original_samples_script.py", _project(tmp_path, SAMPLES), server, tmp_path)
