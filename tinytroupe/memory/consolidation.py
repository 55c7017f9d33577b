"""Consolidation: episodes become lasting first-person knowledge; knowledge becomes reflections.

:class:`EpisodicConsolidator` makes one structured LLM call per episode (more only when an
episode is longer than ``max_words`` of text, then one per batch) that turns what the agent
perceived and did into a few first-person facts, impressions and procedures, returned as
``consolidated`` engrams for semantic memory. :class:`ReflectionConsolidator` (optional, as in
Generative Agents) reads the latest consolidated engrams and writes a few higher-level
``reflection`` engrams. Both tag their calls ``purpose=consolidation``; a failed call yields no
engrams (the episode stays in episodic memory) rather than an error in the simulation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from tinytroupe.errors import AuthenticationError, LLMError, NoModelConfiguredError
from tinytroupe.llm.base import LLMModel, Message
from tinytroupe.prompts import render

__all__ = ["EpisodicConsolidator", "ReflectionConsolidator", "Consolidation", "ConsolidatedItem", "Reflections"]

logger = logging.getLogger(__name__)

ITEM_MAX_CHARS = 400


class ConsolidatedItem(BaseModel):
    """One piece of lasting knowledge from an episode, in the first person."""

    kind: Literal["fact", "impression", "procedure"]
    content: str = Field(max_length=ITEM_MAX_CHARS)


class Consolidation(BaseModel):
    """What an episode leaves behind."""

    items: list[ConsolidatedItem] = Field(default_factory=list, max_length=8)


class Reflections(BaseModel):
    """Higher-level insights drawn from recent knowledge."""

    reflections: list[str] = Field(default_factory=list, max_length=3)


def _model(model: LLMModel | None) -> LLMModel:
    if model is not None:
        return model
    from tinytroupe import llm

    return llm.default_model()


def _batches(lines: Sequence[str], max_words: int) -> list[list[str]]:
    batches: list[list[str]] = [[]]
    words = 0
    for line in lines:
        count = len(line.split())
        if batches[-1] and words + count > max_words:
            batches.append([])
            words = 0
        batches[-1].append(line)
        words += count
    return [b for b in batches if b]


class EpisodicConsolidator:
    """Turns an episode (transcript lines) into ``consolidated`` engrams; see the module docstring."""

    def __init__(self, model: LLMModel | None = None, max_words: int = 1500):
        self.model = model
        self.max_words = max_words

    async def aconsolidate(self, lines: Sequence[str], *, name: str, persona: str = "", context: str = "",
                           timestamp: str | None = None, tags: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Engrams for the episode whose transcript is ``lines`` (one call per batch of ``max_words``)."""
        if not lines:
            return []
        model = _model(self.model)
        call_tags = {"purpose": "consolidation", **(tags or {})}
        results = await asyncio.gather(*(
            self._one(model, batch, name, persona, context, call_tags) for batch in _batches(lines, self.max_words)))
        engrams = []
        for items in results:
            for item in items:
                text = " ".join(item.content.split())
                if text:
                    engrams.append({"type": "consolidated", "kind": item.kind, "content": text,
                                    "simulation_timestamp": timestamp})
        return engrams

    async def _one(self, model: LLMModel, lines: list[str], name: str, persona: str, context: str,
                   tags: dict[str, str]) -> list[ConsolidatedItem]:
        from tinytroupe.llm.structured import agenerate

        prompt = render("memory_consolidate.md", name=name, persona=persona or "(not described)",
                        context=context or "(none given)", episode="\n".join(lines))
        try:
            result = await agenerate(model, [Message(role="user", content=prompt)], Consolidation, tags=tags)
        except (NoModelConfiguredError, AuthenticationError):
            raise
        except LLMError as exc:
            logger.warning("consolidation of an episode of %s failed (%s); the episode stays unconsolidated",
                           name, exc)
            return []
        return list(result.value.items)


class ReflectionConsolidator:
    """Every ``interval`` consolidations, reflects on the latest ``window`` consolidated engrams."""

    def __init__(self, model: LLMModel | None = None, interval: int = 3, window: int = 30):
        self.model = model
        self.interval = max(1, int(interval))
        self.window = window

    def due(self, consolidations: int) -> bool:
        """Whether a reflection is due after ``consolidations`` episodes."""
        return consolidations > 0 and consolidations % self.interval == 0

    async def areflect(self, engrams: Sequence[dict[str, Any]], *, name: str, persona: str = "",
                       timestamp: str | None = None, tags: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """``reflection`` engrams drawn from ``engrams`` (the latest ``window`` of them): one call."""
        recent = [e["content"] for e in engrams if e.get("type") in ("consolidated", "reflection")][-self.window:]
        if not recent:
            return []
        from tinytroupe.llm.structured import agenerate

        prompt = render("memory_reflect.md", name=name, persona=persona or "(not described)",
                        knowledge="\n".join(f"- {t}" for t in recent))
        try:
            result = await agenerate(_model(self.model), [Message(role="user", content=prompt)], Reflections,
                                     tags={"purpose": "consolidation", **(tags or {})})
        except (NoModelConfiguredError, AuthenticationError):
            raise
        except LLMError as exc:
            logger.warning("reflection of %s failed (%s)", name, exc)
            return []
        return [{"type": "reflection", "content": " ".join(r.split())[:ITEM_MAX_CHARS], "simulation_timestamp": timestamp}
                for r in result.value.reflections if r.strip()]
