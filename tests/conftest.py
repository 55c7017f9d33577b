"""Shared fixtures: every test runs hermetic (own user dir, fresh config, no real provider)."""

from __future__ import annotations

import os

import pytest

for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_KEY", "AZURE_OPENAI_ENDPOINT"):
    os.environ.pop(_var, None)
for _var in [v for v in os.environ if v.startswith("TINYTROUPE_")]:
    os.environ.pop(_var, None)


@pytest.fixture(autouse=True)
def _hermetic(tmp_path, monkeypatch):
    """A private user dir and working directory, default config, no default model."""
    from tinytroupe import llm
    from tinytroupe.config import config_manager

    monkeypatch.setenv("TINYTROUPE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TINYTROUPE_DISPLAY", "off")
    # no test loads the embedded model for embeddings unless it asks (config_manager.update wins)
    monkeypatch.setenv("TINYTROUPE_EMBEDDING_MODEL", "lexical")
    monkeypatch.chdir(tmp_path)
    from tinytroupe.llm import budget
    from tinytroupe.llm.structured import forget_endpoint_modes

    config_manager.reset()
    llm.reset_default_model()
    forget_endpoint_modes()
    budget.reset()
    _clear_simulation_objects()
    yield
    _clear_simulation_objects()
    config_manager.reset()
    llm.reset_default_model()


def _clear_simulation_objects():
    from tinytroupe import control
    from tinytroupe.agent import TinyPerson
    from tinytroupe.environment import TinyWorld
    from tinytroupe.factory.tiny_factory import TinyFactory

    control.reset()
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    TinyFactory.clear_factories()


@pytest.fixture
def scripted():
    """A ScriptedModel installed as the process-wide default (wrapped like a real provider)."""
    from tinytroupe import llm

    model = llm.ScriptedModel()
    llm.set_default_model(model)
    return model
