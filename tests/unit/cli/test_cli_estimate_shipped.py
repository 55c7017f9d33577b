"""``--estimate`` on every shipped scenario: no request, the real run's call count, its prompt tokens within 10%."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from tinytroupe.estimate import _sized_text
from tinytroupe.llm.providers.schema_sample import sample_from_schema
from tinytroupe.llm.providers.scripted_replies import act_reply
from tinytroupe.llm.purposes import AGENT_TURN, REPLY_TOKENS
from tinytroupe.testing import LoopbackServer
from tinytroupe.testing.loopback_server import schema_of_request


def reply(body):
    """A provider whose agents talk about as long as the estimate assumes; other schemas are sampled."""
    digest = hashlib.sha256(json.dumps(body["messages"]).encode()).hexdigest()
    schema = schema_of_request(body) or {}
    name = ((body.get("response_format") or {}).get("json_schema") or {}).get("name", "")
    if name == "TurnModel":
        try:
            targets = [t for t in schema["properties"]["actions"]["items"]["properties"]["target"]["enum"] if t]
        except (KeyError, TypeError):
            targets = []
        talk = _sized_text(REPLY_TOKENS[AGENT_TURN] - 60, digest)
        return json.dumps(act_reply(("TALK", talk, targets[0] if targets else "")))
    if name == "JudgeVerdict":
        return json.dumps({"score": 9, "feedback": "fine"})
    if not schema:
        return "A short answer."
    return json.dumps(sample_from_schema(schema, random.Random(digest)))

SCENARIOS = sorted((Path(__file__).resolve().parents[3] / "examples" / "scenarios").glob("*.toml"))


def _fresh():
    from tinytroupe import control
    from tinytroupe.agent import TinyPerson
    from tinytroupe.environment import TinyWorld

    control.reset()
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_estimate_matches_the_real_run_of_each_shipped_scenario(cli, scenario, tmp_path):
    with LoopbackServer(responder=reply) as server:
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "k", "TINYTROUPE_MODEL": "gpt-4.1-mini"}
        _fresh()
        estimate = cli("--json", "run", str(scenario), "--estimate", "--out", str(tmp_path / "e"), env=env)
        assert estimate.exit_code == 0, estimate.stderr
        assert server.request_count == 0
        found = json.loads(estimate.stdout)
        _fresh()
        real = cli("--json", "run", str(scenario), "--out", str(tmp_path / "r"), env=env)
        assert real.exit_code == 0, real.stderr
        calls, tokens = server.request_count, server.prompt_tokens
    assert found["calls"] == calls
    assert abs(found["input_tokens"] - tokens) <= 0.10 * tokens, (found["input_tokens"], tokens)
    assert not (tmp_path / "e").exists()  # the estimate wrote no outputs
