"""Replies for the scripted model: agent turns, judge verdicts, schema samples, offline runs.

These responders live beside :class:`~tinytroupe.llm.providers.scripted.ScriptedModel` so
that the scripted provider (``API_TYPE=scripted``, ``--model scripted``, cost estimates)
needs nothing from :mod:`tinytroupe.testing`.

``act_reply(("THINK", "hmm"), ("TALK", "hi", "Bob"))`` is a reply dict ending with ``DONE``;
``talk_responder()`` computes a reply from each request (the agent talks to the first person
it can reach, with content derived deterministically from the prompt)::

    model = ScriptedModel(responder=talk_responder())
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from typing import Any

from tinytroupe.llm.base import ChatRequest
from tinytroupe.llm.providers.schema_sample import _WORDS as _SAMPLE_WORDS
from tinytroupe.llm.providers.schema_sample import sample_from_schema
from tinytroupe.llm.providers.scripted_languages import lines_in, requested_language, short_answers_in

__all__ = [
    "act_reply",
    "judge_reply",
    "talk_responder",
    "request_agent",
    "request_targets",
    "is_turn_request",
    "is_judge_request",
    "schema_responder",
    "offline_responder",
    "readable",
]

ActionSpec = tuple | dict


def _action(spec: ActionSpec) -> dict[str, str]:
    if isinstance(spec, dict):
        return {"type": spec["type"], "content": spec.get("content", ""), "target": spec.get("target", "")}
    kind, content, target = (tuple(spec) + ("", ""))[:3]
    return {"type": kind, "content": content, "target": target}


def act_reply(*actions: ActionSpec, cognitive_state: dict[str, str] | None = None,
              done: bool = True) -> dict[str, Any]:
    """A turn reply: actions as ``(type, content[, target])`` tuples or dicts; DONE appended if absent
    (unless ``done=False``, to test a model that never says DONE)."""
    items = [_action(a) for a in actions]
    if done and not any(a["type"] == "DONE" for a in items):
        items.append({"type": "DONE", "content": "", "target": ""})
    state = {"goals": "", "context": "", "attention": "", "emotions": ""}
    state.update(cognitive_state or {})
    return {"actions": items, "cognitive_state": state}


def judge_reply(score: int, feedback: str = "", request: ChatRequest | None = None) -> dict[str, Any]:
    """A judge's reply (a proposition's verdict): ``score`` 0-9, or for a true/false question
    (``request`` asks for a boolean) true when ``score`` is 5 or more."""
    value: Any = score
    schema = request.response_format.json_schema if request is not None else None
    if ((schema or {}).get("properties", {}).get("value") or {}).get("type") == "boolean":
        value = score >= 5
    return {"reasoning": "", "justification": feedback, "value": value, "confidence": 0.9}


def is_turn_request(request: ChatRequest) -> bool:
    """Whether ``request`` asks for an agent turn (rather than a judge verdict or something else)."""
    return request.response_format.name == "TurnModel"


def is_judge_request(request: ChatRequest) -> bool:
    """Whether ``request`` asks a judge (a proposition, a quality check) for a verdict."""
    return request.tags.get("purpose") == "judge" and request.response_format.name == "LLMReply"


def request_agent(request: ChatRequest) -> str:
    """The name of the agent that sent ``request`` (from its tags)."""
    return request.tags.get("agent", "")


def request_targets(request: ChatRequest) -> list[str]:
    """The names the agent may target in this turn (from the schema's enum), in order."""
    schema = request.response_format.json_schema or {}
    try:
        enum = schema["properties"]["actions"]["items"]["properties"]["target"]["enum"]
    except (KeyError, TypeError):
        return []
    return [name for name in enum if name]


def _digest(request: ChatRequest) -> str:
    text = "\n".join(m.content for m in request.messages)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def talk_responder(text_fn: Callable[[ChatRequest], str] | None = None, *, think: bool = False,
                   judge_score: int = 9) -> Callable[[ChatRequest], dict[str, Any]]:
    """A responder: each turn TALKs to the first reachable agent (or to nobody), then DONE.

    Content is ``text_fn(request)`` or, by default, ``"<agent> says <digest of the prompt>"``,
    which differs whenever the prompt does. With ``think=True`` a THINK comes first. Judge
    requests get ``judge_score``.
    """

    def respond(request: ChatRequest) -> dict[str, Any]:
        if is_judge_request(request):
            return judge_reply(judge_score, "fine", request)
        agent = request_agent(request)
        targets = request_targets(request)
        content = text_fn(request) if text_fn else f"{agent} says {_digest(request)}"
        actions: list[tuple] = []
        if think:
            actions.append(("THINK", f"{agent} thinks before answering ({_digest(request)})"))
        actions.append(("TALK", content, targets[0] if targets else ""))
        return act_reply(*actions, cognitive_state={"goals": "keep talking", "emotions": "calm"})

    return respond


def readable(value: Any, language: str = "English") -> Any:
    """``value`` (a schema sample) with its free-text strings, made of sample words, turned into
    short sentences (in ``language``) that fit in the same length (so a reply reads like an answer,
    not a password); keys stay as they are."""
    if isinstance(value, dict):
        return {k: readable(v, language) for k, v in value.items()}
    if isinstance(value, list):
        return [readable(v, language) for v in value]
    if isinstance(value, str) and value and set(value.split()) <= set(_SAMPLE_WORDS):
        fitting = [s for s in short_answers_in(language) if len(s) <= len(value)]
        if fitting:
            return fitting[sum(map(ord, value)) % len(fitting)]
    return value


def schema_responder(seed: int = 0) -> Callable[[ChatRequest], Any]:
    """A responder that answers structured requests with a valid sample of their schema
    (seeded, a fresh draw per call), agent turns with a spoken sentence (as
    :func:`offline_responder`, not sample words), and free text with a short sentence."""
    rng = random.Random(seed)
    turns = talk_responder(_scripted_line)

    def respond(request: ChatRequest) -> Any:
        if is_turn_request(request):
            return turns(request)
        schema = request.response_format.json_schema
        if schema is not None and request.response_format.mode != "text":
            return readable(sample_from_schema(schema, random.Random(rng.random())), requested_language(request))
        return "A short scripted answer."

    return respond


_FIRST = ("Ana", "Bruno", "Chloe", "Dev", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kemi", "Luca")
_LAST = ("Almeida", "Brandt", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen")


def _scripted_line(request: ChatRequest) -> str:
    agent = request.tags.get("agent", "someone")
    text = "\n".join(m.content for m in request.messages)
    lines = lines_in(requested_language(request))  # the language the request asks for
    return lines[sum(map(ord, agent + text[-200:])) % len(lines)]


def offline_responder(seed: int = 0) -> Callable[[ChatRequest], Any]:
    """A responder that answers every request kind, for offline runs (``--model scripted``).

    Agent turns TALK (a canned line picked deterministically from the prompt) to the first
    agent they can reach; judges pass; other structured requests (factory personas,
    population plans) get a valid sample of their schema; free text gets a short sentence.
    """
    turns = talk_responder(_scripted_line)
    rng = random.Random(seed)

    def respond(request: ChatRequest) -> Any:
        if is_judge_request(request):
            return judge_reply(9, "fine", request)
        if is_turn_request(request):
            return turns(request)
        schema = request.response_format.json_schema
        if schema is not None and request.response_format.mode != "text":
            value = sample_from_schema(schema, random.Random(rng.random()))
            if request.response_format.name == "GeneratedPersona" and isinstance(value, dict):
                value["name"] = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"  # readable offline names
                return value
            return readable(value, requested_language(request))
        return "A short scripted answer."

    return respond
