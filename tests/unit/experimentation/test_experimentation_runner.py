"""The one-process experiment runner: arms x seeds concurrently, statistics, resume after a kill."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.errors import SpecificationError, StateError
from tinytroupe.experimentation import Arm, ExperimentRunner
from tinytroupe.experimentation.runner import proposition_metric, survey_metric
from tinytroupe.survey import LikertQuestion
from tinytroupe.testing.agent_replies import is_judge_request, is_turn_request, judge_reply, talk_responder

AD_A = "Ad A: Gazpacho, cold soup in a bottle."
AD_B = "Ad B: Summer in a bottle: fresh gazpacho, no cooking."


def responder(latency_log=None):
    turns = talk_responder()

    def respond(request):
        if is_turn_request(request):
            return turns(request)
        if is_judge_request(request):
            return judge_reply(7, "ok", request)
        text = "\n".join(m.content for m in request.messages)
        liked = 4 if "Summer in a bottle" in text else 2
        return {"answer": liked + int(request.tags["agent"].split()[-1]) % 2, "justification": "taste"}

    return respond


def population():
    return [TinyPerson(f"Person {i}") for i in range(10)]


def ad(text):
    return lambda world: world.broadcast(text)


def runner(base, **kw):
    return ExperimentRunner("ad test", base, [Arm("control", ad(AD_A)), Arm("treatment", ad(AD_B))],
                            {"buy": survey_metric(LikertQuestion(text="Would you buy this gazpacho?"))},
                            steps=1, seeds=[1, 2, 3], **kw)


def test_two_arms_three_seeds_run_concurrently_with_statistics(tmp_path):
    from tinytroupe.testing.in_flight import InFlightCounter

    scripted = llm.ScriptedModel(responder=responder(), latency=0.05)
    model = InFlightCounter(scripted)
    llm.set_default_model(model, wrap=False)
    world = TinyWorld("Kitchen", population())
    result = runner(world, state_path=tmp_path / "ad.experiment.json").run()
    # 6 runs x (10 turns + 10 answers) = 120 calls; the 6 runs are in flight together
    assert model.calls == 120 and model.max_in_flight >= 12
    model = scripted
    assert {(r.tags["arm"], r.seed) for r in model.requests} == {(a, s) for a in ("control", "treatment")
                                                                 for s in (1, 2, 3)}
    assert len(result.metrics("control")["buy"]) == 30
    stat = result.statistics["treatment"]["buy"]
    assert stat["mean_difference"] == pytest.approx(2.0) and stat["significant"]
    table = result.comparison_table()
    assert "| treatment | buy | 30 | 4.500 |" in table and "| control | buy | 30 | 2.500 |" in table
    # the base world is untouched: arms ran on forks
    assert all(len(a.episodic_memory) == 0 for a in world.agents)
    doc = json.loads((tmp_path / "ad.experiment.json").read_text())
    assert doc["format"] == "tinytroupe.experiment" and len(doc["runs"]) == 6


def test_a_population_list_and_a_proposition_metric(scripted):
    scripted.responder = responder()
    people = population()[:3]
    result = ExperimentRunner("p", people, [Arm("a"), Arm("b", ad(AD_B))],
                              {"natural": proposition_metric("The person talks naturally.")}, seeds=[0]).run()
    assert result.metrics("a")["natural"] == [7, 7, 7]
    assert all(a.environment is None for a in people)


KILLED_SCRIPT = textwrap.dedent('''
    import os, sys
    sys.path.insert(0, {tests!r})
    from test_experimentation_runner import responder, runner, population
    from tinytroupe import llm
    from tinytroupe.environment import TinyWorld
    calls = {{"n": 0}}
    inner = responder()
    kill_at = int(sys.argv[2])
    def respond(request):
        calls["n"] += 1
        if kill_at and calls["n"] >= kill_at:
            os._exit(9)
        return inner(request)
    model = llm.ScriptedModel(responder=respond)
    llm.set_default_model(model)
    result = runner(TinyWorld("Kitchen", population()), state_path=sys.argv[1], max_concurrent_runs=2).run()
    print(model.calls, sorted({{(r.tags["arm"], r.seed) for r in model.requests}}))
''')


def test_killed_midway_it_resumes_without_repeating_finished_arms(tmp_path):
    import os
    from pathlib import Path

    script = tmp_path / "experiment.py"
    script.write_text(KILLED_SCRIPT.format(tests=str(Path(__file__).parent)))
    state = tmp_path / "ad.experiment.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    killed = subprocess.run([sys.executable, str(script), str(state), "70"], capture_output=True, text=True,
                            env=env, timeout=120)
    assert killed.returncode == 9, killed.stderr
    finished = json.loads(state.read_text())["runs"]
    assert 1 <= len(finished) < 6
    resumed = subprocess.run([sys.executable, str(script), str(state), "0"], capture_output=True, text=True,
                             env=env, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    calls, ran = resumed.stdout.strip().split(" ", 1)
    ran_runs = {f"{arm}/{seed}" for arm, seed in eval(ran)}
    assert ran_runs.isdisjoint(finished) and len(ran_runs) == 6 - len(finished)
    assert int(calls) == 20 * (6 - len(finished))
    assert len(json.loads(state.read_text())["runs"]) == 6


def test_a_changed_experiment_does_not_reuse_the_state_file(tmp_path, scripted):
    scripted.responder = responder()
    state = tmp_path / "s.json"
    people = population()[:2]
    runner(people, state_path=state).run()
    other = ExperimentRunner("ad test", people, [Arm("control"), Arm("other")],
                             {"buy": survey_metric(LikertQuestion(text="x"))}, seeds=[1, 2, 3], state_path=state)
    with pytest.raises(StateError, match="different experiment"):
        other.run()


def test_arms_are_checked():
    with pytest.raises(SpecificationError, match="two arms"):
        ExperimentRunner("x", [], [Arm("only")], {"m": len})
