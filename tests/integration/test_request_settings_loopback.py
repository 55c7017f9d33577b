"""Every request-level setting, set through each source, is on the body of each kind of call.

The settings are those declared ``request_level=True`` (so a new one cannot be forgotten); the
sources are config.ini, the environment, a scenario's ``[model]``, ``config_manager.update``
and a runtime's own settings; the calls are an agent turn, extraction, a proposition, the
factory, enrichment, a story, and embeddings, all against a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
from contextlib import nullcontext

import pytest

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import SETTINGS, config_manager
from tinytroupe.config.snapshot import REQUEST_LEVEL
from tinytroupe.runtime import Runtime, current_runtime
from tinytroupe.testing import LoopbackServer, sample_from_schema
from tinytroupe.testing.loopback_server import schema_of_request

# a value for each request-level setting, none of them a default
VALUES = {"model": "loop-model-x", "temperature": 0.3, "top_p": 0.7, "freq_penalty": 0.4, "presence_penalty": 0.6,
          "max_completion_tokens": 777, "seed": 4242, "reasoning_effort": "low", "embedding_model": "embed-x"}
WIRE = {s.name: s.wire for s in SETTINGS if s.request_level}
CHAT_KINDS = ("agent_turn", "extraction", "proposition", "factory", "enrichment", "story")
# values a call chooses itself (a value given by the caller wins over the settings); the factory
# derives each person's seed from SEED and its context
CHOSEN_BY_CALL = {("extraction", "temperature"), ("factory", "temperature"), ("factory", "max_completion_tokens"),
                  ("factory", "seed"), ("enrichment", "temperature"), ("story", "temperature")}
SCENARIO_KEYS = {"model": "name", "temperature": "temperature", "max_completion_tokens": "max_tokens", "seed": "seed",
                 "top_p": "top_p", "freq_penalty": "frequency_penalty", "presence_penalty": "presence_penalty",
                 "reasoning_effort": "reasoning_effort"}


def test_every_request_level_setting_has_a_test_value_and_a_wire_name():
    assert set(REQUEST_LEVEL) == set(VALUES) and all(WIRE[n] for n in REQUEST_LEVEL)


def _reply(body):
    schema = schema_of_request(body)
    if schema is None:
        return "A short plain answer."
    if "actions" in schema.get("properties", {}):
        actions = [{"type": "TALK", "content": "Sounds good.", "target": ""}, {"type": "DONE", "content": "", "target": ""}]
        state = {"goals": "", "context": "", "attention": "", "emotions": ""}
        return json.dumps({"actions": actions, "cognitive_state": state})
    return json.dumps(sample_from_schema(schema))


def _call(kind: str) -> None:
    """One call of ``kind`` through the current runtime's default model."""
    if kind == "agent_turn":
        TinyPerson("Ana").listen_and_act("What do you think of the soup?")
    elif kind == "extraction":
        from tinytroupe.extraction import ResultsExtractor

        ana = TinyPerson("Ben")
        ana.listen("Rate the soup from 1 to 5.")
        ResultsExtractor().extract_results_from_agent(ana, fields=["rating"])
    elif kind == "proposition":
        from tinytroupe.experimentation import Proposition

        Proposition("Cy likes soup.", target=TinyPerson("Cy")).check()
    elif kind == "factory":
        from tinytroupe.factory import TinyPersonFactory

        TinyPersonFactory(context="a town of soup lovers").generate_person()
    elif kind == "enrichment":
        from tinytroupe.enrichment import TinyEnricher

        TinyEnricher().enrich_content("Add one sentence about prices.", "Soup is good.")
    elif kind == "story":
        from tinytroupe.environment import TinyWorld
        from tinytroupe.steering import TinyStory

        TinyStory(TinyWorld("Kitchen", [TinyPerson("Dee")])).start_story()
    elif kind == "embeddings":
        llm.embed(["soup"])


def _set(source: str, values: dict, tmp_path, monkeypatch):
    """Set ``values`` through ``source``; the context manager the calls run in."""
    if source == "ini":
        lines = "\n".join(f"{next(s.key for s in SETTINGS if s.name == n)} = {v}" for n, v in values.items())
        (tmp_path / "config.ini").write_text(f"[OpenAI]\n{lines}\n", encoding="utf-8")
    elif source == "env":
        for name, value in values.items():
            monkeypatch.setenv(f"TINYTROUPE_{name.upper()}", str(value))
    elif source == "python":
        config_manager.update_multiple(values)
    config_manager.reset() if source in ("ini", "env") else None
    if source == "runtime":
        return Runtime(values, name="test")
    if source == "scenario":
        from tinytroupe.cli.runner import model_settings
        from tinytroupe.cli.scenario import parse_scenario

        table = "\n".join(f"{SCENARIO_KEYS[n]} = {json.dumps(v)}" for n, v in values.items() if n in SCENARIO_KEYS)
        scenario = parse_scenario(f'title = "t"\n[model]\n{table}\n[[agents]]\nexample = "lisa"\n[world]\n'
                                  'name = "w"\n[[script]]\nrun = 1\n')
        return current_runtime().derive(model_settings(scenario, seed_given=False))
    return nullcontext()


def _bodies(server: LoopbackServer, kind: str, chat: bool = True) -> list[dict]:
    server.reset_stats()
    _call(kind)
    return server.bodies


@pytest.mark.parametrize("source", ["ini", "env", "scenario", "python", "runtime"])
def test_each_request_level_setting_reaches_each_kind_of_call(source, tmp_path, monkeypatch):
    monkeypatch.delenv("TINYTROUPE_EMBEDDING_MODEL", raising=False)
    values = {n: v for n, v in VALUES.items() if n != "reasoning_effort"}
    if source == "scenario":
        values.pop("embedding_model")  # not a [model] key: a scenario's people embed with the configured model
    with LoopbackServer(responder=_reply) as server:
        scope = _set(source, values, tmp_path, monkeypatch)
        config_manager.update_multiple({"api_type": "openai", "base_url": server.base_url,
                                        "structured_output_mode": "json_schema"})
        with scope:
            found = {kind: _bodies(server, kind) for kind in (*CHAT_KINDS, "embeddings")}
    missing = []
    for kind in CHAT_KINDS:
        assert found[kind], f"{kind} made no request"
        for body in found[kind]:
            for name, value in values.items():
                if name == "embedding_model":
                    continue
                wire = WIRE[name]
                if (kind, name) in CHOSEN_BY_CALL:
                    ok = body.get(wire) is not None and body.get(wire) != value
                else:
                    ok = body.get(wire) == value
                if not ok:
                    missing.append((kind, name, body.get(wire)))
        assert all("reasoning_effort" not in b for b in found[kind])  # not a reasoning model
    assert missing == []
    if "embedding_model" in values:
        assert found["embeddings"] and all(b["model"] == "embed-x" for b in found["embeddings"])


@pytest.mark.parametrize("source", ["ini", "env", "scenario", "python", "runtime"])
def test_reasoning_models_get_reasoning_effort_and_no_sampling(source, tmp_path, monkeypatch):
    values = {"model": "o4-mini", "reasoning_effort": "low", "temperature": 0.3, "top_p": 0.7,
              "freq_penalty": 0.4, "presence_penalty": 0.6, "seed": 4242}
    with LoopbackServer(responder=_reply) as server:
        scope = _set(source, values, tmp_path, monkeypatch)
        config_manager.update_multiple({"api_type": "openai", "base_url": server.base_url,
                                        "structured_output_mode": "json_schema"})
        with scope:
            found = {kind: _bodies(server, kind) for kind in CHAT_KINDS}
    for kind, bodies in found.items():
        assert bodies, kind
        for body in bodies:
            assert body["model"] == "o4-mini" and body["reasoning_effort"] == "low", (kind, body.keys())
            assert not {"temperature", "top_p", "frequency_penalty", "presence_penalty"} & set(body), kind
            assert "max_tokens" not in body  # reasoning models take max_completion_tokens
            assert body["seed"] == 4242 or (kind, "seed") in CHOSEN_BY_CALL


def test_settings_left_at_their_defaults_are_not_sent(tmp_path):
    with LoopbackServer(responder=_reply) as server:
        config_manager.update_multiple({"api_type": "openai", "base_url": server.base_url})
        body = _bodies(server, "proposition")[0]
    assert not {"temperature", "top_p", "frequency_penalty", "presence_penalty", "reasoning_effort", "seed"} & set(body)
