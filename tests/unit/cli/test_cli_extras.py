"""Shipped scenarios and examples without the optional extras: each runs, or stops at once with
one line naming the ``pip install`` (exit code 2), before any model call."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tinytroupe.cli.extras import EXTRAS, check_scenario_extras, install_command
from tinytroupe.cli.scenario import load_scenario
from tinytroupe.llm import ScriptedModel

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
BLOCKED = sorted({m for modules in EXTRAS.values() for m in modules} - {"llama_cpp"})


@pytest.fixture
def no_extras(monkeypatch):
    """Every optional library (but the embedded model's) cannot be imported, as after the quick start."""
    for name in BLOCKED:
        monkeypatch.setitem(sys.modules, name, None)


def test_the_ab_test_scenario_names_its_install_at_check_time(cli, no_extras, tmp_path):
    path = EXAMPLES / "scenarios" / "ad_ab_test.toml"
    for args in (["run", str(path), "--check"], ["--model", "scripted", "run", str(path), "--out", "ab"]):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "ad_ab_test.toml" in lines[0] and 'pip install -e ".[analysis]"' in lines[0]
        assert "scipy" in lines[0]
    assert not (tmp_path / "ab").exists()  # stopped before making anyone


def test_with_the_extras_installed_the_check_passes():
    pytest.importorskip("scipy")
    check_scenario_extras(load_scenario(EXAMPLES / "scenarios" / "ad_ab_test.toml"))


@pytest.mark.parametrize("path", sorted((EXAMPLES / "scenarios").glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_runs_or_names_its_extra(cli, no_extras, path):
    checked = cli("run", str(path), "--check")
    if checked.exit_code == 2:
        assert install_command("analysis") in checked.stderr or 'pip install -e ".[' in checked.stderr
        return
    assert checked.exit_code == 0, checked.output
    ran = cli("--model", "scripted", "-q", "run", str(path), "--out", "out", "--max-steps", "1")
    assert ran.exit_code == 0, ran.output


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"example_noextras_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.stem)
def test_every_example_runs_or_stops_at_once_naming_its_extra(path, no_extras, capsys):
    from tinytroupe.cli.models import scripted_responder

    model = ScriptedModel(responder=scripted_responder(seed=1))
    try:
        result = _load(path).main(steps=1, model=model)
    except SystemExit as stop:
        err = capsys.readouterr().err.strip().splitlines()
        assert stop.code == 2 and len(err) == 1 and 'pip install -e ".[' in err[0], err
        assert model.calls == 0  # said before any model call
        return
    assert result
