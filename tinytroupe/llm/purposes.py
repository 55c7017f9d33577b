"""What a model call is for: the ``purpose`` tag every caller puts on its requests.

Usage statistics, the CLI's bill and cost estimates group calls by purpose, so every module
that calls a model tags its requests with one of these names::

    from tinytroupe.llm import purposes
    await llm.agenerate(model, messages, Verdict, tags=purposes.tag(purposes.JUDGE, agent=name))

A request without a purpose is counted as :data:`OTHER`. A few finer names map onto these
categories (:data:`ALIASES`: ``normalization`` and ``report`` are
extraction, ``recall`` is memory); any other name counts as :data:`OTHER`.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["AGENT_TURN", "JUDGE", "SURVEY", "VALIDATION", "EXTRACTION", "CONSOLIDATION", "EMBEDDING", "GENERATION",
           "ENRICHMENT", "STORY", "OTHER", "PURPOSES", "ALIASES", "LABELS", "REPLY_TOKENS", "tag", "purpose_of"]

AGENT_TURN = "agent_turn"        # an agent deciding what to do (act, listen_and_act, world steps)
JUDGE = "judge"                  # quality checks of actions, propositions, validators
SURVEY = "survey"                # people answering survey questions
VALIDATION = "validation"        # the persona validator's interviewer
EXTRACTION = "extraction"        # results extraction, reducers, summaries of a simulation
CONSOLIDATION = "consolidation"  # memory consolidation and reflection
EMBEDDING = "embedding"          # embedding texts for semantic memory and grounding
GENERATION = "generation"        # making personas and populations (factory, planning)
ENRICHMENT = "enrichment"        # enrichers, stylers, tools that write documents
STORY = "story"                  # TinyStory narrating and steering a simulation
OTHER = "other"                  # anything else, and requests without a purpose

PURPOSES: tuple[str, ...] = (AGENT_TURN, JUDGE, SURVEY, VALIDATION, EXTRACTION, CONSOLIDATION, EMBEDDING,
                             GENERATION, ENRICHMENT, STORY, OTHER)

LABELS: dict[str, str] = {
    AGENT_TURN: "agent turns",
    JUDGE: "judges and quality checks",
    SURVEY: "survey answers",
    VALIDATION: "persona validation",
    EXTRACTION: "extraction",
    CONSOLIDATION: "memory (consolidation, recall)",
    EMBEDDING: "embeddings",
    GENERATION: "persona generation",
    ENRICHMENT: "enrichment and tools",
    STORY: "stories",
    OTHER: "other",
}

KEY = "purpose"

ALIASES: dict[str, str] = {
    "quality_check": JUDGE, "proposition": JUDGE,
    "normalization": EXTRACTION, "report": EXTRACTION, "reduction": EXTRACTION,
    "recall": CONSOLIDATION, "reflection": CONSOLIDATION, "memory": CONSOLIDATION,
    "embeddings": EMBEDDING, "factory": GENERATION, "persona_generation": GENERATION,
    "tool": ENRICHMENT,
}

# Reply sizes assumed, in tokens, by cost estimates and budget checks before a call is sent.
REPLY_TOKENS: dict[str, int] = {
    AGENT_TURN: 200, JUDGE: 60, SURVEY: 80, VALIDATION: 300, EXTRACTION: 300, CONSOLIDATION: 250, EMBEDDING: 0,
    GENERATION: 600,
    ENRICHMENT: 500, STORY: 200, OTHER: 200,
}


def tag(purpose: str, **more: str) -> dict[str, str]:
    """Request tags with ``purpose`` (one of :data:`PURPOSES`) and any other tags (``agent=...``)."""
    if purpose not in PURPOSES and purpose not in ALIASES:
        raise ValueError(f"unknown purpose {purpose!r}; use one of {', '.join(PURPOSES)} (tinytroupe.llm.purposes)")
    return {KEY: purpose, **{k: str(v) for k, v in more.items()}}


def purpose_of(tags: Mapping[str, str]) -> str:
    """The purpose of a request with these tags (:data:`OTHER` when none or unknown)."""
    value = tags.get(KEY) if tags else None
    if value in PURPOSES:
        return value
    return ALIASES.get(str(value), OTHER)
