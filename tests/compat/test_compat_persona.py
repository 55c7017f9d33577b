"""The original's persona conveniences: item access, "+", relationships, pp_*, folder loading."""

from __future__ import annotations

import json

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.errors import SpecificationError
from tinytroupe.examples import example_fragment_path


def test_item_access_reads_and_defines_persona_fields():
    ann = TinyPerson("Ann")
    ann["age"] = 41
    ann["occupation"] = {"title": "Baker"}
    assert ann["age"] == 41 and ann.get("age") == 41
    assert ann["occupation.title"] == "Baker"
    assert ann["no_such_field"] is None
    with pytest.raises(TypeError, match="persona keys are strings"):
        ann[0]
    with pytest.raises(TypeError, match="not iterable"):
        iter(ann)


def test_plus_merges_dicts_and_fragment_files_and_returns_the_agent():
    ann = TinyPerson("Ann")
    same = ann + {"skills": ["Sourdough."], "preferences": {"likes": ["Rye."]}}
    assert same is ann and ann["skills"] == ["Sourdough."]
    ann + str(example_fragment_path("night_owl"))
    assert "Early meetings." in ann["preferences.dislikes"] and "Rye." in ann["preferences.likes"]
    ann += {"skills": ["Croissants."]}
    assert ann["skills"] == ["Sourdough.", "Croissants."]
    with pytest.raises(TypeError, match="dict of persona definitions"):
        ann + 3


def test_relationships_are_defined_extended_cleared_and_symmetric():
    ann, bob = TinyPerson("Ann"), TinyPerson("Bob")
    ann.define_relationships([{"name": "Cy", "description": "Her boss."}])
    ann.define_relationships({"Name": "Di", "Description": "Her sister."}, replace=False)
    assert ann["relationships"] == [{"name": "Cy", "description": "Her boss."},
                                    {"Name": "Di", "Description": "Her sister."}]  # kept as written
    assert ann.related_to(bob, "Her neighbour.", symmetric_description="His neighbour.") is ann
    assert ann["relationships"][-1] == {"name": "Bob", "description": "Her neighbour."}
    assert bob["relationships"] == [{"name": "Ann", "description": "His neighbour."}]
    assert ann.clear_relationships()["relationships"] == []
    with pytest.raises(SpecificationError, match="has no 'name'"):
        ann.define_relationships([{"description": "nobody"}])
    with pytest.raises(SpecificationError, match="list of"):
        ann.define_relationships("Cy")


def test_relationships_reach_the_prompt(scripted):
    from tinytroupe.testing.agent_replies import act_reply

    ann, bob = TinyPerson("Ann"), TinyPerson("Bob")
    ann.related_to(bob, "Her old friend from school.")
    scripted.queue(act_reply(("THINK", "Hm.")))
    ann.listen_and_act("Hello")
    assert "Her old friend from school." in scripted.requests[0].messages[0].content


def test_pp_current_interactions_prints_the_remembered_events(capsys):
    ann = TinyPerson("Ann")
    ann.listen("Good morning, Ann!", source="Bob")
    ann.pp_current_interactions()
    ann.pp_last_interactions(1)
    out = capsys.readouterr().out
    assert out.count("Good morning, Ann!") == 2 and "Bob" in out


def test_folder_loading_cloning_and_names(tmp_path):
    for name in ("Ann", "Bob"):
        (tmp_path / f"{name}.agent.json").write_text(json.dumps({"type": "TinyPerson", "persona": {"name": name, "age": 30}}))
    (tmp_path / "notes.txt").write_text("not an agent")
    loaded = TinyPerson.load_specifications_from_folder(tmp_path)
    assert [a.name for a in loaded] == ["Ann", "Bob"]
    clone = loaded[0].create_new_agent_from_current_spec("Ann Two")
    assert clone["age"] == 30 and clone.name == "Ann Two"
    assert TinyPerson.all_agents_names() == ["Ann", "Bob", "Ann Two"]
    assert loaded[0].iso_datetime() is None
    with pytest.raises(SpecificationError, match="not a folder"):
        TinyPerson.load_specifications_from_folder(tmp_path / "missing")


def test_communication_display_switches_on_the_class_the_agent_and_the_call(scripted):
    from tinytroupe import events
    from tinytroupe.testing.agent_replies import act_reply

    ann, bob = TinyPerson("Ann"), TinyPerson("Bob")
    scripted.responder = lambda request: act_reply(("THINK", "Hm."))
    shown = []
    with events.collect(["agent.stimulus", "agent.action"]) as seen:
        ann.listen("one")
        bob.communication_display = False
        bob.listen("two")
        bob.listen("three", communication_display=True)
        TinyPerson.communication_display = False
        try:
            ann.listen_and_act("four")
        finally:
            TinyPerson.communication_display = True
    for event in seen.events:
        data = event.data if isinstance(event.data, dict) else vars(event.data)
        shown.append((data.get("content"), data.get("display")))
    assert ("one", True) in shown and ("two", False) in shown and ("three", True) in shown
    assert ("four", False) in shown and ("Hm.", False) in shown


def test_a_second_world_with_a_taken_name_does_not_replace_the_first(caplog):
    import logging

    from tinytroupe.environment import TinyWorld

    first = TinyWorld("Town")
    with caplog.at_level(logging.WARNING, logger="tinytroupe"):
        second = TinyWorld("Town")
    assert TinyWorld.get_environment_by_name("Town") is first
    assert TinyWorld.get_environment_by_name("Town#2") is second
    assert any("already exists" in r.getMessage() and "Town#2" in r.getMessage() for r in caplog.records)


def test_the_originals_episodic_memory_methods(scripted):
    from tinytroupe.testing.agent_replies import act_reply

    ann = TinyPerson("Ann")
    scripted.queue(act_reply(("TALK", "Hello Bob, nice to see you again today.")))
    ann.listen_and_act("Hi Ann", source="Bob")
    last = ann.last_remembered_action()
    assert (last["type"], last["content"]) == ("TALK", "Hello Bob, nice to see you again today.")
    for i in range(5):
        ann.store_in_memory({"role": "stimulus", "type": "THOUGHT", "content": f"thought {i}"})
    first_last = ann.retrieve_memories(first_n=1, last_n=1, max_content_length=6)
    assert first_last[0]["role"] == "user"  # the original's memory items
    assert first_last[0]["content"]["stimuli"][0]["content"] == "Hi Ann"
    assert first_last[-1]["content"]["stimuli"][0]["content"] == "though (...)"
    assert len(first_last) == 3  # with the omission note between them
    assert len(ann.retrieve_recent_memories()) == len(ann.episodic_memory)
    ann.clear_episodic_memory(max_suffix_to_clear=5)
    assert "thought 4" not in str(ann.retrieve_memories(None, None)[-1])
    ann.clear_episodic_memory()
    assert ann.retrieve_memories(None, None) == [] and ann.last_remembered_action() is None
