"""``tinytroupe run`` cost control: --estimate, budgets that stop at a step boundary, --resume, the bill."""

from __future__ import annotations

import hashlib
import json

from tinytroupe.cli.run import EXIT_BUDGET
from tinytroupe.llm.providers.scripted_replies import act_reply
from tinytroupe.testing import LoopbackServer as _Server
from tinytroupe.testing.loopback_server import schema_of_request


def _reply(body):
    """A deterministic provider: the same request always gets the same reply."""
    schema = schema_of_request(body) or {}
    try:
        targets = [t for t in schema["properties"]["actions"]["items"]["properties"]["target"]["enum"] if t]
    except (KeyError, TypeError):
        targets = []
    digest = hashlib.sha256(json.dumps(body["messages"]).encode()).hexdigest()[:12]
    return json.dumps(act_reply(("TALK", f"my view, {digest}", targets[0] if targets else "")))


def LoopbackServer(**kwargs):  # noqa: N802
    return _Server(responder=_reply, **kwargs)

ROOM = """
title = "Budget room"
[model]
seed = 5
[[agents]]
example = "lisa"
[[agents]]
example = "oscar"
[[agents]]
example = "marcos"
[world]
name = "Room"
[[script]]
broadcast = "Would you pay for a refill subscription?"
[[script]]
run = 3
[outputs]
dir = "{dir}"
"""


def _fresh():
    """Forget the agents and worlds of an earlier in-process run (a new process would have none)."""
    from tinytroupe import control
    from tinytroupe.agent import TinyPerson
    from tinytroupe.environment import TinyWorld

    control.reset()
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()


def _env(server):
    _fresh()
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "k", "TINYTROUPE_MODEL": "gpt-4.1-mini"}


def _state(folder):
    return json.loads((folder / "state.json").read_text())["world"]


def test_estimate_makes_no_request_and_counts_the_calls_of_the_run(cli, write_scenario, tmp_path):
    path = write_scenario(ROOM.format(dir="real"))
    with LoopbackServer() as server:
        estimate = cli("--json", "run", str(path), "--estimate", env=_env(server))
        assert estimate.exit_code == 0, estimate.stderr
        assert server.request_count == 0
        found = json.loads(estimate.stdout)
        real = cli("--json", "run", str(path), env=_env(server))
        assert real.exit_code == 0, real.stderr
        calls = server.request_count
    assert found["calls"] == calls == 9 and found["model"] == "gpt-4.1-mini" and found["cost"] > 0
    assert not (tmp_path / "real" / "state.json").exists() or real  # the estimate wrote nothing there
    text = cli("run", str(path), "--estimate", env={"TINYTROUPE_MODEL": "gpt-4.1-mini", "OPENAI_BASE_URL":
                                                    "http://127.0.0.1:9/v1"})
    assert text.exit_code == 0 and "about 9 calls" in text.stdout and "$" in text.stdout


def test_a_budget_stops_at_a_step_boundary_and_resume_finishes_without_repeating_calls(cli, write_scenario,
                                                                                        tmp_path):
    with LoopbackServer() as server:
        whole = cli("run", str(write_scenario(ROOM.format(dir="whole"), "whole.toml")), env=_env(server))
        assert whole.exit_code == 0, whole.stderr
        unbudgeted = server.request_count
        one = cli("run", str(write_scenario(ROOM.format(dir="one"), "one.toml")), "--max-steps", "1",
                  env=_env(server))
        assert one.exit_code == 0
        server.reset_stats()
        path = write_scenario(ROOM.format(dir="budget"), "budget.toml")
        stopped = cli("run", str(path), "--max-calls", "4", env=_env(server))
        assert stopped.exit_code == EXIT_BUDGET, stopped.stdout + stopped.stderr
        assert "MAX_CALLS_PER_RUN" in stopped.stderr and "--resume --max-calls" in stopped.stdout
        assert server.request_count == 3  # step 1 (3 calls); step 2 would have gone over
        assert _state(tmp_path / "budget") == _state(tmp_path / "one")  # saved as it was after that step
        resumed = cli("run", str(path), "--resume", "--max-calls", "20", env=_env(server))
        assert resumed.exit_code == 0, resumed.stderr
        assert server.request_count == unbudgeted  # no call was made twice
    assert _state(tmp_path / "budget") == _state(tmp_path / "whole")


def test_the_bill_is_in_the_summary_and_the_json(cli, write_scenario, tmp_path):
    path = write_scenario(ROOM.format(dir="bill"))
    with LoopbackServer() as server:
        result = cli("--json", "run", str(path), env=_env(server))
        assert result.exit_code == 0, result.stderr
        requests = server.request_count
    usage = json.loads(result.stdout)["usage"]
    turns = usage["by_purpose"]["agent_turn"]
    assert turns["calls"] == requests == 9 and usage["by_model"]["gpt-4.1-mini"]["calls"] == 9
    summary = (tmp_path / "bill" / "summary.md").read_text()
    assert "agent turns" in summary and "| model gpt-4.1-mini |" in summary


def test_a_scenarios_model_table_sets_the_budget(cli, write_scenario, tmp_path):
    text = ROOM.format(dir="own").replace("seed = 5", "seed = 5\nmax_calls_per_run = 4")
    path = write_scenario(text, "own.toml")
    with LoopbackServer() as server:
        stopped = cli("run", str(path), env=_env(server))
        assert stopped.exit_code == EXIT_BUDGET and server.request_count == 3
        assert "MAX_CALLS_PER_RUN" in stopped.stderr
    bad = write_scenario(ROOM.format(dir="bad").replace("seed = 5", "seed = 5\nmax_calls_per_run = -1"), "bad.toml")
    assert cli("run", str(bad), "--check").exit_code == 2
