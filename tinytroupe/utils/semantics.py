"""Semantic helpers: small LLM computations over texts, with the original's names.

Each is an :func:`~tinytroupe.utils.llm` function whose instruction comes from
``tinytroupe/prompts/semantics.md``. Calls are tagged with the purpose of what they compute
(:mod:`tinytroupe.llm.purposes`): rewriting a text is enrichment, pulling information out of
one is extraction, and checking a text against expectations or another text is a judge.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from tinytroupe.llm import purposes
from tinytroupe.utils.llm_function import llm
from tinytroupe.utils.templates import section

__all__ = [
    "rephrase",
    "correct_according_to_rule",
    "restructure_as_observed_vs_expected",
    "extract_observed_vs_expected_rules",
    "formulate_corrective_rule",
    "combine_texts",
    "extract_information_from_text",
    "accumulate_based_on_query",
    "compute_semantic_proximity",
]

_TEMPLATE = "semantics.md"
_REWRITE = purposes.tag(purposes.ENRICHMENT, module="semantics")
_EXTRACT = purposes.tag(purposes.EXTRACTION, module="semantics")
_JUDGE = purposes.tag(purposes.JUDGE, module="semantics")

Proximity = Annotated[float, Field(ge=0.0, le=1.0)]


def _lines(items: object) -> str:
    if isinstance(items, (list, tuple)):
        return "\n".join(f"- {item}" for item in items)
    return str(items)


@llm(tags=_REWRITE)
def rephrase(observation: str, rule: str) -> str:
    """Rephrase an observation so that it complies with a rule."""
    return section(_TEMPLATE, "rephrase", observation=observation, rule=rule)


@llm(tags=_REWRITE)
def correct_according_to_rule(observation: str, rules: str | list[str]) -> str:
    """Correct an observation, minimally, so that it follows the given rules."""
    return section(_TEMPLATE, "correct_according_to_rule", observation=observation, rules=_lines(rules))


@llm(tags=_JUDGE)
def restructure_as_observed_vs_expected(description: str) -> str:
    """Restructure a description as what was observed versus what was expected."""
    return section(_TEMPLATE, "restructure_as_observed_vs_expected", description=description)


@llm(tags=_JUDGE)
def extract_observed_vs_expected_rules(description: str) -> str:
    """Extract the expectations a description implies, as rules met or broken."""
    return section(_TEMPLATE, "extract_observed_vs_expected_rules", description=description)


@llm(tags=_JUDGE)
def formulate_corrective_rule(feedback: str) -> str:
    """Turn feedback into one corrective rule."""
    return section(_TEMPLATE, "formulate_corrective_rule", feedback=feedback)


@llm(tags=_REWRITE)
def combine_texts(*texts: str) -> str:
    """Combine several texts into one coherent text that keeps all their information."""
    numbered = "\n\n".join(f"Text {i}:\n{t}" for i, t in enumerate(texts, 1))
    return section(_TEMPLATE, "combine_texts", texts=numbered)


@llm(tags=_EXTRACT)
def extract_information_from_text(query: str, text: str, context: str | None = None) -> str:
    """Extract from a text the information that answers a query."""
    return section(_TEMPLATE, "extract_information_from_text", query=query, text=text, context=context or "")


@llm(tags=_EXTRACT)
def accumulate_based_on_query(query: str, new_entry: str, current_accumulation: str,
                              context: str | None = None) -> str:
    """Update an accumulation of query-relevant information with a new entry."""
    return section(_TEMPLATE, "accumulate_based_on_query", query=query, new_entry=new_entry,
                   current_accumulation=current_accumulation or "(empty)", context=context or "")


@llm(tags=_JUDGE)
def compute_semantic_proximity(text1: str, text2: str, context: str | None = None) -> Proximity:
    """Score how close two texts are in meaning, from 0.0 to 1.0."""
    return section(_TEMPLATE, "compute_semantic_proximity", text1=text1, text2=text2, context=context or "")
