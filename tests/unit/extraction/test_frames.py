"""A run as tables: transcript, actions, people and results with fixed columns, in pandas, Parquet, CSV, JSON."""

from __future__ import annotations

import builtins
import csv
import json

import pandas as pd
import pytest

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.errors import MissingExtraError, SpecificationError
from tinytroupe.extraction.frames import TABLES, run_tables, to_frames, write_tables
from tinytroupe.survey import LikertQuestion, Survey

COLUMNS = {name: [c for c, _ in cols] for name, cols in TABLES.items()}


def small_world(scripted):
    scripted.default = {"action": {"type": "TALK", "content": "=HYPERLINK(\"x\") is a bad idea", "target": ""},
                        "cognitive_state": {}}
    people = []
    for name, age, nationality in (("Ana", 23, "Portuguese"), ("Ben", 41, "German")):
        person = TinyPerson(name)
        person.define("age", age)
        person.define("nationality", nationality)
        person.define("occupation", {"title": "Nurse", "organization": "=cmd|' /C calc'!A0"})
        people.append(person)
    world = TinyWorld("Street", people)
    world.broadcast("Would you buy it?")
    world.run(1)
    return world


def results_document():
    return {"extractions": [
        {"name": "answers", "scope": "agent", "results": {"Ana": {"appeal": 4, "buy": True, "why": "price"},
                                                          "Ben": {"appeal": "2", "buy": False, "why": "-1 pound"}}},
        {"name": "overview", "scope": "world", "world": "Street",
         "results": {"share": 0.5, "per_agent": {"Ana": {"share": 1.0}}}}]}


def test_world_tables_have_the_documented_columns(scripted):
    world = small_world(scripted)
    frames = to_frames(world, results=results_document())
    for name, frame in frames.items():
        assert list(frame.columns) == COLUMNS[name]
    transcript, actions, people, results = (frames[k] for k in ("transcript", "actions", "people", "results"))
    assert set(transcript["kind"]) >= {"agent.stimulus", "agent.action", "world.step"}
    assert list(transcript["seq"]) == sorted(transcript["seq"])
    assert (transcript.loc[transcript["kind"] == "agent.action", "step"] == 1).all()
    assert set(actions["type"]) == {"TALK"} and set(actions["agent"]) == {"Ana", "Ben"}
    assert people.set_index("name").loc["Ben", "age_band"] == "35-44"
    assert people.set_index("name").loc["Ana", "occupation"] == "Nurse"
    assert str(people["age"].dtype) == "Int64" and str(results["number"].dtype) == "Float64"
    row = results[(results.respondent == "Ben") & (results.field == "appeal")].iloc[0]
    assert row["value"] == "2" and row["number"] == 2.0
    assert results[(results.respondent == "Ana") & (results.field == "buy")].iloc[0]["number"] == 1.0
    assert set(results["scope"]) == {"agent", "world", "per_agent"}


def test_run_folder_round_trips_through_parquet_csv_and_json(scripted, tmp_path):
    world = small_world(scripted)
    folder = tmp_path / "run"
    world.save_transcript(str(folder / "transcript.jsonl"))
    world.save(folder / "state.json")
    (folder / "results.json").write_text(json.dumps(results_document()), encoding="utf-8")
    rows = run_tables(folder)
    assert len(rows["people"]) == 2 and len(rows["results"]) == 8 and rows["transcript"]
    written = write_tables(folder, folder / "tables", "parquet")
    for name, path in written.items():
        back = pd.read_parquet(path)
        assert list(back.columns) == COLUMNS[name] and len(back) == len(rows[name])
    assert pd.read_parquet(written["people"])["age"].tolist() == [23, 41]
    csvs = write_tables(folder, folder / "tables", "csv")
    with open(csvs["people"], encoding="utf-8") as fh:
        people = list(csv.DictReader(fh))
    assert json.loads(people[0]["persona"])["name"] == "Ana" and people[1]["age_band"] == "35-44"
    with open(csvs["actions"], encoding="utf-8") as fh:
        contents = [r["content"] for r in csv.DictReader(fh)]
    assert contents and all(c.startswith("'=HYPERLINK") for c in contents)  # formulas neutralised
    with open(csvs["results"], encoding="utf-8") as fh:
        assert any(r["value"] == "'-1 pound" for r in csv.DictReader(fh))
    jsons = write_tables(folder, folder / "tables", "json")
    assert json.loads(jsons["results"].read_text(encoding="utf-8"))[0].keys() == set(COLUMNS["results"])


def test_survey_results_become_result_rows():
    def answer(request):
        return {"answer": 5 if request.tags["agent"] == "P1" else 2, "justification": "because"}

    result = Survey([LikertQuestion(text="Buy?", name="buy")]).run(
        [TinyPerson("P1"), TinyPerson("P2")], model=llm.ScriptedModel(responder=answer))
    frame = to_frames(result)["results"]
    assert frame[["respondent", "field", "number"]].values.tolist() == [["P1", "buy", 5.0], ["P2", "buy", 2.0]]
    assert to_frames(result)["transcript"].empty and list(to_frames(result)["people"].columns) == COLUMNS["people"]


def test_missing_extras_and_bad_sources_say_what_to_do(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def without(*names):
        def fake(name, *args, **kwargs):
            if name.split(".")[0] in names:
                raise ImportError(name)
            return real_import(name, *args, **kwargs)
        return fake

    monkeypatch.setattr(builtins, "__import__", without("pyarrow"))
    with pytest.raises(MissingExtraError, match=r'pip install "tinytroupe\[parquet\]"'):
        write_tables(results_document(), tmp_path / "t", "parquet")
    assert not (tmp_path / "t").exists()
    assert write_tables(results_document(), tmp_path / "t", "csv")["results"].is_file()  # csv needs nothing
    monkeypatch.setattr(builtins, "__import__", without("pandas"))
    with pytest.raises(MissingExtraError, match=r'pip install "tinytroupe\[analysis\]"'):
        to_frames(results_document())
    monkeypatch.setattr(builtins, "__import__", real_import)
    with pytest.raises(SpecificationError, match="table format 'xlsx' unknown"):
        write_tables(results_document(), tmp_path, "xlsx")
    with pytest.raises(SpecificationError, match="no transcript.jsonl"):
        run_tables(tmp_path / "t")
    with pytest.raises(SpecificationError, match="not a folder"):
        run_tables(tmp_path / "nowhere")
