"""Scenario outputs stay inside their folder; bad output settings and example names are scenario errors."""

from __future__ import annotations

import pytest

from tinytroupe.cli.main import EXIT_USAGE
from tinytroupe.cli.scenario import ScenarioError, load_scenario

HEAD = '[[agents]]\nexample = "lisa"\n[[script]]\nrun = 1\n[outputs]\ndir = "results"\n'


@pytest.mark.parametrize("key,value,problem", [
    ("summary", "/tmp/elsewhere.md", "absolute path"),
    ("state", "../../../x.json", "leaves the output folder"),
    ("transcript", "logs/../../t.jsonl", "leaves the output folder"),
    ("checkpoint", "~/ck.json", "absolute path"),
    ("summary", "a//b.md", "not a plain file name"),
    ("state", "sub\\\\..\\\\..\\\\x.json", "leaves the output folder"),
])
def test_output_names_that_escape_the_folder_are_refused(write_scenario, key, value, problem):
    path = write_scenario(HEAD + f'{key} = "{value}"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    msg = str(err.value)
    assert f"{path}, line 7: outputs.{key}" in msg and problem in msg and "inside" in msg


def test_relative_paths_inside_the_folder_are_fine(write_scenario, tmp_path):
    s = load_scenario(write_scenario(HEAD + 'summary = "reports/panel.md"\nstate = "./s.json"\n'))
    paths = s.outputs.paths()
    assert paths["summary"] == tmp_path / "results" / "reports" / "panel.md"
    assert all(p.resolve().is_relative_to((tmp_path / "results").resolve()) for p in paths.values())


def test_two_outputs_with_one_name_are_refused(write_scenario):
    with pytest.raises(ScenarioError, match="line 8: outputs.checkpoint: the checkpoint would overwrite the state"):
        load_scenario(write_scenario(HEAD + 'state = "run_state.json"\ncheckpoint = "run_state.json"\n'))


def test_check_and_run_refuse_an_escaping_name_and_write_nothing(cli, write_scenario, tmp_path):
    victim = tmp_path / "precious.md"
    victim.write_text("keep me")
    path = write_scenario(HEAD + f'summary = "{victim}"\ncheckpoint = "../precious.md"\n')
    for args in (("run", str(path), "--check"), ("--model", "scripted", "run", str(path))):
        result = cli(*args)
        assert result.exit_code == EXIT_USAGE, result.output
        assert str(path) in result.stderr and "outputs.summary" in result.stderr
    assert victim.read_text() == "keep me" and not (tmp_path / "results").exists()


def test_an_output_dir_that_is_a_file_is_a_scenario_error(cli, write_scenario, tmp_path):
    (tmp_path / "results").write_text("not a folder")
    path = write_scenario(HEAD)
    result = cli("run", str(path), "--check")
    assert result.exit_code == EXIT_USAGE
    assert f"{path}, line 6: outputs.dir" in result.stderr and "is a file" in result.stderr
    assert (tmp_path / "results").read_text() == "not a folder"


def test_out_option_naming_a_file_is_bad_usage(cli, write_scenario, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    result = cli("--model", "scripted", "run", str(write_scenario(HEAD)), "--out", str(tmp_path / "file.txt"))
    assert result.exit_code == EXIT_USAGE and "is a file" in result.stderr


def test_a_misspelt_example_names_file_line_and_suggests(cli, write_scenario):
    path = write_scenario('title = "x"\n[[agents]]\nexample = "lissa"\n[[script]]\nrun = 1\n')
    result = cli("run", str(path), "--check")
    assert result.exit_code == EXIT_USAGE
    assert f"{path}, line 3: agents[1].example" in result.stderr and "did you mean 'lisa'?" in result.stderr


def test_model_values_use_the_settings_declared_ranges(write_scenario):
    with pytest.raises(ScenarioError, match=r"line 2: model.temperature: 99.*from 0 to 2"):
        load_scenario(write_scenario('[model]\ntemperature = 99\n' + HEAD))


def test_a_crowd_that_broadcasts_untargeted_answers_gets_a_note(cli, write_scenario):
    crowd = '[[agents]]\nfactory = { n = 60, describe = "commuters" }\n[[script]]\nrun = 1\n'
    result = cli("run", str(write_scenario(crowd)), "--check")
    assert result.exit_code == 0 and "broadcast_if_no_target = false" in result.stderr and "3,540" in result.stderr
    quiet = cli("run", str(write_scenario(crowd + "[world]\nbroadcast_if_no_target = false\n")), "--check")
    assert quiet.exit_code == 0 and "broadcast_if_no_target" not in quiet.stderr
    assert load_scenario(write_scenario(crowd + "[world]\nbroadcast_if_no_target = false\n")) \
        .world.broadcast_if_no_target is False


def test_broadcast_if_no_target_must_be_a_boolean(write_scenario):
    with pytest.raises(ScenarioError, match="line 6: world.broadcast_if_no_target: expected true or false"):
        load_scenario(write_scenario(HEAD.replace("[outputs]", "[world]\nbroadcast_if_no_target = 0\n[outputs]")))


def test_broadcast_if_no_target_reaches_the_world(cli, write_scenario, tmp_path):
    import json

    path = write_scenario('[[agents]]\nexample = "lisa"\n[[agents]]\nexample = "oscar"\n[world]\n'
                          'broadcast_if_no_target = false\n[[script]]\nrun = 1\n')
    assert cli("--model", "scripted", "run", str(path)).exit_code == 0
    state = json.loads((tmp_path / "out" / "scenario" / "state.json").read_text())["world"]
    assert state["broadcast_if_no_target"] is False


def test_an_output_named_like_a_file_the_run_writes_itself_is_refused(write_scenario):
    with pytest.raises(ScenarioError, match="line 7: outputs.state: the state would overwrite the run manifest"):
        load_scenario(write_scenario(HEAD + 'state = "run.json"\n'))
