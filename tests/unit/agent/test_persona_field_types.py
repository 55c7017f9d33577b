"""Persona fields of the wrong type: a name that is not a text is refused; other well-known
fields of an unusual type are kept (as the original does), with a warning naming file and field."""

from __future__ import annotations

import json

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.errors import SpecificationError


def _write(tmp_path, persona: dict):
    path = tmp_path / "someone.agent.json"
    path.write_text(json.dumps({"type": "TinyPerson", "persona": persona}), encoding="utf-8")
    return path


def test_a_name_that_is_not_text_is_refused_naming_file_and_field(tmp_path):
    path = _write(tmp_path, {"name": 42})
    with pytest.raises(SpecificationError, match=r"someone\.agent\.json: field 'persona\.name' must be a text, got int"):
        TinyPerson.load_specification(path)


def test_unusual_types_load_with_a_warning_naming_the_field(tmp_path):
    path = _write(tmp_path, {"name": "Ana", "age": "forty-one", "occupation": 17, "nationality": "Portuguese"})
    with pytest.warns(UserWarning) as caught:
        agent = TinyPerson.load_specification(path)
    said = [str(w.message) for w in caught]
    assert any("someone.agent.json" in m and "'persona.age'" in m and "whole number" in m for m in said)
    assert any("'persona.occupation'" in m and "int 17" in m for m in said)
    assert not any("nationality" in m for m in said)
    assert agent.persona["age"] == "forty-one"
