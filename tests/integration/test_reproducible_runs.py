"""Reproducible by default: the same unseeded script, run twice in separate processes against a
deterministic OpenAI-compatible server with the call cache on, makes every request once."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
from pathlib import Path

from tinytroupe.testing.loopback_server import LoopbackServer, schema_of_request
from tinytroupe.testing.schema_sample import sample_from_schema

NAMES = ["Ana", "Ben", "Caro", "Dev", "Eli", "Fay", "Gus", "Hana"]

FOCUS_GROUP = """
import json, sys
from pathlib import Path
from tinytroupe import openai_utils
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld

config_manager.update_multiple({"api_type": "openai", "api_key": "sk-test", "base_url": sys.argv[1],
                                "model": "loop", "timeout": 20})
openai_utils.force_api_cache(True, "calls.sqlite")
people = [TinyPerson(name) for name in NAMES]
world = TinyWorld("Focus group", people)          # no seed, no control.begin()
world.make_everyone_accessible()
world.broadcast("What do you think of the new bus line?")
world.run(3)
out = Path(sys.argv[2])
world.save_transcript(str(out / "transcript.jsonl"))
(out / "state.json").write_text(json.dumps(world.encode_complete_state(), sort_keys=True))
"""

FACTORY = """
import json, sys
from pathlib import Path
from tinytroupe import openai_utils
from tinytroupe.config import config_manager
from tinytroupe.factory import TinyPersonFactory

config_manager.update_multiple({"api_type": "openai", "api_key": "sk-test", "base_url": sys.argv[1],
                                "model": "loop", "timeout": 20})
openai_utils.force_api_cache(True, "calls.sqlite")
factory = TinyPersonFactory(context="Regular visitors of a small town library")   # no seed
people = factory.generate_people(5)
out = Path(sys.argv[2])
(out / "state.json").write_text(json.dumps([p.encode_complete_state() for p in people], sort_keys=True))
"""


def _respond(body: dict) -> str:
    """A deterministic server: the reply depends only on the request."""
    digest = hashlib.sha256(json.dumps(body["messages"], sort_keys=True).encode()).hexdigest()
    schema = schema_of_request(body) or {}
    if "actions" in schema.get("properties", {}):
        item = schema["properties"]["actions"]["items"]["properties"]
        targets = [t for t in item["target"]["enum"] if t]
        target = targets[int(digest[:6], 16) % len(targets)] if targets else ""
        return json.dumps({"actions": [{"type": "TALK", "content": f"I think {digest[:10]}.", "target": target}],
                           "cognitive_state": {"goals": "", "context": "", "attention": "", "emotions": ""}})
    return json.dumps(sample_from_schema(schema, random.Random(int(digest[:12], 16))))


def _run(script: str, server: LoopbackServer, workdir: Path, out: Path) -> None:
    out.mkdir(parents=True)
    program = f"NAMES = {NAMES!r}\n" + script
    subprocess.run([sys.executable, "-c", program, server.base_url, str(out)], cwd=workdir, check=True,
                   capture_output=True, text=True, timeout=240)


def _transcript(path: Path) -> list[dict]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [{k: v for k, v in e.items() if k not in ("seq", "wall_time")} for e in lines]


def test_unseeded_cached_focus_group_rerun_makes_no_request(tmp_path):
    with LoopbackServer(responder=_respond) as server:
        _run(FOCUS_GROUP, server, tmp_path, tmp_path / "first")
        first_requests = server.request_count
        _run(FOCUS_GROUP, server, tmp_path, tmp_path / "second")
        assert first_requests == 8 * 3
        assert server.request_count == first_requests  # the second process: 0 requests
    first, second = tmp_path / "first", tmp_path / "second"
    assert _transcript(first / "transcript.jsonl") == _transcript(second / "transcript.jsonl")
    assert (first / "state.json").read_text() == (second / "state.json").read_text()
    assert len(_transcript(first / "transcript.jsonl")) > 8 * 3


def test_unseeded_cached_factory_rerun_makes_no_request(tmp_path):
    with LoopbackServer(responder=_respond) as server:
        _run(FACTORY, server, tmp_path, tmp_path / "first")
        first_requests = server.request_count
        _run(FACTORY, server, tmp_path, tmp_path / "second")
        assert first_requests >= 5
        assert server.request_count == first_requests
    assert (tmp_path / "first" / "state.json").read_text() == (tmp_path / "second" / "state.json").read_text()
    assert len(json.loads((tmp_path / "first" / "state.json").read_text())) == 5
