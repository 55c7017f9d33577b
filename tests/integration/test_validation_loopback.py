"""Propositions, surveys and an A/B experiment over real HTTP: an OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.experimentation import Arm, ExperimentRunner, Proposition
from tinytroupe.experimentation.runner import survey_metric
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.survey import LikertQuestion, Survey
from tinytroupe.testing.loopback_server import LoopbackServer


def _reply(body):
    """Judges say 7 (or true); survey answers 4 after the summer ad, else 2; turns say one line."""
    schema = body["response_format"]["json_schema"]["schema"]
    text = "\n".join(m["content"] for m in body["messages"])
    props = schema["properties"]
    if "value" in props:
        value = True if props["value"].get("type") == "boolean" else 7
        return json.dumps({"reasoning": "read it", "justification": "it says so", "value": value, "confidence": 0.8})
    if "answer" in props:
        return json.dumps({"answer": 4 if "Summer" in text else 2, "justification": "the ad"})
    actions = [{"type": "TALK", "content": "Looks nice.", "target": ""}, {"type": "DONE", "content": "", "target": ""}]
    state = {"goals": "", "context": "", "attention": "", "emotions": ""}
    return json.dumps({"actions": actions, "cognitive_state": state})


def _model(server):
    return OpenAIModel(api_key="test-key", base_url=server.base_url, model="loopback-model", timeout=10)


def test_judge_survey_and_experiment_over_http():
    config_manager.update("structured_output_mode", "json_schema")
    with LoopbackServer(latency=0.05, responder=_reply) as server:
        llm.set_default_model(_model(server))
        ana = TinyPerson("Ana")
        ana.think("I like soup.")
        p = Proposition("Ana likes soup.", target=ana)
        assert p.check() is True and p.justification == "it says so"
        assert p.score() == 7
        people = [TinyPerson(f"Panel {i}") for i in range(8)]
        result = Survey([LikertQuestion(name="buy", text="Would you buy it?")]).run(people)
        assert result.answers("buy") == [2] * 8
        assert server.max_in_flight >= 4  # answers were asked concurrently
        experiment = ExperimentRunner(
            "ads", people, [Arm("plain", lambda w: w.broadcast("Soup.")), Arm("summer", lambda w: w.broadcast("Summer!"))],
            {"buy": survey_metric(LikertQuestion(name="buy", text="Would you buy it?"))}, steps=1, seeds=[1, 2]).run()
        seeds = {b.get("seed") for b in server.bodies}
    assert experiment.statistics["summer"]["buy"]["mean_difference"] == 2.0
    assert {1, 2} <= seeds  # each run's requests carry its seed
