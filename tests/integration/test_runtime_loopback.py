"""Runtimes against real HTTP servers on 127.0.0.1: a scenario's [model] on every agent turn,
two runtimes at once in one process, and a runtime rebuilt from its description in another."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from typer.testing import CliRunner

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.cli.main import app
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.llm import budget
from tinytroupe.llm.budget import BudgetExceededError
from tinytroupe.runtime import Runtime, current_runtime
from tinytroupe.testing import LoopbackServer, sample_from_schema
from tinytroupe.testing.loopback_server import schema_of_request

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _reply(body):
    schema = schema_of_request(body)
    if schema is None:
        return "A plain answer."
    if "actions" in schema.get("properties", {}):
        return json.dumps({"actions": [{"type": "TALK", "content": "I like it.", "target": ""},
                                       {"type": "DONE", "content": "", "target": ""}],
                           "cognitive_state": {"goals": "", "context": "", "attention": "", "emotions": ""}})
    return json.dumps(sample_from_schema(schema))


def _agent_turns(bodies):
    return [b for b in bodies if "actions" in ((schema_of_request(b) or {}).get("properties") or {})]


def test_focus_group_temperature_is_on_every_agent_turn(tmp_path, monkeypatch):
    scenario = tmp_path / "focus_group.toml"
    shutil.copy(EXAMPLES / "scenarios" / "focus_group.toml", scenario)
    with LoopbackServer(responder=_reply) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        config_manager.reset()
        result = CliRunner().invoke(app, ["--quiet", "run", str(scenario), "--out", str(tmp_path / "out"),
                                          "--max-steps", "2"], prog_name="tinytroupe")
        bodies = server.bodies
    assert result.exit_code == 0, result.output
    turns = _agent_turns(bodies)
    assert len(turns) >= 3
    assert all(b.get("temperature") == 0.8 and b.get("seed") == 11 for b in turns)
    assert config_manager.source_of("temperature").startswith("default")  # nothing written process-wide


def _runtime(server, tmp_path, name, calls):
    return Runtime({"api_type": "openai", "base_url": server.base_url, "model": f"model-{name}",
                    "cache_api_calls": True, "cache_file_name": str(tmp_path / f"{name}.sqlite"),
                    "max_calls_per_run": calls, "temperature": 0.2 if name == "a" else 0.9}, name=name)


async def _session(rt: Runtime, turns: int, started: asyncio.Barrier) -> dict:
    with rt:
        person = TinyPerson(f"Person of {rt.name}")
        world = TinyWorld(f"World of {rt.name}", [person])
        await started.wait()  # both runtimes are current in their own task at the same time
        stopped = None
        try:
            for i in range(turns):
                person.listen(f"Question {i}?")
                await person.aact()
        except BudgetExceededError as exc:
            stopped = exc.budget
        return {"agents": sorted(TinyPerson.all_agents), "worlds": sorted(TinyWorld.all_environments),
                "world": world.name, "usage": llm.usage_stats().total.calls, "stopped": stopped,
                "spent": budget.active().spent.calls, "cache": rt.part("llm.caches")}


def test_two_runtimes_run_concurrently_and_stay_apart(tmp_path):
    before = llm.usage_stats().total.calls  # the default runtime's tally
    with LoopbackServer(responder=_reply, latency=0.02) as server:
        a, b = _runtime(server, tmp_path, "a", 10), _runtime(server, tmp_path, "b", 2)

        async def both():
            started = asyncio.Barrier(2)
            return await asyncio.gather(_session(a, 3, started), _session(b, 3, started))

        ra, rb = asyncio.run(both())
        bodies = server.bodies
    assert ra["agents"] == ["Person of a"] and rb["agents"] == ["Person of b"]
    assert ra["worlds"] == ["World of a"] and rb["worlds"] == ["World of b"]
    assert ra["stopped"] is None and rb["stopped"] == "MAX_CALLS_PER_RUN"  # b's budget, not a's
    assert ra["usage"] == ra["spent"] == 3 and rb["usage"] == rb["spent"] == 2
    assert {str(p) for p in ra["cache"]} == {str(tmp_path / "a.sqlite")}
    assert {str(p) for p in rb["cache"]} == {str(tmp_path / "b.sqlite")}
    for body in bodies:
        assert (body["model"], body["temperature"]) in (("model-a", 0.2), ("model-b", 0.9))
    assert sum(b["model"] == "model-a" for b in bodies) == 3 and sum(b["model"] == "model-b" for b in bodies) == 2
    assert not TinyPerson.all_agents and not TinyWorld.all_environments  # the default runtime saw none
    assert llm.usage_stats().total.calls == before


def test_two_runtimes_in_threads_use_their_own_models(tmp_path):
    results: dict[str, list[str]] = {}
    with LoopbackServer(responder=_reply) as server:
        def work(name):
            with _runtime(server, tmp_path, name, 0):
                results[name] = [llm.complete_text(f"hello from {name} {i}") for i in range(3)]
                results[name + ".model"] = [llm.default_model().default_model]

        threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        bodies = server.bodies
    assert results["a.model"] == ["model-a"] and results["b.model"] == ["model-b"]
    for body in bodies:
        name = "a" if "hello from a" in body["messages"][-1]["content"] else "b"
        assert body["model"] == f"model-{name}"


CHILD = """
import json, sys
from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.runtime import Runtime
with Runtime.from_description(json.loads(sys.argv[1])):
    person = TinyPerson("Rebuilt")
    person.listen_and_act("What do you think of the soup?")
    llm.complete_text("One more question.")
"""


def _same_work():
    person = TinyPerson("Rebuilt")
    person.listen_and_act("What do you think of the soup?")
    llm.complete_text("One more question.")


def test_a_runtime_rebuilt_from_its_description_in_another_process_makes_the_same_requests(tmp_path):
    with LoopbackServer(responder=_reply) as server:
        rt = Runtime({"api_type": "openai", "base_url": server.base_url, "model": "described-model",
                      "temperature": 0.35, "top_p": 0.8, "seed": 7, "presence_penalty": 0.1,
                      "api_key": "sk-secret-value"}, name="described")
        description = rt.describe()
        text = json.dumps(description)
        assert "sk-secret-value" not in text and description["secrets_from_environment"] == ["api_key",
                                                                                              "azure_api_key"]
        with rt:
            _same_work()
        here = server.bodies
        server.reset_stats()
        env = {"PATH": "", "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "TINYTROUPE_DISPLAY": "off",
               "TINYTROUPE_HOME": str(tmp_path / "home"), "TINYTROUPE_EMBEDDING_MODEL": "lexical"}
        done = subprocess.run([sys.executable, "-c", CHILD, text], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)
        there = server.bodies
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(here) == 2 and there == here
    assert here[0]["temperature"] == 0.35 and here[0]["top_p"] == 0.8 and here[0]["model"] == "described-model"


def test_runtime_description_is_plain_json_and_round_trips(tmp_path):
    rt = Runtime({"temperature": 0.4, "max_calls_per_run": 9, "cache_file_name": "rel.sqlite"}, name="r")
    data = json.loads(json.dumps(rt.describe()))
    again = Runtime.from_description(data)
    assert again.name == "r" and again.settings["temperature"] == 0.4 and again.settings["max_calls_per_run"] == 9
    assert again.settings["cache_file_name"] == str(tmp_path / "rel.sqlite")
    assert dict(again.settings) == {**dict(rt.settings), "cache_file_name": str(tmp_path / "rel.sqlite")}
    assert current_runtime().name == "default"
