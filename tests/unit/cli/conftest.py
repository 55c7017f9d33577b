"""Fixtures for CLI tests: invoke the app in-process, write scenario files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tinytroupe.cli.main import app


@pytest.fixture
def cli(monkeypatch):
    """``cli("--model", "scripted", "demo", input=None)`` -> typer Result (stdout and stderr apart)."""
    from tinytroupe.config import config_manager

    # --config points the process-wide settings at a file; forget that after the test
    monkeypatch.setattr(config_manager, "_ini_path", config_manager._ini_path)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict | None = None):
        return runner.invoke(app, list(args), input=input, env=env, prog_name="tinytroupe")

    return invoke


@pytest.fixture
def write_scenario(tmp_path):
    """Write a scenario file (dedented) under the test's folder and return its path."""

    def write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write
