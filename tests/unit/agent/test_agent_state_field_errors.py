"""A damaged memory in a saved agent: the error names the file and the field (and the item)."""

from __future__ import annotations

import json

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.errors import StateError


@pytest.fixture
def saved(tmp_path, scripted):
    scripted.default = "x"
    agent = TinyPerson("Ana")
    agent.listen("hello")
    agent.think("hmm")
    path = agent.save(tmp_path / "ana.agent.json")
    TinyPerson.clear_agents()
    return path


@pytest.mark.parametrize("key,bad,where", [
    ("episodic_memory", "item", r"field 'episodic_memory': item \[1\]"),
    ("semantic_memory", 5, r"field 'semantic_memory'"),
])
def test_memory_errors_name_the_file_and_the_field(saved, key, bad, where):
    doc = json.loads(saved.read_text(encoding="utf-8"))
    if bad == "item":
        doc[key][1] = {"role": 5}
    else:
        doc[key] = bad
    saved.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(StateError, match=rf"^{saved}: agent state {where}") as caught:
        TinyPerson.load(saved)
    assert ": :" not in str(caught.value)
