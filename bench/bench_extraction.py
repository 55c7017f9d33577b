"""Benchmark: extracting typed results from many agents, and normalizing many answers, against a slow server.

A real OpenAI-compatible server on 127.0.0.1 (``LoopbackServer``) waits ``--latency`` seconds
per request and answers from the request's JSON schema. ``--agents`` TinyPersons, each with a
short history, are extracted with ``ResultsExtractor.extract_results_from_agents`` (fields
rating and reason, the rating hinted as an integer from 1 to 5); then ``--answers`` free texts
are normalized into 5 categories. Ideal: every call overlapped, so extraction costs about one
latency and normalization two (the categories, then every batch of answers at once). Usage::

    python bench/bench_extraction.py --agents 100 --answers 200 --latency 0.2 [--write-results]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Results extraction and normalization"

from tinytroupe import llm  # noqa: E402
from tinytroupe.agent import TinyPerson  # noqa: E402
from tinytroupe.extraction import Normalizer, ResultsExtractor  # noqa: E402
from tinytroupe.llm.providers.openai_compat import OpenAIModel  # noqa: E402
from tinytroupe.testing.loopback_server import LoopbackServer  # noqa: E402


def _people(n: int) -> list[TinyPerson]:
    people = []
    for i in range(n):
        person = TinyPerson(f"Respondent {i:04d}")
        person.listen("How would you rate our bread subscription, from 1 to 5?", source="Interviewer")
        person.record_event("action", "TALK", f"I'd say {1 + i % 5}: the price is fair but delivery is slow.",
                            target="Interviewer")
        people.append(person)
    return people


def run(agents: int, answers: int, latency: float) -> dict:
    with LoopbackServer(latency=latency) as server:
        model = llm.set_default_model(OpenAIModel(api_key="k", base_url=server.base_url, model="loop", timeout=30))
        people = _people(agents)
        start = time.perf_counter()
        results = ResultsExtractor().extract_results_from_agents(
            people, fields=["rating", "reason"], fields_hints={"rating": "an integer from 1 to 5"})
        extraction_s = time.perf_counter() - start
        in_range = sum(1 for r in results if r and isinstance(r["rating"], int) and 1 <= r["rating"] <= 5)
        extraction_flight = server.max_in_flight
        server.reset_stats()
        texts = [f"answer {i}: {('too pricey', 'tasty bread', 'slow delivery', 'nice packaging')[i % 4]}"
                 for i in range(answers)]
        start = time.perf_counter()
        normalizer = Normalizer(texts, n=5)
        mapping = normalizer.normalize_all()
        normalization_s = time.perf_counter() - start
        del model
        return {"agents": agents, "latency": latency, "extraction_s": extraction_s, "in_range": in_range,
                "extraction_flight": extraction_flight, "answers": answers, "normalization_s": normalization_s,
                "normalization_calls": normalizer.calls, "categories": len(set(mapping.values())),
                "normalization_flight": server.max_in_flight}


def markdown(r: dict) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return "\n".join([
        SECTION, "",
        f"`LoopbackServer` waiting {r['latency'] * 1000:.0f} ms per request, the real HTTP path (OpenAIModel, "
        "json_schema mode, retry/limit/usage wrappers), default MAX_CONCURRENT_MODEL_CALLS. "
        f"Command: `python bench/bench_extraction.py --write-results`. Machine: {platform.machine()}, Python "
        f"{platform.python_version()}, 2 shared cores (load average {load:.1f} while it ran).", "",
        "| task | items | model calls | measured | ideal | measured / ideal | max in flight |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| extract rating + reason per agent | {r['agents']} agents | {r['agents']} | **{r['extraction_s']:.2f} s** | "
        f"{r['latency']:.1f} s | {r['extraction_s'] / r['latency']:.1f} | {r['extraction_flight']} |",
        f"| normalize answers into 5 categories | {r['answers']} answers | {r['normalization_calls']} | "
        f"**{r['normalization_s']:.2f} s** | {2 * r['latency']:.1f} s | "
        f"{r['normalization_s'] / (2 * r['latency']):.1f} | {r['normalization_flight']} |", "",
        f"- every rating came back as an integer in 1..5: {r['in_range']} of {r['agents']}.",
        f"- the answers were normalized in batches of 25 (one call per batch, all in flight together); "
        f"{r['categories']} categories in use.", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args(argv)
    text = markdown(run(args.agents, args.answers, args.latency))
    print(text)
    if args.write_results:
        current = RESULTS.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(SECTION) + r".*?(?=\n## |\Z)", re.DOTALL)
        updated = pattern.sub(text.rstrip() + "\n", current) if SECTION in current else current.rstrip() + "\n\n" + text
        RESULTS.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
