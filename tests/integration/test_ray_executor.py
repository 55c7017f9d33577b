"""The Ray executor on a two-node cluster on this machine, every node bound to 127.0.0.1, against
the loopback server: surveys, the factory and experiments give what the local executor gives;
the cache is shared (a rerun makes no request) and the budget is one for the whole run."""

from __future__ import annotations

import hashlib
import json
import operator
import os
import random
import signal
import time
from datetime import datetime, timedelta

import pytest

# before Ray is imported: no usage reporting, and "localhost" stays 127.0.0.1 instead of becoming
# the machine's network address (Ray reads this switch when it is imported)
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

ray = pytest.importorskip("ray", reason="the Ray executor tests need the ray extra: pip install -e \".[ray]\"")

from tinytroupe.agent import TinyPerson  # noqa: E402
from tinytroupe.environment import TinyWorld  # noqa: E402
from tinytroupe.executors import executor_named, shard_world  # noqa: E402
from tinytroupe.experimentation import Arm, ExperimentRunner  # noqa: E402
from tinytroupe.experimentation.runner import survey_metric  # noqa: E402
from tinytroupe.factory import TinyPersonFactory  # noqa: E402
from tinytroupe.llm import usage_stats  # noqa: E402
from tinytroupe.llm.budget import BudgetExceededError  # noqa: E402
from tinytroupe.runtime import Runtime  # noqa: E402
from tinytroupe.survey import LikertQuestion, SingleChoiceQuestion, Survey  # noqa: E402
from tinytroupe.testing import LoopbackServer, sample_from_schema  # noqa: E402
from tinytroupe.testing.loopback_server import schema_of_request  # noqa: E402

pytestmark = pytest.mark.ray

LOOPBACK = "127.0.0.1"
NODE = {"num_cpus": 1, "node_ip_address": LOOPBACK, "object_store_memory": 100 * 2**20}
AGE_GENDER = {"age": {"18-29": 0.25, "30-49": 0.5, "50-64": 0.25}, "gender": {"Female": 0.5, "Male": 0.5}}


def reply(body):
    """A reply that depends only on the request (so it does not depend on which worker sent it)."""
    digest = hashlib.sha256(json.dumps(body["messages"], sort_keys=True).encode()).hexdigest()
    schema = schema_of_request(body)
    if schema is None:
        return "A plain answer."
    if "actions" in schema.get("properties", {}):
        return json.dumps({"actions": [{"type": "TALK", "content": f"I say {digest[:6]}.", "target": ""},
                                       {"type": "DONE", "content": "", "target": ""}],
                           "cognitive_state": {"goals": "", "context": "", "attention": "", "emotions": ""}})
    return json.dumps(sample_from_schema(schema, random.Random(digest)))


@pytest.fixture(scope="module")
def cluster():
    from ray._private import ray_constants
    from ray.cluster_utils import Cluster

    if ray.is_initialized():
        pytest.skip("Ray is already initialised in this process")
    saved = ray_constants.ENABLE_RAY_CLUSTER
    ray_constants.ENABLE_RAY_CLUSTER = False  # in case Ray was imported before this module set the variable
    nodes = Cluster(initialize_head=True, head_node_args={**NODE, "include_dashboard": False})
    nodes.add_node(**NODE)
    nodes.wait_for_nodes()
    ray.init(address=nodes.address, _node_ip_address=LOOPBACK, log_to_driver=False)
    try:
        yield nodes
    finally:
        ray.shutdown()
        nodes.shutdown()
        ray_constants.ENABLE_RAY_CLUSTER = saved


@pytest.fixture(scope="module")
def server():
    with LoopbackServer(responder=reply) as srv:
        yield srv


@pytest.fixture
def executor(cluster):
    ex = executor_named("ray", address=cluster.address, workers=2)
    yield ex
    ex._kill_services()


def runtime(server, tmp_path, **settings):
    return Runtime({"api_type": "openai", "base_url": server.base_url, "model": "loop",
                    "cache_api_calls": True, "cache_file_name": str(tmp_path / "calls.sqlite"), **settings})


def test_every_node_is_bound_to_loopback(cluster):
    nodes = [n for n in ray.nodes() if n["Alive"]]
    assert len(nodes) >= 2
    assert {n["NodeManagerAddress"] for n in nodes} == {LOOPBACK}
    assert cluster.address.split(":")[0] == LOOPBACK
    assert ray.util.get_node_ip_address() == LOOPBACK


SURVEY = Survey([LikertQuestion(text="I would buy this gazpacho.", name="buy"),
                 SingleChoiceQuestion(text="Where do you shop?", name="shop", options=["market", "online", "shop"])])


def test_a_survey_on_ray_equals_the_local_one_and_a_rerun_is_free(server, executor, tmp_path):
    with runtime(server, tmp_path / "local"):
        people = [TinyPerson(f"Respondent {i}") for i in range(6)]
        local = SURVEY.run(people)
    with runtime(server, tmp_path) as rt:
        people = [TinyPerson(f"Respondent {i}") for i in range(6)]
        before = server.request_count
        remote = SURVEY.run(people, executor=executor)
        assert server.request_count - before == 12
        assert [r.to_dict() for r in remote.responses] == [r.to_dict() for r in local.responses]
        assert remote.table() == local.table()
        usage = usage_stats().snapshot()  # the workers' usage, merged into the driver's
        assert usage["total"]["calls"] == 12 and usage["by_purpose"]["survey"]["calls"] == 12
        again = SURVEY.run(people, executor=executor)
        assert server.request_count - before == 12  # answered by the shared cache
        assert [r.to_dict() for r in again.responses] == [r.to_dict() for r in local.responses]
        assert usage_stats().snapshot()["total"]["cached_calls"] == 12
        rt.close()


def test_the_factory_on_ray_makes_the_same_people(server, executor, tmp_path):
    def generate(ex):
        TinyPerson.clear_agents()
        factory = TinyPersonFactory(context="A town in Portugal", dimensions=AGE_GENDER, seed=5)
        return [p.persona for p in factory.generate_people(6, executor=ex)]

    with runtime(server, tmp_path, cache_api_calls=False):
        assert generate(executor) == generate(None)


def test_an_experiment_of_two_arms_and_two_seeds_on_ray_equals_the_local_one(server, executor, tmp_path):
    def experiment(ex, state):
        TinyPerson.clear_agents()
        world = TinyWorld("Kitchen", [TinyPerson(f"Taster {i}") for i in range(3)], seed=3)
        arms = [Arm("control", operator.methodcaller("broadcast", "Ad A: gazpacho in a bottle.")),
                Arm("treatment", operator.methodcaller("broadcast", "Ad B: summer in a bottle."))]
        runner = ExperimentRunner("ad", world, arms, {"buy": survey_metric(LikertQuestion(text="Buy it?"))},
                                  steps=1, seeds=[1, 2], state_path=state)
        return runner.run(executor=ex)

    with runtime(server, tmp_path, cache_api_calls=False):
        local = experiment(None, tmp_path / "local.json")
        remote = experiment(executor, tmp_path / "ray.json")
        assert remote.runs == local.runs and len(remote.runs) == 4
        assert remote.comparison_rows() == local.comparison_rows()
        resumed = experiment(executor, tmp_path / "ray.json")  # every run read back from the state file
        assert sorted(resumed.resumed) == sorted(local.runs) and resumed.runs == local.runs


def test_one_budget_stops_the_whole_run_before_it_is_exceeded(server, executor, tmp_path):
    with runtime(server, tmp_path, cache_api_calls=False, max_calls_per_run=5):
        people = [TinyPerson(f"Budgeted {i}") for i in range(8)]
        before = server.request_count
        with pytest.raises(BudgetExceededError) as caught:
            Survey([LikertQuestion(text="Buy it?", name="buy")]).run(people, executor=executor)
        assert caught.value.budget == "MAX_CALLS_PER_RUN"
        time.sleep(1.0)  # calls still in flight when the run stopped have landed by now
        # two workers of four people each, one ledger: never more than the limit (without it, 8 calls)
        assert server.request_count - before <= 5, str(caught.value)
        from tinytroupe.llm import budget

        assert budget.active().spent.calls <= 5  # the ledger's count, taken into the driver's budget


def test_one_concurrency_window_for_all_workers(executor, tmp_path):
    with LoopbackServer(responder=reply, latency=0.1) as slow:
        with runtime(slow, tmp_path, cache_api_calls=False, max_concurrent_model_calls=2):
            people = [TinyPerson(f"Windowed {i}") for i in range(8)]
            Survey([LikertQuestion(text="Buy it?", name="buy")]).run(people, executor=executor)
        # two workers of four people: one shared window of 2, not 2 per worker
        assert slow.request_count == 8 and slow.max_in_flight <= 2


# -- a sharded world -------------------------------------------------------------------------------
def seeded_world(server, tmp_path, name, executor=None, shards=None, on_shards=None, runs=(3,)):
    """A seeded world of 40 agents stepped 3 times (on ``shards`` Ray actors when an executor is
    given; in several runs when ``runs`` says so, its state read between them): its actions,
    transcript and final state, and the requests it made."""
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    with runtime(server, tmp_path / name):
        people = [TinyPerson(f"Villager {i:02d}") for i in range(40)]
        world = TinyWorld("Square", people, initial_datetime=datetime(2025, 1, 6, 9), seed=11)
        before = server.request_count
        with shard_world(world, executor, shards) as group:
            if on_shards is not None:
                on_shards(group)
            world.broadcast("The market opens today: what will you buy?")  # a delivery between runs
            actions = []
            for steps in runs:
                actions += world.run(steps, timedelta(hours=1), return_actions=True)
                world.encode_complete_state()  # between runs: where a shard's new actor would start
        assert all(type(a) is TinyPerson for a in world.agents)  # the real agents are back
        return {"actions": actions, "transcript": [e.content() for e in world.transcript],
                "state": world.encode_complete_state(), "requests": server.request_count - before,
                "calls": world.cost_stats()["total"]["calls"]}


def test_a_sharded_world_equals_the_local_one_for_1_2_and_4_shards(server, executor, tmp_path):
    local = seeded_world(server, tmp_path, "local")
    assert local["requests"] >= 120 and local["calls"] >= 120  # 40 turns x 3 steps, all paid
    assert sum(e["kind"] == "agent.stimulus" for e in local["transcript"]) > 3 * 40 * 39
    for shards in (1, 2, 4):
        sharded = seeded_world(server, tmp_path, f"shards{shards}", executor, shards)
        assert sharded["actions"] == local["actions"], shards
        assert sharded["transcript"] == local["transcript"], shards
        assert sharded["state"] == local["state"], shards
        assert (sharded["requests"], sharded["calls"]) == (local["requests"], local["calls"]), shards


def test_a_sequential_world_on_shards_equals_the_local_one(server, executor, tmp_path):
    def run(name, ex=None):
        TinyPerson.clear_agents()
        TinyWorld.clear_environments()
        with runtime(server, tmp_path / name):
            world = TinyWorld("Queue", [TinyPerson(f"Caller {i}") for i in range(6)], seed=4)
            with shard_world(world, ex, 2):
                world.broadcast("Who goes first?")
                actions = world.run(2, parallelize=False, return_actions=True)  # each hears the ones before
            return actions, [e.content() for e in world.transcript], world.encode_complete_state()

    assert run("sequential-ray", executor) == run("sequential-local")


def test_a_world_shard_whose_actor_dies_is_replayed_from_the_cache(server, executor, tmp_path):
    local = seeded_world(server, tmp_path, "local", runs=(1, 2))
    seen = {"turns": 0, "killed": None}

    def kill_in_step_three(group):
        def after(index, command):  # shard 2's actor dies in the second run, once its third turns came back
            if index == 1 and command == "turns":
                seen["turns"] += 1
                if seen["turns"] == 3 and seen["killed"] is None:
                    quiet_since = time.monotonic()
                    while time.monotonic() - quiet_since < 0.5:  # the memory work begun beside the turns is done
                        if server.in_flight:
                            quiet_since = time.monotonic()
                        time.sleep(0.02)
                    seen["killed"] = group.shards[1].actor
                    ray.kill(seen["killed"])
        group.after_command = after

    sharded = seeded_world(server, tmp_path, "killed", executor, 2, on_shards=kill_in_step_three, runs=(1, 2))
    assert seen["killed"] is not None
    assert sharded["actions"] == local["actions"]
    assert sharded["transcript"] == local["transcript"]
    assert sharded["state"] == local["state"]
    # the new actor started from the states read after the first run and replayed the second run's
    # commands, whose model calls the run's cache answered: no request paid twice (the actor died with
    # none of its requests in flight; those would be sent again, see the survey's test below). The world's
    # cost statistics may miss the dead actor's memory work since its last answer (paid, cached, unreported).
    assert sharded["requests"] == local["requests"]


def shard_workers():
    """Pids of this machine's Ray workers running a survey shard now (their process title says so)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if fh.read().startswith(b"ray::run_shard"):
                    found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


def test_a_survey_worker_killed_mid_run_is_retried_and_resends_only_what_was_in_flight(executor, tmp_path):
    killed, paid = {}, {"locally": 10**9}

    def kill_on_ninth_request(body):
        if not killed and server.request_count >= paid["locally"] + 9:  # 8 answers (of 16) are in by now
            pids = shard_workers()
            if pids:  # the worker dies while this request is answered: its answer never arrives
                killed.update(pid=pids[0], in_flight=server.in_flight)
                os.kill(pids[0], signal.SIGKILL)
        return reply(body)

    people = [f"Shopper {i}" for i in range(8)]
    with LoopbackServer(responder=kill_on_ninth_request, latency=0.05) as server:
        with runtime(server, tmp_path / "local", max_concurrent_model_calls=4):
            local = SURVEY.run([TinyPerson(p) for p in people])
        paid_locally = paid["locally"] = server.request_count
        with runtime(server, tmp_path / "ray", max_concurrent_model_calls=4):
            remote = SURVEY.run([TinyPerson(p) for p in people], executor=executor)
        resent = server.request_count - 2 * paid_locally
    assert killed, "no survey shard was running when the ninth request arrived"
    assert [r.to_dict() for r in remote.responses] == [r.to_dict() for r in local.responses]
    # answers that reached the run's cache before the death are not asked again; only the dead worker's
    # requests whose answers had not (in flight then: at most the window of 4) are sent a second time
    assert 0 <= resent <= 4, (resent, killed)


def test_shards_that_cannot_reach_the_provider_report_its_error_as_locally_without_hanging(executor, tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind((LOOPBACK, 0))
        port = probe.getsockname()[1]
    closed = {"api_type": "openai", "base_url": f"http://{LOOPBACK}:{port}/v1", "model": "loop",
              "cache_api_calls": False, "max_attempts": 1}
    started = time.monotonic()

    def survey(ex):
        with Runtime(closed):
            people = [TinyPerson(f"Offline {i}") for i in range(4)]
            return [r.to_dict() for r in Survey([LikertQuestion(text="Buy it?", name="buy")]).run(people, executor=ex)
                    .responses]

    def world(ex):
        TinyPerson.clear_agents()
        TinyWorld.clear_environments()
        with Runtime(closed):
            square = TinyWorld("Offline square", [TinyPerson(f"Offline {i}") for i in range(4)], seed=2)
            with shard_world(square, ex, 2):
                square.broadcast("Anyone there?")
                square.run(1)
            return [e.content() for e in square.transcript]

    remote = survey(executor)
    assert remote == survey(None)
    assert all("cannot reach" in r["error"] and r["answer"] is None for r in remote)  # the provider's error
    transcript = world(executor)
    assert transcript == world(None)
    assert sum(e["kind"] == "agent.fallback" for e in transcript) == 4  # each turn lost to the provider error
    assert time.monotonic() - started < 60


def test_the_cli_runs_a_world_scenario_sharded_with_the_same_transcript_and_state(server, cluster, tmp_path,
                                                                                 monkeypatch):
    import shutil
    from pathlib import Path

    from typer.testing import CliRunner

    from tinytroupe.cli.main import app
    from tinytroupe.config import config_manager

    scenario = tmp_path / "focus_group.toml"
    shutil.copy(Path(__file__).parents[2] / "examples" / "scenarios" / "focus_group.toml", scenario)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("TINYTROUPE_CACHE_API_CALLS", "false")
    config_manager.reset()

    def run(out, *extra):
        TinyPerson.clear_agents()
        TinyWorld.clear_environments()
        result = CliRunner().invoke(app, ["--quiet", "run", str(scenario), "--out", str(tmp_path / out),
                                          "--max-steps", "2", *extra], prog_name="tinytroupe")
        assert result.exit_code == 0, result.output
        lines = [json.loads(line) for line in (tmp_path / out / "transcript.jsonl").read_text().splitlines()]
        state = json.loads(next((tmp_path / out).glob("*state*.json")).read_text())
        return [{k: v for k, v in e.items() if k not in ("seq", "wall_time")} for e in lines], state

    sharded = run("ray", "--executor", "ray", "--address", cluster.address, "--workers", "2")
    assert sharded == run("local")
    config_manager.reset()
