"""A resumed run's transcript and summary are the whole run's: replayed steps come back from the checkpoint."""

from __future__ import annotations

import json

from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld

SCENARIO = """
title = "Panel"
[model]
seed = 9
[[agents]]
example = "lisa"
[[agents]]
example = "oscar"
[world]
name = "Room"
start = 2025-02-03T10:00:00
minutes_per_step = 30
[[script]]
broadcast = "What do you think of trains?"
[[script]]
stimulus = { to = "Oscar", type = "thought", content = "I am tired tonight." }
[[script]]
run = 3
[outputs]
dir = "{out}"
"""


def _new_process():
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()


def _events(path):
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [(e["kind"], e["source"], e["data"], e["sim_time"], e["world_id"]) for e in lines]


def test_resumed_run_has_the_uninterrupted_runs_transcript_and_counts_the_whole_run(cli, write_scenario, tmp_path):
    whole = write_scenario(SCENARIO.replace("{out}", "whole"), "whole.toml")
    resumed = write_scenario(SCENARIO.replace("{out}", "resumed"), "resumed.toml")
    full = json.loads(cli("--model", "scripted", "--json", "run", str(whole)).stdout)
    _new_process()
    first = json.loads(cli("--model", "scripted", "--json", "run", str(resumed), "--max-steps", "1").stdout)
    assert first["steps_run"] == 1
    _new_process()
    second = json.loads(cli("--model", "scripted", "--json", "run", str(resumed), "--resume").stdout)
    assert second["steps_run"] == 3 and second["replayed_operations"] >= 3
    expected = _events(tmp_path / "whole" / "transcript.jsonl")
    got = _events(tmp_path / "resumed" / "transcript.jsonl")
    assert got == expected  # the same events, in order, none twice
    assert [e[0] for e in got].count("world.step") == 3
    assert second["usage"]["calls"] == 2 * 2  # steps 2 and 3 asked the model...
    assert second["replayed_usage"]["calls"] == 2  # ...step 1 was replayed...
    assert second["whole_run_calls"] == full["usage"]["calls"] == 6  # ...and the whole run is counted
    summary = (tmp_path / "resumed" / "summary.md").read_text(encoding="utf-8")
    assert "Replayed from the checkpoint" in summary and "whole run: 6 calls" in summary
    whole_summary = (tmp_path / "whole" / "summary.md").read_text(encoding="utf-8")
    conversation = whole_summary.split("## Conversation", 1)[1].split("## Files", 1)[0]
    assert conversation == summary.split("## Conversation", 1)[1].split("## Files", 1)[0]
    assert "### Step 1" in conversation


def test_resuming_a_run_whose_steps_were_all_recorded_keeps_the_whole_transcript(cli, write_scenario, tmp_path):
    path = write_scenario(SCENARIO.replace("{out}", "out"))
    cli("--model", "scripted", "--json", "run", str(path))
    expected = _events(tmp_path / "out" / "transcript.jsonl")
    _new_process()
    again = json.loads(cli("--model", "scripted", "--json", "run", str(path), "--resume").stdout)
    assert again["usage"]["calls"] == 0 and again["whole_run_calls"] == 6
    assert _events(tmp_path / "out" / "transcript.jsonl") == expected and len(expected) > 10
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "whole run: 6 calls" in summary and "## Model usage" in summary
    assert "| earlier runs | " in summary and "every step was replayed from the checkpoint" in summary


def test_a_resumed_transcript_numbers_its_events_as_the_whole_run_did(cli, write_scenario, tmp_path):
    whole = write_scenario(SCENARIO.replace("{out}", "whole"), "whole.toml")
    resumed = write_scenario(SCENARIO.replace("{out}", "resumed"), "resumed.toml")
    cli("--model", "scripted", "run", str(whole))
    _new_process()
    cli("--model", "scripted", "run", str(resumed), "--max-steps", "1")
    _new_process()
    cli("--model", "scripted", "run", str(resumed), "--resume")

    def lines(folder):
        return [{k: v for k, v in json.loads(line).items() if k != "wall_time"}
                for line in (tmp_path / folder / "transcript.jsonl").read_text(encoding="utf-8").splitlines()]

    got, expected = lines("resumed"), lines("whole")
    assert [e["seq"] for e in got] == list(range(1, len(got) + 1))
    assert [{k: v for k, v in e.items() if k not in ("world_id", "simulation_id")} for e in got] == \
        [{k: v for k, v in e.items() if k not in ("world_id", "simulation_id")} for e in expected]


def test_a_checkpoint_damaged_late_is_left_unchanged_and_not_offered_for_resume(cli, write_scenario, tmp_path):
    path = write_scenario(SCENARIO.replace("{out}", "late"), "late.toml")
    assert cli("--model", "scripted", "run", str(path), "--max-steps", "2").exit_code == 0
    checkpoint = tmp_path / "late" / "checkpoint.json"
    document = json.loads(checkpoint.read_text(encoding="utf-8"))
    records = list(document["records"].values())
    earlier = {h for record in records[:-1] for h in record["after"].values()}
    for state_hash in set(records[-1]["after"].values()) - earlier:
        document["blobs"][state_hash] = {"full": {"tampered": True}}
    checkpoint.write_text(json.dumps(document), encoding="utf-8")
    before = checkpoint.read_bytes()
    _new_process()
    result = cli("--model", "scripted", "run", str(path), "--resume")
    assert result.exit_code != 0
    assert checkpoint.read_bytes() == before
    said = result.stdout + result.stderr
    assert "does not match its hash" in said and "Saved what ran" in said
    assert "--resume carries on" not in said


def test_per_agent_budgets_hold_for_the_whole_run_across_a_resume(cli, write_scenario, tmp_path):
    from tinytroupe.cli.run import EXIT_BUDGET

    path = write_scenario(SCENARIO.replace("{out}", "agents"), "agents.toml")
    env = {"TINYTROUPE_MAX_CALLS_PER_AGENT": "2"}  # the whole run needs 3 calls per agent
    assert cli("--model", "scripted", "run", str(path), "--max-steps", "1", env=env).exit_code == 0
    _new_process()
    resumed = cli("--model", "scripted", "--json", "run", str(path), "--resume", env=env)
    assert resumed.exit_code == EXIT_BUDGET, resumed.stdout + resumed.stderr
    assert "MAX_CALLS_PER_AGENT" in resumed.stderr


def test_the_run_budget_counts_the_replayed_steps_calls(cli, write_scenario, tmp_path):
    from tinytroupe.cli.run import EXIT_BUDGET

    path = write_scenario(SCENARIO.replace("{out}", "run"), "run.toml")
    assert cli("--model", "scripted", "run", str(path), "--max-steps", "2").exit_code == 0  # 4 calls
    _new_process()
    resumed = cli("--model", "scripted", "run", str(path), "--resume", "--max-calls", "5")
    assert resumed.exit_code == EXIT_BUDGET and "MAX_CALLS_PER_RUN" in resumed.stderr
    _new_process()
    assert cli("--model", "scripted", "run", str(path), "--resume", "--max-calls", "6").exit_code == 0
