"""The seeded benchmark scenarios produce exactly the transcripts, states and requests recorded
in ``golden/seeded_scenarios.json`` (written before the request path was made cheaper).

Three runs: the focus group (the project's example personas, seed 11) and the survey (seeded
respondents, world seed 3) through the real OpenAI-compatible provider against the loopback
server, and the survey through the scripted model. For each: every transcript line (its
wall-clock time and publication number left out: both follow the order replies arrive), the world's complete state, and every request body the server got
(sorted, since concurrent requests arrive in any order) or the scripted model was sent.

Regenerate (only when a change of behaviour is intended, and say so in the commit)::

    python tests/integration/test_seeded_scenarios_golden.py --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOLDEN = Path(__file__).with_name("golden") / "seeded_scenarios.json"
SERVER_MODEL = "loopback-model"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _world_record(world: Any) -> dict[str, Any]:
    lines = [{k: v for k, v in event.to_dict().items() if k not in ("seq", "wall_time")} for event in world.transcript]
    return {"transcript": [_canonical(line) for line in lines],
            "state": _canonical(world.encode_complete_state())}


def _focus_group() -> Any:
    from bench.scenarios.focus_group import QUESTION
    from tinytroupe.agent import TinyPerson
    from tinytroupe.environment import TinyWorld
    from tinytroupe.examples import example_agent_path, list_example_agents

    files = [example_agent_path(name) for name in list_example_agents()]
    people = [TinyPerson.load_specification(files[i % len(files)], auto_rename=True) for i in range(4)]
    world = TinyWorld("Focus Group", people, seed=11)
    world.broadcast(QUESTION)
    world.run(2)
    return world


def _survey() -> Any:
    from bench.scenarios.survey import SURVEY_QUESTION, respondents
    from tinytroupe.environment import TinyWorld

    world = TinyWorld("Survey", respondents(12), broadcast_if_no_target=False, seed=3)
    world.broadcast(SURVEY_QUESTION)
    world.run(1)
    return world


def _fresh() -> None:
    from tinytroupe import llm
    from tinytroupe.agent import TinyPerson
    from tinytroupe.config import config_manager
    from tinytroupe.environment import TinyWorld

    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    llm.reset_default_model()
    config_manager.reset()
    config_manager.update_multiple({"display": "off"})


def _over_http(build: Any, responder: Any) -> dict[str, Any]:
    from tinytroupe import llm
    from tinytroupe.llm.providers.openai_compat import OpenAIModel
    from tinytroupe.testing.loopback_server import LoopbackServer

    _fresh()
    with LoopbackServer(responder=responder) as server:
        llm.set_default_model(OpenAIModel(api_key="golden-key", base_url=server.base_url, model=SERVER_MODEL,
                                          timeout=30))
        record = _world_record(build())
        record["requests"] = sorted(_canonical(body) for body in server.bodies)
    llm.reset_default_model()
    return record


def _scripted(build: Any, responder: Any) -> dict[str, Any]:
    from tinytroupe import llm

    _fresh()
    model = llm.ScriptedModel(responder=responder)
    llm.set_default_model(model)
    record = _world_record(build())
    record["requests"] = sorted(_canonical(r.model_dump(exclude={"tags"})) for r in model.requests)
    llm.reset_default_model()
    return record


def record_all() -> dict[str, Any]:
    """Run the three seeded scenarios and return what they produced."""
    from bench.scenarios.replies import scripted_survey, survey_reply, turn_reply

    return {"focus_group_http": _over_http(_focus_group, turn_reply),
            "survey_http": _over_http(_survey, survey_reply),
            "survey_scripted": _scripted(_survey, scripted_survey)}


def test_seeded_scenarios_match_the_golden_record():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = record_all()
    assert set(now) == set(golden)
    for name, expected in golden.items():
        got = now[name]
        assert len(got["requests"]) == len(expected["requests"]), name
        for i, (a, b) in enumerate(zip(got["requests"], expected["requests"], strict=True)):
            assert a == b, f"{name}: request {i} differs"
        assert len(got["transcript"]) == len(expected["transcript"]), name
        for i, (a, b) in enumerate(zip(got["transcript"], expected["transcript"], strict=True)):
            assert a == b, f"{name}: transcript line {i} differs"
        assert got["state"] == expected["state"], f"{name}: the world's state differs"


def test_golden_record_is_not_empty():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert len(golden["focus_group_http"]["requests"]) == 4 * 2
    assert len(golden["survey_http"]["requests"]) == 12
    assert len(golden["survey_scripted"]["requests"]) == 12
    assert all(len(record["transcript"]) > 10 for record in golden.values())


if __name__ == "__main__":
    if "--write" not in sys.argv:
        raise SystemExit("usage: python tests/integration/test_seeded_scenarios_golden.py --write")
    import os
    import tempfile

    os.environ["TINYTROUPE_HOME"] = tempfile.mkdtemp(prefix="tt-golden-")
    os.environ["TINYTROUPE_DISPLAY"] = "off"
    os.environ["TINYTROUPE_EMBEDDING_MODEL"] = "lexical"
    os.chdir(os.environ["TINYTROUPE_HOME"])
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(record_all(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
