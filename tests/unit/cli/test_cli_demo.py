"""``tinytroupe demo``: each person's structured answer and a table, and README's sample of it.

The sample between README's ``demo-sample`` markers is pasted from a real run on the embedded
model (``tinytroupe --model local demo``). What a run prints that does not depend on the model
(the title, the question, who each line is about, the table's header and rows, where the files
are) must equal what the demo prints today, run here with the scripted model; what the model
chose must be internally consistent (every answer and reason one of the allowed ones, the table
counting the answers above it) and the sample must say it came from the embedded model.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tinytroupe.cli.demo import ANSWERS, PEOPLE, QUESTION, REASONS

README = Path(__file__).resolve().parents[3] / "README.md"


def _sample() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- demo-sample:start -->", "<!-- demo-sample:end -->"
    block = text[text.index(start) + len(start):text.index(end)].strip()
    assert block.startswith("```text") and block.endswith("```")
    return block.splitlines()[1:-1]


def _answers(lines: list[str]) -> list[tuple[str, str, str]]:
    """(who, answer, reason) of each answer line: ``who: answer, because reason``."""
    found = []
    for line in lines:
        if ": " in line and ", because " in line:
            who, said = line.split(": ", 1)
            answer, reason = said.split(", because ", 1)
            found.append((who, answer, reason))
    return found


def _table(lines: list[str]) -> dict[str, int]:
    head = lines.index("Would you buy it?  people")
    return {row.split()[0]: int(row.split()[-1]) for row in lines[head + 1:head + 1 + len(ANSWERS)]}


@pytest.fixture
def scripted_run(cli):
    result = cli("--model", "scripted", "demo", "--out", "demo-out")
    assert result.exit_code == 0, result.output
    return result


def test_the_demo_shows_each_persons_answer_and_a_table(scripted_run, tmp_path):
    lines = scripted_run.stdout.splitlines()
    answers = _answers(lines)
    assert [who.split(",")[0] for who, _, _ in answers] == ["Lisa", "Oscar", "Marcos"] == [p.title() for p in PEOPLE]
    assert all(a in ANSWERS and r in REASONS[a] for _, a, r in answers)
    table = _table(lines)
    assert list(table) == list(ANSWERS) and sum(table.values()) == 3
    assert table == {a: sum(1 for _, x, _ in answers if x == a) for a in ANSWERS}
    assert "3 model calls" in scripted_run.stdout
    for chatter in ("reached out", "REACH_OUT", "Embeddings:", "step 1", "[TALK]", "[THINK]"):
        assert chatter not in scripted_run.stdout
    with open(tmp_path / "demo-out" / "answers.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["buy"], r["reason"]) for r in rows] == [(a, r) for _, a, r in answers]
    data = json.loads((tmp_path / "demo-out" / "answers.json").read_text())
    assert data["question"] == QUESTION and len(data["answers"]) == 3


def test_the_demo_answers_as_json(cli):
    result = cli("--model", "scripted", "--json", "demo", "--out", "demo-out")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["usage"]["calls"] == 3 and len(data["answers"]) == 3
    assert data["usage"]["by_purpose"]["survey"]["calls"] == 3


def test_readme_sample_is_an_embedded_model_run_of_todays_demo(cli):
    result = cli("--model", "scripted", "demo")  # the default folder, as in the sample
    assert result.exit_code == 0, result.output
    sample, now = _sample(), result.stdout.splitlines()
    assert sample[0] == now[0]  # the title
    assert sample[1] == "Model: local: SmolLM2-135M-Instruct (embedded demo model)"
    assert sample[2] == now[2] == f"Question: {QUESTION}"
    sample_answers, now_answers = _answers(sample), _answers(now)
    assert [who for who, _, _ in sample_answers] == [who for who, _, _ in now_answers]
    assert all(a in ANSWERS and r in REASONS[a] for _, a, r in sample_answers)
    assert _table(sample) == {a: sum(1 for _, x, _ in sample_answers if x == a) for a in ANSWERS}
    assert next(x for x in sample if "model calls" in x).startswith("3 model calls · ")
    assert sample[-1] == now[-1] == "Answers saved to tinytroupe-out/demo/answers.csv and tinytroupe-out/demo/answers.json"
