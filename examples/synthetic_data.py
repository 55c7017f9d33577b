"""Synthetic data: a table of simulated purchase reasons, written as CSV and JSON.

    python examples/synthetic_data.py

A factory generates people from a short population description; each hears the same offer
and says whether they would buy and why; a structured call turns each answer into a row.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from pydantic import BaseModel, Field

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.factory import TinyPersonFactory
from tinytroupe.llm.base import LLMModel, Message

OFFER = ("A local greengrocer now delivers a weekly box of seasonal vegetables by cargo bike, "
         "for 18 euros, cancel any week. Would you buy it? Why or why not?")
POPULATION = "Adults living in a mid-sized European city, of all ages, incomes and household sizes."


class PurchaseReason(BaseModel):
    """One row of the table."""

    would_buy: bool
    main_reason: str = Field(max_length=160)


def ask(person: TinyPerson) -> dict:
    """Ask the offer and return the person's row."""
    person.listen_and_act(OFFER, source="Survey")
    answer = person.pop_actions_and_get_contents_for("TALK", only_last_action=False) or "(no answer)"
    messages = [Message(role="user", content=f"Offer: {OFFER}\nAnswer: {answer}\n"
                                             "Would this person buy, and what is their main reason?")]
    row = llm.generate(llm.default_model(), messages, PurchaseReason, temperature=0.0).value
    return {"name": person.name, "age": person.get("age"), "occupation": person.get("occupation.title"),
            "would_buy": row.would_buy, "main_reason": row.main_reason, "answer": answer}


def write_table(rows: list[dict], out_dir: Path) -> tuple[Path, Path]:
    """Write the rows as purchase_reasons.csv and purchase_reasons.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = out_dir / "purchase_reasons.csv", out_dir / "purchase_reasons.json"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["name"])
        writer.writeheader()
        writer.writerows(rows)
    json_path.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    return csv_path, json_path


def main(steps: int | None = None, model: LLMModel | None = None,
         out_dir: str | Path = "tinytroupe-out/synthetic_data") -> list[dict]:
    """Generate ``steps`` people (default 5) and write their answers as a table."""
    if model is not None:
        llm.set_default_model(model)
    n = steps or int(os.environ.get("TINYTROUPE_EXAMPLE_STEPS", "5"))
    factory = TinyPersonFactory(sampling_space_description=POPULATION, total_population_size=n, seed=13)
    rows = [ask(person) for person in factory.generate_people(n)]
    csv_path, json_path = write_table(rows, Path(out_dir))
    buyers = sum(r["would_buy"] for r in rows)
    print(f"{buyers} of {len(rows)} would buy. Table: {csv_path} and {json_path}")
    return rows


if __name__ == "__main__":
    main()
