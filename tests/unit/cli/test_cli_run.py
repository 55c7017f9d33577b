"""``tinytroupe run`` and ``tinytroupe demo`` with the offline scripted model."""

from __future__ import annotations

import json

from tinytroupe import events
from tinytroupe.agent import TinyPerson
from tinytroupe.cli.main import EXIT_USAGE
from tinytroupe.cli.output import Output
from tinytroupe.cli.runner import ScenarioRun
from tinytroupe.cli.scenario import load_scenario
from tinytroupe.environment import TinyWorld

PANEL = """
title = "Panel"
description = "Two people and a question."
[model]
seed = 9
[[agents]]
example = "lisa"
[[agents]]
example = "oscar"
fragments = ["night_owl"]
[world]
name = "Room"
start = 2025-02-03T10:00:00
minutes_per_step = 30
[[script]]
broadcast = "What do you think of trains?"
[[script]]
stimulus = { to = "Oscar", type = "thought", content = "I am tired tonight." }
[[script]]
run = 2
[outputs]
dir = "results"
summary = "panel.md"
"""


def test_run_writes_transcript_state_and_summary_next_to_the_scenario(cli, write_scenario, tmp_path):
    path = write_scenario(PANEL)
    result = cli("--model", "scripted", "run", str(path))
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "results"
    lines = [json.loads(line) for line in (out / "transcript.jsonl").read_text().splitlines()]
    kinds = [e["kind"] for e in lines]
    assert kinds.count("world.step") == 2
    talks = [e for e in lines if e["kind"] == "agent.action" and e["data"]["type"] == "TALK"]
    assert {e["data"]["agent"] for e in talks} == {"Lisa", "Oscar"}
    thought = [e for e in lines if e["kind"] == "agent.stimulus" and e["data"]["type"] == "THOUGHT"]
    assert thought and thought[0]["data"]["agent"] == "Oscar"  # the direct stimulus is in the transcript
    saved = json.loads((out / "state.json").read_text())
    assert saved["format"] == "tinytroupe.world"
    state = saved["world"]
    assert state["simulation_step"] == 2 and state["current_datetime"]
    assert "night" in json.dumps(state).lower()  # the fragment was merged into Oscar's persona
    summary = (out / "panel.md").read_text()
    assert summary.startswith("# Panel") and "### Step 2" in summary and "**Lisa**" in summary
    assert "Who said what" in result.stdout and "Lisa" in result.stdout
    assert "results/transcript.jsonl" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes


def test_run_json_prints_one_document_with_the_report(cli, write_scenario):
    result = cli("--model", "scripted", "--json", "run", str(write_scenario(PANEL)), "--out", "elsewhere")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["steps_run"] == 2 and report["agents"] == ["Lisa", "Oscar"] and report["seed"] == 9
    assert report["outputs"]["transcript"] == "elsewhere/transcript.jsonl"
    assert report["usage"]["calls"] == 4 and not report["interrupted"]
    assert [u["agent"] for u in report["utterances"] if u["step"] == 1] != []


def test_quiet_prints_only_where_the_files_are(cli, write_scenario):
    result = cli("--model", "scripted", "--quiet", "run", str(write_scenario(PANEL)))
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["Transcript", "Final", "Summary",
                                                                        "Checkpoint"]


def test_max_steps_and_seed_option(cli, write_scenario):
    result = cli("--model", "scripted", "--seed", "77", "--json", "run", str(write_scenario(PANEL)),
                 "--max-steps", "1")
    report = json.loads(result.stdout)
    assert report["steps_run"] == 1 and report["total_steps"] == 1 and report["seed"] == 77


def test_a_bad_scenario_exits_2_with_one_line(cli, write_scenario):
    path = write_scenario('[[agents]]\nexample = "lisa"\n[world]\nkind = "hexagon"\n[[script]]\nrun = 1\n')
    result = cli("--model", "scripted", "run", str(path))
    assert result.exit_code == EXIT_USAGE
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert str(path) in lines[0] and "line 4" in lines[0] and "world.kind" in lines[0]
    assert "plain, social_network" in lines[0]


def test_unknown_agent_names_are_bad_input(cli, write_scenario):
    path = write_scenario('[[agents]]\nexample = "lisa"\n[[script]]\n'
                          'stimulus = { to = "Zed", content = "hi" }\n[[script]]\nrun = 1\n')
    result = cli("--model", "scripted", "run", str(path))
    assert result.exit_code == EXIT_USAGE
    assert "no agent named 'Zed'" in result.stderr and "line 4" in result.stderr


def test_unknown_example_agent_is_bad_input(cli, write_scenario):
    result = cli("--model", "scripted", "run", str(write_scenario('[[agents]]\nexample = "zoe"\n[[script]]\nrun = 1\n')))
    assert result.exit_code == EXIT_USAGE and "no example agent named 'zoe'" in result.stderr


def test_social_network_relations_come_from_the_file(cli, write_scenario, tmp_path):
    path = write_scenario("""
        [[agents]]
        example = "lisa"
        [[agents]]
        example = "oscar"
        [[agents]]
        example = "marcos"
        [world]
        kind = "social_network"
        [[world.relations]]
        name = "colleagues"
        agents = ["Lisa", "Marcos"]
        [[script]]
        run = 1
        """)
    assert cli("--model", "scripted", "run", str(path)).exit_code == 0
    state = json.loads((tmp_path / "out" / "scenario" / "state.json").read_text())["world"]
    assert state["relations"] == {"colleagues": [["Lisa", "Marcos"]]}


def test_check_only_validates(cli, write_scenario, tmp_path):
    result = cli("run", str(write_scenario(PANEL)), "--check")
    assert result.exit_code == 0 and "OK" in result.stdout
    assert not (tmp_path / "results").exists()


def test_a_stop_request_ends_the_run_after_the_current_step_and_saves(scripted, write_scenario, tmp_path):
    from tinytroupe.cli.models import scripted_responder

    scripted.responder = scripted_responder()
    scenario = load_scenario(write_scenario(PANEL.replace("run = 2", "run = 5")))
    run = ScenarioRun(scenario, Output(quiet=True))
    unsubscribe = events.subscribe(lambda e: run.stop.request() if e.data.get("step") == 2 else None,
                                   ("world.step",))
    try:
        report = run.execute()
    finally:
        unsubscribe()
    assert report.interrupted and report.steps_run == 2 and report.total_steps == 5
    assert TinyWorld.load(tmp_path / "results" / "state.json").simulation_step == 2
    assert "interrupted after 2 of 5" in (tmp_path / "results" / "panel.md").read_text()


def test_resume_replays_the_checkpoint_without_model_calls(cli, write_scenario, tmp_path):
    path = write_scenario(PANEL)
    first = json.loads(cli("--model", "scripted", "--json", "run", str(path), "--max-steps", "1").stdout)
    assert first["steps_run"] == 1 and first["replayed_operations"] == 0
    assert (tmp_path / "results" / "checkpoint.json").is_file()
    TinyPerson.clear_agents()  # as in a new process: the same names again
    TinyWorld.clear_environments()
    second = json.loads(cli("--model", "scripted", "--json", "run", str(path), "--resume").stdout)
    assert second["steps_run"] == 2 and second["replayed_operations"] >= 2
    assert second["usage"]["calls"] == 2  # only step 2 asked the model
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    fresh = json.loads(cli("--model", "scripted", "--json", "run", str(path)).stdout)
    assert fresh["replayed_operations"] == 0 and fresh["usage"]["calls"] == 4


def test_who_said_what_shows_the_last_rows_of_long_runs():
    from rich.console import Console

    from tinytroupe.cli.summary import Utterance, who_said_what

    said = [Utterance(step=i, agent="Lisa", type="TALK", content=f"line {i}") for i in range(1, 101)]
    console = Console(width=100, record=True)
    console.print(who_said_what(said, max_rows=10))
    text = console.export_text()
    assert "90 earlier lines" in text and "line 100" in text and "line 90 " not in text


def test_a_failure_mid_run_saves_the_steps_that_ran(cli, write_scenario, tmp_path):
    from tinytroupe import llm
    from tinytroupe.errors import AuthenticationError

    calls = {"n": 0}

    def responder(request):
        from tinytroupe.cli.models import scripted_responder

        calls["n"] += 1
        if calls["n"] > 2:  # the key is revoked during step 2
            raise AuthenticationError("the key was revoked", status=401)
        return scripted_responder()(request)

    llm.set_default_model(llm.ScriptedModel(responder=responder))
    result = cli("run", str(write_scenario(PANEL)))
    assert result.exit_code == 1
    assert "error: the key was revoked" in result.stderr and "Saved what ran (1 of 2 steps)" in result.stderr
    assert TinyWorld.load(tmp_path / "results" / "state.json").simulation_step >= 1
    assert (tmp_path / "results" / "checkpoint.json").is_file()


def test_a_factory_that_gets_no_persona_is_a_failure_not_bad_input(cli, write_scenario):
    from tinytroupe import llm
    from tinytroupe.cli.models import scripted_responder
    from tinytroupe.errors import BadRequestError

    answer = scripted_responder()

    def responder(request):
        if request.response_format.name == "GeneratedPersona":
            raise BadRequestError("refused")
        return answer(request)

    llm.set_default_model(llm.ScriptedModel(responder=responder))
    result = cli("run", str(write_scenario('[[agents]]\nfactory = { n = 2, describe = "x" }\n[[script]]\nrun = 1\n')))
    assert result.exit_code == 1
    assert "agents[1]" in result.stderr and "no usable persona" in result.stderr
    assert "tiny demo model" not in result.stderr  # the model in use is described, not the configuration


def test_usage_counts_the_factory_calls_too(cli, write_scenario):
    path = write_scenario('[[agents]]\nfactory = { n = 3, describe = "bakers" }\n[[script]]\nrun = 1\n')
    report = json.loads(cli("--model", "scripted", "--json", "run", str(path)).stdout)
    assert len(report["agents"]) == 3
    assert report["usage"]["calls"] >= 3 + 3  # three personas (plus a plan), then three turns
