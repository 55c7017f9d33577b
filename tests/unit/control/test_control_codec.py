"""Canonical arguments and recorded results: stable across processes, by name and content, not identity."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from enum import Enum

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.control.codec import NotRecordable, canonical_args, decode_result, encode_result
from tinytroupe.environment import TinyWorld
from tinytroupe.factory.population import Dimension


class Mood(Enum):
    CALM = "calm"


def test_arguments_are_plain_json_by_name_and_content():
    ann, world = TinyPerson("Ann"), TinyWorld("Room")
    args = {"who": ann, "where": world, "when": datetime(2025, 1, 2, 3), "step": timedelta(hours=1),
            "mood": Mood.CALM, "tags": ("a", 1), "nan": float("nan")}
    assert canonical_args(args) == {"who": {"$agent": "Ann"}, "where": {"$world": "Room"},
                                    "when": {"$datetime": "2025-01-02T03:00:00"},
                                    "step": {"$timedelta": 3600.0}, "mood": "calm", "tags": ["a", 1],
                                    "nan": "NaN"}
    with pytest.raises(NotRecordable):
        canonical_args(object())


def _code_key(source: str) -> str:
    namespace: dict = {}
    exec(compile(source, "<post>", "exec"), namespace)
    return canonical_args(namespace["post"])["code"]


def test_functions_are_keyed_by_name_and_code_the_same_in_every_process():
    source = "def post(p):\n    return (lambda q: q.upper())(p)\n"
    program = (f"from tinytroupe.control.codec import canonical_args\nsource = {source!r}\n"
               "namespace = {}\nexec(compile(source, '<post>', 'exec'), namespace)\n"
               "print(canonical_args(namespace['post'])['code'])\n")
    elsewhere = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert elsewhere.stdout.strip() == _code_key(source)
    assert _code_key(source.replace("upper", "lower")) != _code_key(source)


def test_results_round_trip_with_markers():
    ann, world = TinyPerson("Ann"), TinyWorld("Room")
    dimension = Dimension.from_dict({"key": "age", "field": "age", "distribution": {"18-30": 0.5, "31-60": 0.5}})
    value = {"self": world, "agent": ann, "list": [1, "x", None], "$odd": True, "dimension": dimension}
    encoded = encode_result(value, receiver=world)
    assert encoded["$dict"]["self"] == {"$self": True} and encoded["$dict"]["agent"] == {"$agent": "Ann"}
    decoded = decode_result(encoded, world, {"Room": world})
    assert decoded["self"] is world and decoded["agent"] is ann and decoded["$odd"] is True
    assert decoded["dimension"].to_dict() == dimension.to_dict()
    with pytest.raises(NotRecordable):
        encode_result({1: "non-string key"}, None)
