"""Model replies for the benchmarks: agent turns of realistic length, the same for the same prompt.

A reply is computed from the request alone (a hash of its messages seeds the words), so a
rerun of a simulation sends the same requests and gets the same replies, which is what the
cached-rerun scenario needs. ``*_reply(body)`` answer the loopback server's JSON bodies;
``scripted_*(request)`` answer a :class:`~tinytroupe.llm.ScriptedModel`'s ChatRequests.
"""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

from tinytroupe.testing.schema_sample import sample_from_schema

__all__ = ["turn_reply", "survey_reply", "scripted_turn", "scripted_survey", "THINK_CHARS", "TALK_CHARS"]

THINK_CHARS = 150
TALK_CHARS = 400

_WORDS = ("price quality design battery weight colour service delivery value brand warranty comfort "
          "noise screen habit budget family commute weekend store online review friend trust feature "
          "simple useful expensive cheap modern durable repair support recycle battery charger app").split()


def _text(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    length = 0
    while length < chars:
        word = rng.choice(_WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words).capitalize() + "."


_POOL = 64  # replies are drawn from pools of ready texts, so the fake model costs next to nothing
_SEEDED = random.Random(2024)
_TEXTS = {chars: [_text(_SEEDED, chars) for _ in range(_POOL)] for chars in (THINK_CHARS, TALK_CHARS, 40, 30, 20)}


def _pick(digest: int, slot: int, chars: int) -> str:
    return _TEXTS[chars][(digest >> (6 * slot)) % _POOL]


def _digest(messages: list[Any]) -> int:
    text = "\n".join(str(m.get("content") if isinstance(m, dict) else m.content) for m in messages)
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:16], 16)


def _action_schema(schema: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return schema["properties"]["actions"]["items"]["properties"]
    except (KeyError, TypeError):
        return None


def _targets(schema: dict[str, Any]) -> list[str] | None:
    """The names an agent turn may target, or None when the schema is not an agent turn's."""
    action = _action_schema(schema)
    if not isinstance(action, dict) or "target" not in action:
        return None
    return [n for n in (action["target"].get("enum") or []) if n]


def _turn(digest: int, targets: list[str], survey: bool, types: list[str]) -> str:
    """THINK then TALK (to one of ``targets``, or to nobody in a survey), DONE where the schema
    offers it, then the cognitive state."""
    target = "" if survey or not targets else targets[digest % len(targets)]
    actions = [{"type": "THINK", "content": _pick(digest, 1, THINK_CHARS), "target": ""},
               {"type": "TALK", "content": _pick(digest, 2, TALK_CHARS), "target": target}]
    if "DONE" in types:
        actions.append({"type": "DONE", "content": "", "target": ""})
    state = {"goals": _pick(digest, 3, 40), "context": _pick(digest, 4, 40), "attention": _pick(digest, 5, 30),
             "emotions": _pick(digest, 6, 20)}
    return json.dumps({"actions": actions, "cognitive_state": state})


def _schema_of_body(body: dict[str, Any]) -> dict[str, Any]:
    from tinytroupe.testing.loopback_server import schema_of_request

    return schema_of_request(body) or {}


def _answer(messages: list[Any], schema: dict[str, Any], survey: bool) -> str:
    digest = _digest(messages)
    targets = _targets(schema)
    if targets is None:  # not an agent turn: any valid object will do
        return json.dumps(sample_from_schema(schema, random.Random(digest))) if schema else "A plain answer."
    types = ((_action_schema(schema) or {}).get("type") or {}).get("enum") or ["DONE"]
    return _turn(digest, targets, survey, list(types))


def turn_reply(body: dict[str, Any]) -> str:
    """Loopback responder: a focus-group turn that talks to someone it can reach."""
    return _answer(body.get("messages") or [], _schema_of_body(body), survey=False)


def survey_reply(body: dict[str, Any]) -> str:
    """Loopback responder: a survey answer (THINK, then TALK to nobody in particular)."""
    return _answer(body.get("messages") or [], _schema_of_body(body), survey=True)


def scripted_turn(request: Any) -> str:
    """ScriptedModel responder twin of :func:`turn_reply`."""
    return _answer(list(request.messages), request.response_format.json_schema or {}, survey=False)


def scripted_survey(request: Any) -> str:
    """ScriptedModel responder twin of :func:`survey_reply`."""
    return _answer(list(request.messages), request.response_format.json_schema or {}, survey=True)
