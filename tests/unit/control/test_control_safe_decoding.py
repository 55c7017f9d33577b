"""Checkpoints are plain data: decoding imports nothing; only registered state types come back."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import pytest
from control_support import run_scenario

from tinytroupe import control
from tinytroupe.contracts import STATE_TYPES, register_state_type
from tinytroupe.control.codec import NotRecordable, decode_result, encode_result
from tinytroupe.errors import StateError


def _plant_module(tmp_path, monkeypatch):
    marker = tmp_path / "imported.marker"
    (tmp_path / "planted_module.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('imported')\nclass Thing:\n"
        "    @classmethod\n    def from_dict(cls, data):\n        return cls()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return marker


def test_a_checkpoint_naming_an_unregistered_type_is_refused_and_imports_nothing(tmp_path, monkeypatch):
    marker = _plant_module(tmp_path, monkeypatch)
    path = tmp_path / "sim.json"
    run_scenario(path)
    document = json.loads(path.read_text())
    key = next(iter(document["records"]))
    document["records"][key]["result"] = {"$object": "planted_module:Thing", "data": {}}
    path.write_text(json.dumps(document))
    before = path.read_bytes()
    with pytest.raises(StateError) as caught:
        run_scenario(path)
    message = str(caught.value)
    assert str(path) in message and key in message and "planted_module:Thing" in message
    assert "register_state_type" in message
    assert not marker.exists() and "planted_module" not in sys.modules
    assert path.read_bytes() == before  # the file is left as it was
    assert control.current_simulation() is None


def test_decode_refuses_unregistered_names_even_nested(tmp_path, monkeypatch):
    marker = _plant_module(tmp_path, monkeypatch)
    value = {"list": [1, {"$object": "planted_module:Thing", "data": {}}]}
    with pytest.raises(StateError, match="entry 7"):
        decode_result(value, None, {}, where="shared.json, entry 7")
    assert not marker.exists()


@dataclass
class Verdict:
    label: str
    score: int

    def to_dict(self) -> dict:
        return {"label": self.label, "score": self.score}

    @classmethod
    def from_dict(cls, data: dict) -> Verdict:
        return cls(data["label"], int(data["score"]))


def test_registered_types_round_trip_and_unregistered_ones_are_not_recorded():
    with pytest.raises(NotRecordable, match="register"):
        encode_result(Verdict("ok", 3), None)
    register_state_type(Verdict)
    try:
        encoded = encode_result([Verdict("ok", 3)], None)
        assert encoded == [{"$object": f"{__name__}:Verdict", "data": {"label": "ok", "score": 3}}]
        assert decode_result(encoded, None, {}) == [Verdict("ok", 3)]
    finally:
        STATE_TYPES.pop(f"{__name__}:Verdict", None)


def test_library_value_types_are_registered():
    from tinytroupe.agent.actions import Action

    encoded = encode_result(Action("TALK", "hi", "Bob"), None)
    assert encoded["$object"] == "tinytroupe.agent.actions:Action"
    assert decode_result(encoded, None, {}) == Action("TALK", "hi", "Bob")
