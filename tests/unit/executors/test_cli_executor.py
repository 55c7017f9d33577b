"""The CLI's --executor options and a scenario's [executor] table."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest
from typer.testing import CliRunner

from tinytroupe import fanout
from tinytroupe.agent import TinyPerson
from tinytroupe.cli.main import app
from tinytroupe.executors import LocalExecutor

SCENARIO = '[[agents]]\nfactory = { n = 3, describe = "bakers" }\n[[script]]\nrun = 1\n'


def _run(tmp_path, text, *args):
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "scenario.toml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return CliRunner().invoke(app, ["--model", "scripted", "--json", "run", str(path), "--out", str(tmp_path / "out"),
                                    *args], prog_name="tinytroupe")


def test_the_executor_table_fans_the_factory_out_and_gives_the_same_people(tmp_path, monkeypatch):
    seen = []
    real_map = LocalExecutor.map

    async def spy(self, task, payloads, shared=None):
        seen.append((self.workers, task, len(payloads)))
        return await real_map(self, task, payloads, shared)

    plain = json.loads(_run(tmp_path / "a", SCENARIO).stdout)
    TinyPerson.clear_agents()  # the same names are free again
    monkeypatch.setattr(LocalExecutor, "map", spy)
    result = _run(tmp_path / "b", SCENARIO + '[executor]\nkind = "local"\nworkers = 2\n')
    assert result.exit_code == 0, result.output
    assert seen and seen[0] == (2, "tinytroupe.factory.shards:draft_shard", 2)
    assert json.loads(result.stdout)["agents"] == plain["agents"]
    assert fanout.current_executor() is None  # nothing left behind after the command


def test_a_bad_executor_table_names_the_file_and_key(tmp_path):
    result = _run(tmp_path, SCENARIO + '[executor]\nkind = "dask"\n')
    assert result.exit_code != 0
    assert "executor.kind" in result.stderr and "use one of: local, ray" in result.stderr
    result = _run(tmp_path, SCENARIO + '[executor]\nworkerz = 2\n')
    assert "executor.workerz" in result.stderr and "unknown key" in result.stderr


def test_executor_ray_without_ray_names_the_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    result = _run(tmp_path, SCENARIO, "--executor", "ray")
    assert result.exit_code != 0
    assert 'pip install -e ".[ray]"' in result.stderr


@pytest.mark.parametrize("option", ["--workers", "--address"])
def test_the_options_are_offered(option):
    result = CliRunner().invoke(app, ["run", "--help"], prog_name="tinytroupe", env={"COLUMNS": "200"})
    assert option in result.stdout and "--executor" in result.stdout
