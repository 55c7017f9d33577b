"""Normalizer: free-text answers grouped into ``n`` canonical categories.

Built with the elements to learn categories from (one LLM call, asking for exactly ``n``
categories, or one per distinct element when there are fewer); :meth:`Normalizer.normalize`
maps any text onto one of them, or onto ``"Other"``, remembering every mapping so a text is
never sent twice. Prompts list the elements sorted and requests use temperature 0 and the
seed, so the same inputs and seed give the same categories.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from tinytroupe.config import config_manager
from tinytroupe.errors import SpecificationError
from tinytroupe.extraction.output_language import DEFAULT_OUTPUT_LANGUAGE, output_language_line
from tinytroupe.llm.base import LLMModel, Message
from tinytroupe.utils.output_types import options_reader
from tinytroupe.utils.templates import section

__all__ = ["Normalizer", "OTHER"]

logger = logging.getLogger(__name__)

OTHER = "Other"
_BATCH = 25


class Normalizer:
    """Groups ``elements`` into ``n`` categories (the original's interface).

    ``elements``: the learning texts without repeats; ``normalized_elements``: the categories;
    ``normalizing_map``: text -> category for every text mapped so far. Beyond the original: ``model``, ``seed`` and ``max_length``
    (the longest category name, in characters).
    """

    def __init__(self, elements: Iterable[str], n: int, verbose: bool = False, max_length: int | None = None,
                 *, model: LLMModel | None = None, seed: int | None = None,
                 output_language: str = DEFAULT_OUTPUT_LANGUAGE):
        self.elements = list(dict.fromkeys(str(e) for e in elements))  # unique, first occurrence kept
        if not isinstance(n, int) or n < 1:
            raise SpecificationError(f"Normalizer: n must be a positive integer, got {n!r}")
        if not self.elements:
            raise SpecificationError("Normalizer: give at least one element to learn categories from")
        self.n = n
        self.verbose = verbose
        self.max_length = max_length
        self.model = model
        self.output_language = output_language  # the language of the category names
        self.seed = seed if seed is not None else (config_manager.get("seed") or None)
        self.normalizing_map: dict[str, str] = {}
        self.calls = 0
        from tinytroupe._sync import run_sync

        self.normalized_elements: list[str] = run_sync(self._learn())

    # -- public ----------------------------------------------------------------------------
    def normalize(self, element_or_elements: str | Sequence[str]) -> str | list[str]:
        """The category of a text, or the categories of a list of texts (cached)."""
        from tinytroupe._sync import run_sync

        return run_sync(self.anormalize(element_or_elements))

    async def anormalize(self, element_or_elements: str | Sequence[str]) -> str | list[str]:
        """Async twin of :meth:`normalize`."""
        single = isinstance(element_or_elements, str)
        texts = [element_or_elements] if single else [str(e) for e in element_or_elements]  # type: ignore[union-attr]
        todo = sorted({t for t in texts if t not in self.normalizing_map})
        batches = [todo[i:i + _BATCH] for i in range(0, len(todo), _BATCH)]
        for mapping in await asyncio.gather(*(self._apply(batch) for batch in batches)):
            self.normalizing_map.update(mapping)
        out = [self.normalizing_map[t] for t in texts]
        return out[0] if single else out

    def normalized_mapping(self) -> dict[str, str]:
        """Every known text -> its category: the texts mapped so far, and each learning element not
        mapped yet to itself (the identity fallback). A copy."""
        return {**{e: e for e in self.elements}, **self.normalizing_map}

    def normalize_all(self) -> dict[str, str]:
        """Map the learning elements themselves, keeping at most ``n`` categories in use (the
        least used merge into ``"Other"`` when ``"Other"`` is needed); returns the mapping."""
        self.normalize(self.elements)
        used = Counter(self.normalizing_map[e] for e in self.elements)
        if OTHER in used and len(used) > self.n:
            keep = {c for c, _ in sorted(((c, k) for c, k in used.items() if c != OTHER),
                                         key=lambda t: (-t[1], t[0]))[: self.n - 1]}
            for text, category in self.normalizing_map.items():
                if category not in keep:
                    self.normalizing_map[text] = OTHER
            self.normalized_elements = [c for c in self.normalized_elements if c in keep]
        return {e: self.normalizing_map[e] for e in self.elements}

    # -- internals -------------------------------------------------------------------------
    async def _ask(self, prompt: str, output: type[BaseModel], purpose_detail: str) -> BaseModel:
        from tinytroupe.llm import agenerate, default_model

        self.calls += 1
        prompt += output_language_line(self.output_language)
        result = await agenerate(self.model or default_model(), [Message(role="user", content=prompt)], output,
                                 temperature=0.0, seed=self.seed,
                                 tags={"purpose": "normalization", "step": purpose_detail})
        return result.value

    async def _learn(self) -> list[str]:
        length_rule = f"at most {self.max_length} characters" if self.max_length else "a few words"
        name: Any = Annotated[str, MaxLen(self.max_length)] if self.max_length else str
        unique = sorted(set(self.elements))
        wanted = min(self.n, len(unique))
        # the schema asks for exactly `wanted`; a model that returns fewer is still accepted
        output = create_model("Categories", categories=(list[name], Field(
            min_length=1, max_length=wanted, json_schema_extra={"minItems": wanted})))
        prompt = section("normalizer.md", "categories", n=wanted, length_rule=length_rule,
                         elements="\n".join(f"- {e}" for e in unique))
        value = await self._ask(prompt, output, "categories")
        categories: list[str] = []
        for raw in value.categories:  # type: ignore[attr-defined]
            text = " ".join(str(raw).split())[: self.max_length or None]
            if text and text.lower() != OTHER.lower() and text.lower() not in {c.lower() for c in categories}:
                categories.append(text)
        if not categories:
            categories = [OTHER]
        if self.verbose:
            logger.info("normalizer categories: %s", categories)
        return categories[: self.n]

    async def _apply(self, batch: list[str]) -> dict[str, str]:
        options = tuple(dict.fromkeys([*self.normalized_elements, OTHER]))
        choice = Annotated[Literal[options], BeforeValidator(options_reader(options))]  # type: ignore[valid-type]
        output = create_model("Assignments", __config__=ConfigDict(populate_by_name=True), **{
            f"i{i}": (choice, Field(alias=str(i))) for i in range(1, len(batch) + 1)})
        prompt = section("normalizer.md", "apply", categories="\n".join(f"- {o}" for o in options),
                         elements="\n".join(f"{i}. {t}" for i, t in enumerate(batch, 1)))
        value = await self._ask(prompt, output, "apply")
        data = value.model_dump(by_alias=True)
        return {text: data[str(i)] for i, text in enumerate(batch, 1)}
