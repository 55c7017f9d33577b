"""The notebook displays in a real Jupyter kernel (nbclient), then each HTML output in headless Chromium.

A notebook built here with nbformat runs a world's step, a survey with a segment breakdown and
an inline run report on the scripted model; its executed outputs must be ``text/html``. Each
output is then opened in Chromium inside a page with the notebook's kind of restrictions (no
network, no script) to check that its tables and charts are drawn and that its style stays
inside it. Skips when nbclient/ipykernel are missing (``pip install "tinytroupe[jupyter]"``);
the Chromium part skips when Chromium is not installed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tinytroupe.cli.main import app

from .browser_support import Browser, chromium_path

nbformat = pytest.importorskip("nbformat", reason='needs nbformat: pip install "tinytroupe[jupyter]"')
nbclient = pytest.importorskip("nbclient", reason='needs nbclient: pip install "tinytroupe[jupyter]"')
pytest.importorskip("ipykernel", reason='needs ipykernel: pip install "tinytroupe[jupyter]"')

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "examples" / "scenarios" / "product_survey.toml"

SETUP = """
from IPython.display import display
from tinytroupe import llm
from tinytroupe.llm.providers.scripted_replies import offline_responder
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.report import RunReport, SurveyView
from tinytroupe.survey import LikertQuestion, SingleChoiceQuestion, Survey

llm.set_default_model(llm.ScriptedModel(responder=offline_responder()))
people = []
for name, nationality in (("Ana", "Portuguese"), ("Ben", "British"), ("Carla", "Portuguese"), ("Dev", "British")):
    person = TinyPerson(name)
    person.define("nationality", nationality)
    people.append(person)

def answer(request):
    who = request.tags["agent"]
    if "channel" in request.messages[0].content.lower():
        return {"answer": "online" if who in ("Ana", "Ben") else "store", "justification": ""}
    return {"answer": {"Ana": 4, "Ben": 2, "Carla": 5, "Dev": 3}[who], "justification": ""}
"""
WORLD = """
world = TinyWorld("Tasting room", people)
world.broadcast("Try the new oat drink and say what you think.")
world.run(1)
world
"""
SURVEY_CELL = """
questions = [LikertQuestion(text="How appealing?", name="appeal"),
             SingleChoiceQuestion(text="Which channel?", name="channel", options=["online", "store"])]
result = Survey(questions).run(people, model=llm.ScriptedModel(responder=answer))
display(SurveyView(result, by="nationality"))
"""
REPORT = "display(RunReport({folder!r}))"

# what each output must draw: CSS selector -> least count of elements with a visible box
EXPECTED = {
    "world": {"table.tt-agents tbody tr": 4, "details.tt-step": 1, "li.tt-event": 1},
    "survey": {"table.tt-answers tbody tr": 4, "table.tt-segment-table tbody tr": 2, "svg.tt-chart": 3,
               "rect.tt-bar": 2},
    "report": {"#results-table tbody tr": 1, "svg.tt-chart": 1, "rect.tt-bar": 1, "details.tt-step": 1,
               "#people-table tbody tr": 1},
}
COUNT = """JSON.stringify(Object.fromEntries(Object.keys(%s).map(sel => [sel,
  Array.from(document.querySelectorAll('#cell ' + sel)).filter(e => { const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0; }).length])))"""
OUTSIDE = """JSON.stringify({th: getComputedStyle(document.querySelector('#outside th')).backgroundColor,
  font: getComputedStyle(document.querySelector('#outside')).fontFamily,
  inside: getComputedStyle(document.querySelector('#cell th')).backgroundColor,
  resources: performance.getEntriesByType('resource').length})"""
HOST = """<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy"
content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><style>body{font-family:serif}</style></head>
<body><table id="outside"><tr><th>notebook</th></tr></table><div id="cell">%s</div></body></html>"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook's cells run in a python3 kernel: ``{"world"|"survey"|"report": html}``."""
    run_dir = tmp_path_factory.mktemp("survey_run")
    result = CliRunner().invoke(app, ["--model", "scripted", "run", str(SURVEY), "--out", str(run_dir)])
    assert result.exit_code == 0, result.stderr
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[v4.new_code_cell(SETUP), v4.new_code_cell(WORLD), v4.new_code_cell(SURVEY_CELL),
                                v4.new_code_cell(REPORT.format(folder=str(run_dir)))])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(
        tmp_path_factory.mktemp("nb"))}})
    client.execute(env=env)
    out = {}
    for name, cell in zip(("world", "survey", "report"), nb.cells[1:], strict=True):
        assert not [o for o in cell.outputs if o["output_type"] == "error"], f"{name}: {cell.outputs}"
        htmls = [o["data"]["text/html"] for o in cell.outputs
                 if 'class="tt-nb"' in o.get("data", {}).get("text/html", "")]  # the console's lines are HTML too
        assert len(htmls) == 1, f"{name}: {len(htmls)} displays among {len(cell.outputs)} outputs"
        out[name] = htmls[0]
    return out


def test_the_kernel_shows_each_result_as_html(executed):
    assert 'data-tt="world"' in executed["world"] and "Tasting room" in executed["world"]
    assert 'data-kind="TALK"' in executed["world"]
    assert "Answers by nationality" in executed["survey"] and "Portuguese" in executed["survey"]
    assert '<section id="results">' in executed["report"] and "<svg" in executed["report"]
    for text in executed.values():
        assert "<script" not in text and "<iframe" not in text


@pytest.mark.skipif(chromium_path() is None, reason="Chromium is not installed (apt-get install chromium)")
def test_each_output_draws_its_tables_and_charts_in_chromium(executed, tmp_path):
    with Browser() as browser:
        for name, text in executed.items():
            page = tmp_path / f"{name}.html"
            page.write_text(HOST % text, encoding="utf-8")
            browser.open(page)
            counts = json.loads(browser.evaluate(COUNT % json.dumps(EXPECTED[name])))
            for selector, least in EXPECTED[name].items():
                assert counts[selector] >= least, f"{name}: {selector} drew {counts[selector]}, expected {least}+"
            styles = json.loads(browser.evaluate(OUTSIDE))
            assert styles["inside"] == "rgb(238, 241, 245)"  # the report's header cells, inside the fragment
            assert styles["th"] == "rgba(0, 0, 0, 0)" and "serif" == styles["font"]  # the notebook is untouched
            assert styles["resources"] == 0
            shot = browser.screenshot()
            assert shot.startswith(b"\x89PNG") and len(shot) > 5000
            (tmp_path / f"{name}.png").write_bytes(shot)
        assert browser.errors() == []
