"""An analyst writes a report with the word processor; it is exported as Markdown, DOCX and JSON.

    python examples/report_writer.py

The analyst gets notes from a survey and a request for a short report. Her WRITE_DOCUMENT
action goes through the TinyToolUse faculty to a TinyWordProcessor, whose exporter writes
``<out_dir>/Document/<title>.<author>.md|docx|json``. (``pip install 'tinytroupe[docx]'``)
"""

from __future__ import annotations

import os
from pathlib import Path

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.cli.extras import exit_unless_installed
from tinytroupe.extraction import ArtifactExporter
from tinytroupe.llm.base import LLMModel
from tinytroupe.tools import TinyToolUse, TinyWordProcessor

NOTES = ("Survey of 40 customers of a neighbourhood bakery: 28 want earlier opening hours (6:30), "
         "22 would pay more for organic flour, 9 complain about queues on Saturday mornings.")
REQUEST = ("Please write a short report for the owner with WRITE_DOCUMENT: a title, a summary, "
           "the findings as a Markdown table, and two recommendations.")


def make_analyst(out_dir: Path) -> TinyPerson:
    """Mara, a market analyst, with a word processor that exports to ``out_dir``."""
    mara = TinyPerson("Mara")
    mara.define({"age": 34, "occupation": {"title": "Market analyst", "organization": "a small consultancy",
                                           "description": "Mara turns survey results into clear advice."},
                 "style": "Precise, brief, likes tables."})
    mara.add_mental_faculty(TinyToolUse([TinyWordProcessor(owner=mara, exporter=ArtifactExporter(out_dir))]))
    return mara


def main(steps: int | None = None, model: LLMModel | None = None, out_dir: str | Path | None = None) -> dict:
    """Give Mara the notes and the request; let her act ``steps`` turns. Returns what she wrote."""
    exit_unless_installed("docx", "examples/report_writer.py (the .docx copy of the report)")
    if model is not None:
        llm.set_default_model(model)
    steps = steps or int(os.environ.get("TINYTROUPE_EXAMPLE_STEPS", 2))
    out_dir = Path(out_dir or "report_writer_output")
    mara = make_analyst(out_dir)
    mara.listen(NOTES, source="Survey team")
    mara.listen(REQUEST, source="Bakery owner")
    actions = []
    for _ in range(steps):
        actions.extend(e["action"]["type"] for e in mara.act(return_actions=True))
    files = sorted(str(p) for p in (out_dir / "Document").glob("*")) if (out_dir / "Document").exists() else []
    print(f"Mara's actions: {', '.join(actions)}")
    print("Files written:\n" + ("\n".join(f"  {f}" for f in files) or "  (none: no document was written)"))
    return {"actions": actions, "files": files}


if __name__ == "__main__":
    main()
