"""A product survey whose answers come out as data: a table, a tally, categories and a report.

    python examples/survey_results.py

The shipped personas hear about a product in one room and talk it over; then
ResultsExtractor reads each person's answer as typed fields (a yes/no and a 1-5 rating come
back as a bool and an int), Normalizer groups their reasons into a few categories, and the
table is written as CSV and JSON.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from tinytroupe import llm
from tinytroupe.environment import TinyWorld
from tinytroupe.examples import list_example_agents, load_example_agent
from tinytroupe.extraction import Normalizer, ResultsExtractor, tables
from tinytroupe.llm.base import LLMModel

PITCH = ("FixFlat repairs your washing machine, fridge or oven at home within 48 hours, parts included, "
         "for 9 euros a month. Would you subscribe? How appealing is it, from 1 to 5, and why?")
FIELDS = ["would_subscribe", "appeal", "reason"]
HINTS = {"would_subscribe": "yes or no", "appeal": "an integer from 1 to 5",
         "reason": "their main reason, in a few words"}


def main(steps: int | None = None, model: LLMModel | None = None, people: int | None = None,
         out_dir: str | Path = "survey_results") -> list[dict]:
    """Run the survey for ``steps`` world steps; returns one row per person."""
    if model is not None:
        llm.set_default_model(model)
    names = list_example_agents()[: people or int(os.environ.get("TINYTROUPE_EXAMPLE_PEOPLE", 4))]
    world = TinyWorld("Survey room", [load_example_agent(n, auto_rename=True) for n in names])
    world.broadcast(PITCH, source="Interviewer")
    world.run(steps or 1)

    extractor = ResultsExtractor()
    answers = extractor.extract_results_from_agents(
        world.agents, extraction_objective="Each person's answer to the FixFlat question.",
        fields=FIELDS, fields_hints=HINTS)
    rows = [{"name": a.name, **(answer or {})} for a, answer in zip(world.agents, answers, strict=True)]

    reasons = [r["reason"] for r in rows if r.get("reason")]
    if reasons:
        normalizer = Normalizer(reasons, n=3, max_length=30)
        for row in rows:
            row["reason_category"] = normalizer.normalize(row["reason"]) if row.get("reason") else None

    out = Path(out_dir)
    tables.write_csv(rows, out / "answers.csv")
    tables.write_json(rows, out / "answers.json")
    extractor.save_as_json(out / "extraction.json")

    for row in rows:
        said = "yes" if row.get("would_subscribe") else "no"
        print(f"{row['name']}: subscribe {said}, appeal {row.get('appeal')}/5 ({row.get('reason_category')})")
    yes = sum(1 for r in rows if r.get("would_subscribe"))
    print(f"\n{yes} of {len(rows)} would subscribe; appeal ratings: {dict(Counter(r.get('appeal') for r in rows))}")
    print(f"Table written to {out / 'answers.csv'}")
    return rows


if __name__ == "__main__":
    main()
