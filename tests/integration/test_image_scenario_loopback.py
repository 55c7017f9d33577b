"""A scenario's visual stimulus with an image (a path relative to the scenario file) reaches a
model that sees as an image content part; bad image fields are refused with the fix."""

from __future__ import annotations

import base64
import json
import textwrap

import pytest

from tinytroupe import llm
from tinytroupe.cli.output import Output
from tinytroupe.cli.runner import ScenarioRun
from tinytroupe.cli.scenario import ScenarioError, load_scenario
from tinytroupe.config import config_manager
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.testing.loopback_server import LoopbackServer

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")

SCENARIO = """
[[agents]]
example = "lisa"
[world]
name = "Ad test"
[[script]]
stimulus = {{ to = "Lisa", type = "{kind}", content = "A billboard for a folding bike.", image = "{image}" }}
[[script]]
run = 1
[outputs]
dir = "results"
"""


def _reply(body):
    actions = [{"type": "THINK", "content": "A bike.", "target": ""}, {"type": "DONE", "content": "", "target": ""}]
    return json.dumps({"actions": actions, "cognitive_state": {"goals": "g", "context": "c", "attention": "a",
                                                               "emotions": "e"}})


def _write(tmp_path, kind="visual", image="ads/ad.png"):
    (tmp_path / "ads").mkdir(exist_ok=True)
    (tmp_path / "ads" / "ad.png").write_bytes(PNG)
    path = tmp_path / "scenario.toml"
    path.write_text(textwrap.dedent(SCENARIO.format(kind=kind, image=image)).lstrip(), encoding="utf-8")
    return path


def test_a_scenario_image_stimulus_reaches_the_model_as_an_image_part(tmp_path):
    scenario = load_scenario(_write(tmp_path))
    config_manager.update("structured_output_mode", "json_schema")
    with LoopbackServer(responder=_reply) as server:
        llm.set_default_model(OpenAIModel(api_key="k", base_url=server.base_url, model="m", timeout=10, vision=True))
        ScenarioRun(scenario, Output(quiet=True)).execute()
        parts = [p for body_parts in server.image_parts for p in body_parts]
    assert parts and parts[0]["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    state = (tmp_path / "results" / "state.json").read_text()
    assert str((tmp_path / "ads" / "ad.png").resolve()) in state and base64.b64encode(PNG).decode() not in state


@pytest.mark.parametrize("kind, image, problem", [
    ("visual", "ads/missing.png", "not found; paths are relative to the scenario file"),
    ("conversation", "ads/ad.png", "only a visual stimulus takes an image"),
])
def test_bad_stimulus_images_are_refused_with_the_fix(tmp_path, kind, image, problem):
    with pytest.raises(ScenarioError, match=problem):
        load_scenario(_write(tmp_path, kind, image))
