"""The pytest plugin registers the original suite's markers, so --strict-markers accepts them."""

import os
import subprocess
import sys
from pathlib import Path

import tinytroupe

ROOT = Path(tinytroupe.__file__).resolve().parents[1]

MARKED = '''
import pytest

@pytest.mark.core
@pytest.mark.slow
@pytest.mark.examples
@pytest.mark.gpt41mini
def test_marked():
    assert True
'''


def _run(project: Path, *plugin: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--strict-markers",
                           *plugin, str(project)], capture_output=True, text=True, env=env, cwd=project, timeout=120)


def test_the_originals_markers_are_registered(tmp_path):
    (tmp_path / "test_marked.py").write_text(MARKED)
    with_plugin = _run(tmp_path, "-p", "tinytroupe.testing.pytest_plugin")
    assert with_plugin.returncode == 0, with_plugin.stdout + with_plugin.stderr
    without = _run(tmp_path)
    assert without.returncode != 0 and "not found in `markers`" in without.stdout + without.stderr
