"""Scenario files: what a valid file becomes, and one-line errors with file, line, key and fix."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from tinytroupe.cli.scenario import ScenarioError, load_scenario, parse_scenario
from tinytroupe.cli.toml_lines import format_path, line_of
from tinytroupe.errors import SpecificationError

GOOD = """
title = "Test"
[model]
provider = "scripted"
seed = 4
temperature = 0.5
[[agents]]
example = "lisa"
[[agents]]
file = "people/bob.agent.json"
fragments = ["night_owl"]
[[agents]]
factory = { n = 2, describe = "bakers" }
[world]
kind = "social_network"
start = 2025-01-02T09:00:00
minutes_per_step = 30
[[world.relations]]
name = "friends"
agents = ["Lisa", "Bob"]
[[script]]
broadcast = "hello"
[[script]]
stimulus = { to = "Lisa", type = "visual", content = "a poster" }
[[script]]
run = 2
[[script]]
context = ["a park"]
[[script]]
run = 1
"""


def parse(text: str, tmp_path, name: str = "s.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_scenario(path)


def test_a_valid_scenario_is_read_into_plain_values(tmp_path):
    (tmp_path / "people").mkdir()
    (tmp_path / "people" / "bob.agent.json").write_text('{"type": "TinyPerson", "persona": {"name": "Bob"}}')
    s = parse(GOOD, tmp_path)
    assert s.title == "Test" and s.model.provider == "scripted" and s.model.seed == 4
    assert [a.example for a in s.agents] == ["lisa", None, None]
    assert s.agents[1].file == tmp_path / "people" / "bob.agent.json" and s.agents[1].fragments == ("night_owl",)
    assert s.agents[2].factory.n == 2 and s.agents[2].factory.describe == "bakers"
    assert s.world.kind == "social_network" and s.world.start == dt.datetime(2025, 1, 2, 9)
    assert s.world.relations[0].agents == ("Lisa", "Bob")
    assert [st.action for st in s.script] == ["broadcast", "stimulus", "run", "context", "run"]
    assert s.script[1].value == {"to": "Lisa", "type": "visual", "content": "a poster"}
    assert s.total_steps == 3
    assert s.outputs.dir == tmp_path / "out" / "s"  # default: next to the file
    assert s.outputs.paths()["transcript"].name == "transcript.jsonl"


@pytest.mark.parametrize("text, line, key, words", [
    ('[[agents]]\nexampel = "lisa"\n[[script]]\nrun = 1\n', 2, "agents[1].exampel", "did you mean 'example'"),
    ('[[agents]]\nexample = "lisa"\n[[script]]\nrun = 0\n', 4, "script[1].run", "at least 1"),
    ('[[agents]]\nexample = "lisa"\n[world]\nkind = "mesh"\n[[script]]\nrun = 1\n', 4, "world.kind",
     "plain, social_network"),
    ('[[agents]]\nexample = "lisa"\n[[script]]\nbroadcast = "hi"\n', 3, "script", "run = 1"),
    ('[[agents]]\nexample = "lisa"\nfile = "x.agent.json"\n[[script]]\nrun = 1\n', 1, "agents[1]", "exactly one of"),
    ('[[agents]]\nexample = "lisa"\n[[agents]]\nfactory = { describe = "x" }\n[[script]]\nrun = 1\n', 4,
     "agents[2].factory", "n = 3"),
    ('[[agents]]\nexample = "lisa"\n[[script]]\nstimulus = { to = "Lisa", type = "smell", content = "x" }\n'
     '[[script]]\nrun = 1\n', 4, "script[1].stimulus.type", "conversation, visual"),
    ('[[agents]]\nfile = "nobody.agent.json"\n[[script]]\nrun = 1\n', 2, "agents[1].file", "not found"),
    ('[[script]]\nrun = 1\n', None, "(top level)", "no agents"),
    ('title = "x"\n[[agents]\nexample = "lisa"\n', 2, "TOML syntax", "fix the syntax"),
])
def test_mistakes_give_one_line_naming_file_line_key_and_fix(tmp_path, text, line, key, words):
    with pytest.raises(ScenarioError) as info:
        parse(text, tmp_path, "bad.toml")
    err = info.value
    message = str(err)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "bad.toml"))
    assert err.line == line and err.key == key
    assert (f"line {line}" in message) == (line is not None)
    assert words in message
    assert isinstance(err, SpecificationError)


def test_a_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "missing.toml")


def test_relations_need_a_social_network(tmp_path):
    text = '[[agents]]\nexample = "lisa"\n[world]\nname = "w"\n[[world.relations]]\nagents = ["a", "b"]\n' \
           '[[script]]\nrun = 1\n'
    with pytest.raises(ScenarioError, match='kind = "social_network"'):
        parse(text, tmp_path)


def test_line_of_finds_keys_in_arrays_of_tables_and_inline_tables():
    text = textwrap.dedent("""\
        title = "t"
        [[agents]]
        example = "a"
        [[agents]]
        factory = { n = 2 }
        [world]
        name = "w"
        [[world.relations]]
        agents = ["a", "b"]
        """)
    assert line_of(text, ("title",)) == 1
    assert line_of(text, ("agents", 1)) == 4
    assert line_of(text, ("agents", 1, "factory", "n")) == 5
    assert line_of(text, ("world", "name")) == 7
    assert line_of(text, ("world", "relations", 0, "agents")) == 9
    assert line_of(text, ("script",)) is None
    assert format_path(("world", "relations", 0, "agents")) == "world.relations[1].agents"


def test_parse_scenario_resolves_paths_against_the_given_file(tmp_path):
    s = parse_scenario('[[agents]]\nexample = "lisa"\n[[script]]\nrun = 1\n[outputs]\ndir = "results"\n',
                       tmp_path / "sub" / "x.toml")
    assert s.outputs.dir == tmp_path / "sub" / "results"
