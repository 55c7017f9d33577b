"""The runtime and resolved settings: scoping, registries, parts, request defaults, config messages."""

from __future__ import annotations

import asyncio
import threading
import warnings

import pytest

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import ConfigWarning, config_manager
from tinytroupe.config.snapshot import RequestSettings, Settings
from tinytroupe.environment import TinyWorld
from tinytroupe.errors import ConfigError, StructuredOutputError
from tinytroupe.factory.tiny_factory import TinyFactory
from tinytroupe.llm import ChatRequest, ScriptedModel, budget, generate
from tinytroupe.llm.base import ModelCapabilities
from tinytroupe.llm.wrappers.defaults import RequestDefaults
from tinytroupe.runtime import Runtime, current_runtime


def test_inside_a_runtime_config_manager_answers_its_own_settings_first():
    config_manager.update("temperature", 0.5)
    with Runtime({"temperature": 0.8}) as rt:
        assert config_manager.get("temperature") == 0.8 and config_manager.source_of("temperature") == "runtime"
        assert rt.settings.request.temperature == 0.8 and current_runtime() is rt
    assert config_manager.get("temperature") == 0.5 and current_runtime().name == "default"
    assert current_runtime().settings.request.temperature == 0.5


def test_a_runtime_follows_updates_of_what_it_does_not_set_itself():
    rt = Runtime({"temperature": 0.8})
    config_manager.update("top_p", 0.5)
    assert rt.settings["top_p"] == 0.5 and rt.settings["temperature"] == 0.8
    frozen = Runtime(Settings.resolve({"temperature": 0.1}))
    config_manager.update("top_p", 0.9)
    assert frozen.settings["top_p"] == 0.5  # a Settings value is used as it is


def test_bad_runtime_settings_name_the_runtime_and_the_setting():
    with pytest.raises(ConfigError, match=r"Runtime 'x' settings: \[OpenAI\] TEMPERATURE = 7"):
        Runtime({"temperature": 7}, name="x")
    with pytest.raises(ConfigError, match="unknown setting 'temprature'"):
        Runtime({"temprature": 0.3})


def test_registries_belong_to_the_current_runtime_and_class_views_follow_it():
    TinyPerson("Outside")
    with Runtime(name="inner"):
        TinyPerson("Outside")  # the same name is free in another runtime
        TinyWorld("Room")
        TinyFactory(name="F")
        assert sorted(TinyPerson.all_agents) == ["Outside"] and list(TinyWorld.all_environments) == ["Room"]
        assert list(TinyFactory.all_factories) == ["F"]
    assert list(TinyPerson.all_agents) == ["Outside"] and not TinyWorld.all_environments
    assert not TinyFactory.all_factories


def test_run_state_belongs_to_each_runtime_even_when_two_run_at_once():
    from tinytroupe import contracts, control, events
    from tinytroupe.experimentation.judge import resolve_judge, set_default_judge
    from tinytroupe.utils.misc import fresh_id

    async def run(name: str) -> dict:
        with Runtime(name=name) as rt, events.collect() as seen:
            simulation = control.begin(id=name)
            judge = ScriptedModel(default=name)
            set_default_judge(judge)
            ids = [fresh_id("probe") for _ in range(3)]
            await asyncio.sleep(0.01)  # the other runtime does the same meanwhile
            events.emit(contracts.WorldStep(name, 1), source=name)
            await asyncio.sleep(0.01)
            state = {"simulation": control.current_simulation() is simulation, "ids": ids,
                     "judge": resolve_judge() is judge, "events": [e.source for e in seen.events
                                                                    if e.kind == "world.step"],
                     "handler": rt.part("transactions.handler") is simulation}
            control.end()
            return state

    async def both():
        return await asyncio.gather(run("a"), run("b"))

    first, second = asyncio.run(both())
    for name, state in (("a", first), ("b", second)):
        assert state == {"simulation": True, "ids": [1, 2, 3], "judge": True, "events": [name], "handler": True}
    assert control.current_simulation() is None  # the default runtime saw none of it


def test_a_derived_runtime_shares_the_run_state_of_its_parent():
    from tinytroupe import contracts, control, events

    with Runtime(name="parent") as parent, events.collect() as seen:
        simulation = control.begin(id="shared")
        with parent.derive({"temperature": 0.2}):
            assert control.current_simulation() is simulation
            events.emit(contracts.WorldStep("child", 1), source="child")
        control.end()
    assert [e.source for e in seen.events if e.kind == "world.step"] == ["child"]


def test_a_derived_runtime_shares_registries_budget_and_usage_but_not_settings():
    parent = current_runtime()
    child = parent.derive({"temperature": 0.3})
    usage = llm.usage_stats()
    with child:
        assert llm.usage_stats() is usage
        TinyPerson("Shared")
        assert config_manager.get("temperature") == 0.3
    assert "Shared" in TinyPerson.all_agents and config_manager.get("temperature") == 1.0


def test_the_runtime_reaches_sync_facades_and_threads_start_in_the_default():
    seen = {}
    with Runtime({"seed": 5}) as rt:
        async def read():
            return current_runtime()

        from tinytroupe._sync import run_sync

        seen["sync"] = run_sync(read())
        thread = threading.Thread(target=lambda: seen.setdefault("thread", current_runtime()))
        thread.start()
        thread.join()
    assert seen["sync"] is rt and seen["thread"].name == "default"


def test_each_asyncio_task_has_its_own_current_runtime():
    async def inside(rt):
        with rt:
            await asyncio.sleep(0.01)
            return current_runtime().name, config_manager.get("temperature")

    async def both():
        return await asyncio.gather(inside(Runtime({"temperature": 0.1}, name="a")),
                                    inside(Runtime({"temperature": 0.9}, name="b")))

    assert asyncio.run(both()) == [("a", 0.1), ("b", 0.9)]


def test_default_model_usage_and_budget_are_per_runtime():
    outer = llm.set_default_model(ScriptedModel(default="outer"))
    with Runtime(name="r") as rt:
        llm.set_default_model(ScriptedModel(default="inner"))
        with budget.limit(max_calls=1):
            assert llm.complete_text("q") == "inner"
        assert llm.usage_stats().total.calls == 1 and rt.part("llm.model") is llm.default_model()
    assert llm.default_model() is outer and llm.complete_text("q") == "outer"


def test_request_defaults_fill_unset_fields_and_a_call_value_wins():
    inner = ScriptedModel(default="ok")
    model = RequestDefaults(inner, RequestSettings(temperature=0.4, top_p=0.9, seed=3, reasoning_effort="low"))
    filled = model.fill(ChatRequest(messages=[{"role": "user", "content": "hi"}], temperature=0.0))
    assert (filled.temperature, filled.top_p, filled.seed, filled.reasoning_effort) == (0.0, 0.9, 3, None)


def test_reasoning_is_a_model_capability_not_a_name_test_in_the_caller():
    class Thinker(ScriptedModel):
        capabilities = ModelCapabilities(reasoning=True)

    model = RequestDefaults(Thinker(default="ok"), RequestSettings(temperature=0.4, reasoning_effort="high"))
    filled = model.fill(ChatRequest(messages=[{"role": "user", "content": "hi"}], top_p=0.5))
    assert (filled.temperature, filled.top_p, filled.reasoning_effort) == (None, None, "high")


def test_structured_output_attempts_bound_the_replies_apart_from_max_attempts(scripted):
    from pydantic import BaseModel

    class Answer(BaseModel):
        value: int

    scripted.default = "not json"
    config_manager.update_multiple({"max_attempts": 5, "structured_output_attempts": 2})
    with pytest.raises(StructuredOutputError, match="after 2 attempts"):
        generate(llm.default_model(), [{"role": "user", "content": "q"}], Answer)
    assert scripted.calls == 2
    config_manager.update("structured_output_attempts", 0)  # 0: as many as MAX_ATTEMPTS
    assert current_runtime().settings.request.structured_attempts == 5


def test_an_unknown_config_key_names_file_section_key_and_the_close_one(tmp_path):
    (tmp_path / "config.ini").write_text("[OpenAI]\nMODEL = m\nTEMPERATUR = 0.3\n", encoding="utf-8")
    config_manager.reset()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        config_manager.get("model")
    found = [w for w in caught if issubclass(w.category, ConfigWarning)]
    assert len(found) == 1
    text = str(found[0].message)
    assert "config.ini" in text and "[OpenAI] TEMPERATUR" in text and "did you mean TEMPERATURE?" in text
    assert found[0].filename.endswith("config.ini") and found[0].lineno == 3


def test_a_bad_seed_from_the_environment_names_the_variable(cli_env_seed):
    assert "environment variable TINYTROUPE_SEED" in cli_env_seed and "config_manager.update" not in cli_env_seed


@pytest.fixture
def cli_env_seed(monkeypatch):
    from typer.testing import CliRunner

    from tinytroupe.cli.main import app

    result = CliRunner().invoke(app, ["--model", "scripted", "config", "show"], env={"TINYTROUPE_SEED": "-1"},
                                prog_name="tinytroupe")
    assert result.exit_code != 0
    return result.output + (result.stderr if result.stderr_bytes is not None else "")
