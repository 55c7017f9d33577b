"""Persona definition, merging, specification files (incl. every compat file) and the name registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.errors import SimulationError, SpecificationError

COMPAT = Path(__file__).resolve().parents[3].parent / "shared" / "compat" / "tinytroupe-0.6.0"
AGENT_FILES = sorted((COMPAT / "agents").glob("*.json")) + sorted((COMPAT / "saved-agents").glob("*.json"))
FRAGMENT_FILES = sorted((COMPAT / "fragments").glob("*.json"))
needs_compat = pytest.mark.skipif(not COMPAT.is_dir(), reason=f"compat files not found at {COMPAT}")


def test_define_sets_and_dict_merges():
    p = TinyPerson("Ana")
    p.define("age", 31).define("occupation", {"title": "Nurse"})
    p.define({"occupation": {"organization": "Santa Maria"}, "skills": ["triage"]})
    p.define({"skills": ["triage", "IV lines"]})
    assert p.get("occupation.title") == "Nurse"
    assert p.get("occupation.organization") == "Santa Maria"
    assert p.get("skills") == ["triage", "IV lines"]
    assert p.get("skills.1") == "IV lines"
    assert p.get("missing.path", "none") == "none"
    p.define("occupation", {"title": "Head nurse"})  # define(key, value) replaces
    assert p.get("occupation") == {"title": "Head nurse"}
    p.define("occupation.organization", "CUF")  # dot paths create the nesting
    assert p.persona["occupation"] == {"title": "Head nurse", "organization": "CUF"}


def test_persona_property_is_a_copy():
    p = TinyPerson("Ana")
    p.persona["age"] = 99
    assert p.get("age") is None


def test_include_persona_definitions_dedupes_lists_and_rejects_conflicts():
    p = TinyPerson("Ana")
    p.define({"age": 30, "beliefs": ["a"], "preferences": {"likes": ["tea"]}})
    p.include_persona_definitions({"beliefs": ["a", "b"], "preferences": {"likes": ["tea", "cats"]}, "age": 30})
    assert p.get("beliefs") == ["a", "b"]
    assert p.get("preferences.likes") == ["tea", "cats"]
    with pytest.raises(SpecificationError, match="age"):
        p.include_persona_definitions({"age": 45})
    assert p.get("age") == 30  # unchanged after a failed include


def test_renaming_through_define_keeps_the_registry_in_sync():
    p = TinyPerson("Ana")
    TinyPerson("Rui")
    p.define("name", "Ana Sousa")
    assert TinyPerson.get_agent_by_name("Ana Sousa") is p
    assert not TinyPerson.has_agent("Ana")
    with pytest.raises(SimulationError, match="already exists"):
        p.define("name", "Rui")
    assert p.name == "Ana Sousa"


def test_names_are_unique_and_auto_rename_picks_a_free_one():
    TinyPerson("Lisa")
    with pytest.raises(SimulationError, match="auto_rename"):
        TinyPerson("Lisa")
    assert TinyPerson.unique_name("Lisa") == "Lisa 2"
    spec = {"type": "TinyPerson", "persona": {"name": "Lisa", "age": 3}}
    other = TinyPerson.load_specification(spec, auto_rename=True)
    assert other.name == "Lisa 2" and other.get("age") == 3
    renamed = TinyPerson.load_specification(spec, new_agent_name="Lisa B")
    assert renamed.name == "Lisa B" and TinyPerson.get_agent_by_name("Lisa B") is renamed
    TinyPerson.clear_agents()
    assert TinyPerson.get_agent_by_name("Lisa") is None and TinyPerson.all_agents == {}


@needs_compat
@pytest.mark.parametrize("path", AGENT_FILES, ids=lambda p: p.name)
def test_every_compat_agent_loads_and_round_trips(path, tmp_path):
    original = json.loads(path.read_text(encoding="utf-8"))
    agent = TinyPerson.load_specification(path)
    assert agent.persona == original["persona"]
    assert agent.name == original["persona"]["name"]
    out = tmp_path / "saved.agent.json"
    agent.save_specification(out, include_memory=True)
    TinyPerson.clear_agents()
    again = TinyPerson.load_specification(out)
    assert again.persona == agent.persona


@needs_compat
@pytest.mark.parametrize("path", FRAGMENT_FILES, ids=lambda p: p.name)
def test_every_compat_fragment_imports(path):
    fragment = json.loads(path.read_text(encoding="utf-8"))["persona"]
    agent = TinyPerson("Frag Target")
    agent.define("age", 40)
    agent.import_fragment(path)
    for key in fragment:
        assert agent.get(key) == fragment[key]
    assert agent.get("age") == 40


@needs_compat
def test_fragment_merges_into_a_full_agent_without_losing_anything():
    agent = TinyPerson.load_specification(COMPAT / "agents" / "Lisa.agent.json")
    before = agent.get("preferences.interests")
    agent.import_fragment(COMPAT / "fragments" / "travel_enthusiast.agent.fragment.json")
    after = agent.get("preferences.interests")
    assert after[: len(before)] == before and len(after) > len(before)


def test_bad_json_names_file_line_and_column(tmp_path):
    bad = tmp_path / "broken.agent.json"
    bad.write_text('{"type": "TinyPerson",\n  "persona": {"name": "X",}\n', encoding="utf-8")
    with pytest.raises(SpecificationError) as info:
        TinyPerson.load_specification(bad)
    message = str(info.value)
    assert "broken.agent.json" in message and "line 2" in message and "column" in message


def test_wrong_type_and_missing_name_are_named(tmp_path):
    frag = tmp_path / "x.fragment.json"
    frag.write_text(json.dumps({"type": "Fragment", "persona": {"beliefs": ["b"]}}), encoding="utf-8")
    with pytest.raises(SpecificationError, match=r"x\.fragment\.json.*'type'.*import_fragment"):
        TinyPerson.load_specification(frag)
    nameless = tmp_path / "nameless.agent.json"
    nameless.write_text(json.dumps({"type": "TinyPerson", "persona": {"age": 3}}), encoding="utf-8")
    with pytest.raises(SpecificationError, match=r"nameless\.agent\.json.*persona\.name"):
        TinyPerson.load_specification(nameless)
    agent_file = tmp_path / "a.agent.json"
    agent_file.write_text(json.dumps({"type": "TinyPerson", "persona": {"name": "A"}}), encoding="utf-8")
    with pytest.raises(SpecificationError, match=r"a\.agent\.json.*'type'"):
        TinyPerson("B").import_fragment(agent_file)
    with pytest.raises(SpecificationError, match="not found"):
        TinyPerson.load_specification(tmp_path / "nope.agent.json")
    with pytest.raises(SpecificationError, match="'persona'"):
        TinyPerson.load_specification({"type": "TinyPerson", "persona": ["not", "a", "dict"]})


def test_saved_memory_is_restored_from_a_specification(tmp_path, scripted):
    agent = TinyPerson("Mem")
    agent.listen("remember the blue door", source="Ana")
    path = tmp_path / "mem.agent.json"
    agent.save_specification(path, include_memory=True)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["type"] == "TinyPerson" and "episodic_memory" in doc
    TinyPerson.clear_agents()
    again = TinyPerson.load_specification(path)
    assert [e.content for e in again.episodic_memory] == ["remember the blue door"]
    plain = tmp_path / "plain.agent.json"
    again.save_specification(plain)
    assert "episodic_memory" not in json.loads(plain.read_text(encoding="utf-8"))


def test_minibio_is_plain_text():
    p = TinyPerson("Ana")
    p.define({"age": 31, "occupation": {"title": "Nurse", "organization": "CUF"}, "residence": "Lisbon",
              "personality": {"traits": ["calm", "warm"]}, "preferences": {"interests": ["fado"]}})
    bio = p.minibio()
    assert bio.startswith("Ana is 31 years old, Nurse at CUF, living in Lisbon.")
    assert "calm" in bio and "fado" in bio
    assert "fado" not in p.minibio(extended=False)


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif value not in (None, ""):
        yield " ".join(str(value).split())


@needs_compat
@pytest.mark.parametrize("path", AGENT_FILES[:7], ids=lambda p: p.name)
def test_compact_persona_drops_no_detail_and_is_smaller_than_json(path):
    agent = TinyPerson.load_specification(path)
    text = agent.persona_text()
    for leaf in _leaves(agent.persona):
        assert leaf in text
    assert len(text) < len(json.dumps(agent.persona, indent=4))


def test_specification_extras_round_trip_and_can_be_suppressed(tmp_path):
    from tinytroupe.agent import RecallFaculty

    agent = TinyPerson("Extra", mental_faculties=[RecallFaculty()])
    agent.move_to("Lisbon", ["a holiday"])
    agent.listen("hello")
    path = tmp_path / "extra.agent.json"
    agent.save_specification(path, include_memory=True, include_mental_state=True)
    TinyPerson.clear_agents()
    again = TinyPerson.load_specification(path)
    assert [f.kind for f in again.mental_faculties] == ["RecallFaculty"]
    assert again.mental_state.location == "Lisbon" and len(again.episodic_memory) == 1
    bare = TinyPerson.load_specification(path, suppress_memory=True, suppress_mental_faculties=True,
                                         auto_rename_agent=True)
    assert bare.name == "Extra 2" and bare.mental_faculties == [] and len(bare.episodic_memory) == 0


def test_unreadable_extras_are_skipped_not_fatal():
    doc = {"type": "TinyPerson", "persona": {"name": "Odd"},
           "episodic_memory": [{"role": "assistant", "content": {"action": "x"}}],
           "mental_faculties": [{"kind": "SomethingElse"}, "FilesAndWebGroundingFaculty"]}
    agent = TinyPerson.load_specification(doc)
    assert agent.name == "Odd" and len(agent.episodic_memory) == 0 and agent.mental_faculties == []
