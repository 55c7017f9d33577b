"""TinyEnricher: turns drafts into fuller content (more detail, examples, structure) with one model call."""

from __future__ import annotations

from tinytroupe._sync import run_sync
from tinytroupe.enrichment.transform import ContentTransformer

__all__ = ["TinyEnricher"]


class TinyEnricher(ContentTransformer):
    """``TinyEnricher().enrich_content("Add a budget table", draft)``: the draft, enriched.

    With ``use_past_results_in_context=True`` every result is kept in ``context_cache`` and
    shown in later prompts, so a series of documents stays consistent.
    """

    task = ("Enrich the content as the requirements ask: add substance (details, examples, figures, "
            "structure) that fits its type and context, and never contradict it.")

    async def aenrich_content(self, requirements: str, content: str, content_type: str | None = None,
                              context_info: str | None = "", context_cache: list[str] | None = None,
                              verbose: bool = False, temperature: float | None = 1.0, *,
                              tags: dict[str, str] | None = None) -> str:
        """Async twin of :meth:`enrich_content` (``tags`` are added to the call's usage tags)."""
        return await self._arun(requirements, content, content_type, context_info, context_cache, temperature,
                                tags)

    def enrich_content(self, requirements: str, content: str, content_type: str | None = None,
                       context_info: str | None = "", context_cache: list[str] | None = None,
                       verbose: bool = False, temperature: float | None = 1.0) -> str:
        """``content`` enriched following ``requirements``, in the same format (Markdown, JSON, code).

        ``context_info`` (who writes, for whom, why) goes into the prompt; ``context_cache``
        lists earlier results to stay consistent with (default: this enricher's own cache when
        ``use_past_results_in_context`` is on). ``verbose`` is accepted for compatibility.
        """
        return run_sync(self.aenrich_content(requirements, content, content_type, context_info,
                                             context_cache, verbose, temperature))
