"""``tinytroupe demo``: three shipped personas each answer one product question, under a schema.

The demo asks what even the embedded 135M model answers well: one short structured answer per
person (would you buy it: yes, maybe or no; and the main reason, one of a few), asked of each
person concurrently, in one round. It prints each person's answer and a small table of the
answers, and writes them to ``answers.csv`` and ``answers.json``. On the embedded model the
personas are cut to a one-line biography so that the demo ends in about a minute on two cores;
on a configured provider each person answers from their whole persona.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from pydantic import BaseModel

from tinytroupe import events, llm
from tinytroupe.cli.output import Output
from tinytroupe.config import config_manager
from tinytroupe.errors import LLMError
from tinytroupe.llm.base import Message

__all__ = ["demo", "QUESTION", "ANSWERS", "REASONS", "PEOPLE", "answer_schema", "format_answers"]

TITLE = "Demo: would you buy it? Three people answer"
QUESTION = ("ShelfLife is a small kitchen scanner: it reads the labels of the food you buy and tells you each "
            "evening what to eat first before it goes off. It costs 39 euros, with no subscription. "
            "Would you buy it, and what is your main reason?")
ANSWERS = ("yes", "maybe", "no")
REASONS = {  # the reasons each answer may give: the schema allows only these pairs
    "yes": ("it would cut my food waste", "it would save me money"),
    "maybe": ("I would need to try it first", "it is a bit expensive"),
    "no": ("it is too expensive", "I already plan my meals", "I do not want another gadget"),
}
PEOPLE = ("lisa", "oscar", "marcos")
DEFAULT_OUT = Path("tinytroupe-out/demo")
# local_threads 1: llama.cpp's worker threads wait for each other busily, so two threads on two
# cores crawl as soon as any other process wants a core.
_LOCAL_SETTINGS = {"temperature": 0.7, "local_threads": 1}


class DemoAnswer(BaseModel):
    """One person's answer: would they buy it, and their main reason."""

    buy: Literal["yes", "maybe", "no"]
    reason: str


def answer_schema() -> dict[str, Any]:
    """The schema each answer follows: an answer and one of its reasons (a small model's grammar
    enforces it, so a "yes" never comes with a reason for "no")."""
    return {"anyOf": [{"type": "object", "additionalProperties": False, "required": ["buy", "reason"],
                       "properties": {"buy": {"type": "string", "const": answer},
                                      "reason": {"type": "string", "enum": list(REASONS[answer])}}}
                      for answer in ANSWERS]}


def _people() -> list[Any]:
    from tinytroupe.agent import TinyPerson
    from tinytroupe.examples import example_agent_path

    return [TinyPerson.load_specification(example_agent_path(name), auto_rename=True) for name in PEOPLE]


def _who(person: Any) -> str:
    job = person.get("occupation")
    job = job.get("title") if isinstance(job, dict) else job
    place = str(person.get("residence") or "").split(",")[0]
    return ", ".join(str(x) for x in (person.name, person.get("age"), job, place) if x)


def _brief(person: Any) -> str:
    """A one-paragraph persona for a tiny model: the biography and what the person likes and dislikes."""
    prefs = person.get("preferences")
    prefs = prefs if isinstance(prefs, dict) else {}
    parts = [person.minibio(extended=False)]
    for key in ("likes", "dislikes"):
        items = [str(x).rstrip(". ") for x in (prefs.get(key) or [])[:2]]
        if items:
            parts.append(f"{person.name} {key}: {'; '.join(items)}.")
    return " ".join(parts)


async def _ask(person: Any, tiny: bool) -> dict[str, Any]:
    about = _brief(person) if tiny else person.persona_text()
    messages = [Message(role="system", content=f"You are {person.name}. {about}\nAnswer as {person.name} would."),
                Message(role="user", content=QUESTION)]
    row: dict[str, Any] = {"name": person.name, "who": _who(person), "buy": None, "reason": None, "error": None}
    try:
        result = await llm.agenerate(llm.default_model(), messages, DemoAnswer, schema=answer_schema(),
                                     tags={"purpose": "survey", "agent": person.name, "survey": "demo"})
    except LLMError as exc:
        row["error"] = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    else:
        row.update(buy=result.value.buy, reason=result.value.reason)
    return row


async def _ask_everyone(people: list[Any], tiny: bool) -> list[dict[str, Any]]:
    return list(await asyncio.gather(*(_ask(p, tiny) for p in people)))


def format_answers(rows: list[dict[str, Any]]) -> list[str]:
    """Each person's answer, then a table of how many gave each answer (plain text lines)."""
    lines = []
    for row in rows:
        said = (f"{row['buy']}, because {row['reason']}" if row["error"] is None
                else f"(no answer: {row['error']})")
        lines.append(f"{row['who']}: {said}")
    counts = Counter(row["buy"] for row in rows if row["error"] is None)
    lines += ["", "Would you buy it?  people"]
    lines += [f"  {answer:<16} {counts.get(answer, 0)}" for answer in ANSWERS]
    return lines


def _use_small_settings() -> bool:
    from tinytroupe.cli.models import provider_in_use

    if provider_in_use() != "local":
        return False
    for name, value in _LOCAL_SETTINGS.items():
        if config_manager.source_of(name) == "default":
            config_manager.update(name, value)
    llm.reset_default_model()  # rebuilt with these settings (the weights are not loaded yet)
    return True


def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for answers.csv and answers.json.")]
    = DEFAULT_OUT,
) -> None:
    """Three shipped personas each answer one product question; their answers and a small table."""
    from tinytroupe.cli.models import describe_model
    from tinytroupe.cli.progress import UsageMeter
    from tinytroupe.cli.run import EXIT_PARTIAL, announce_model
    from tinytroupe.cli.summary import relative_to_cwd
    from tinytroupe.extraction import tables

    output: Output = ctx.obj
    tiny = _use_small_settings()
    output.say(TITLE, style="bold")
    if tiny:
        announce_model(output, embeddings=False)
    else:
        output.say(f"Model: {describe_model()}", style="dim")
    output.say(f"Question: {QUESTION}")
    people = _people()
    meter = UsageMeter()
    stop = events.subscribe(meter, meter.EVENTS)
    started = time.monotonic()
    try:
        rows = _run_sync(_ask_everyone(people, tiny))
    finally:
        stop()
    seconds = time.monotonic() - started
    out.mkdir(parents=True, exist_ok=True)
    written = [tables.write_csv([{k: r[k] for k in ("name", "buy", "reason", "error")} for r in rows],
                              out / "answers.csv"),
             tables.write_json({"question": QUESTION, "model": describe_model(), "answers": rows}, out / "answers.json")]
    saved = [relative_to_cwd(p) for p in written]
    failed = [r for r in rows if r["error"] is not None]
    if output.json:
        output.emit_json({"model": describe_model(), "question": QUESTION, "answers": rows, "usage": meter.to_dict(),
                          "outputs": saved})
    else:
        output.say("")
        for line in format_answers(rows):
            output.say(line)
        output.say("")
        output.say(f"{meter.calls} model calls · {meter.input_tokens:,} tokens in / {meter.output_tokens:,} out · "
                   f"{seconds:.0f} s", style="dim")
        output.result(f"Answers saved to {saved[0]} and {saved[1]}")
    if failed:
        output.err.print(f"Partial result: {len(failed)} of {len(rows)} people gave no answer; first reason "
                         f"({failed[0]['name']}): {failed[0]['error']}", style="yellow", soft_wrap=True, markup=False)
        raise typer.Exit(EXIT_PARTIAL)


def _run_sync(coro: Any) -> Any:
    """Run ``coro`` to completion from the command (also inside a running loop)."""
    from tinytroupe._sync import run_sync

    return run_sync(coro)
