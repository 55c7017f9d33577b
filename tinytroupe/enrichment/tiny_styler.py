"""TinyStyler: rewrites content in a given style (tone, register, voice) without changing what it says."""

from __future__ import annotations

from tinytroupe._sync import run_sync
from tinytroupe.enrichment.transform import ContentTransformer

__all__ = ["TinyStyler"]


class TinyStyler(ContentTransformer):
    """``TinyStyler().apply_style(text, "a pirate's letter")``: the same content, in that style.

    With ``use_past_results_in_context=True`` each result is kept in ``context_cache`` as
    ``{"original": ..., "style": ..., "styled": ...}``, as the original keeps it.
    """

    task = ("Rewrite the content in the requested style. Keep every fact, figure and name, and the "
            "structure; change only the wording, tone and voice.")

    async def aapply_style(self, content: str, style: str, content_type: str | None = None,
                           context_info: str | None = "", context_cache: list[str] | None = None,
                           verbose: bool = False, temperature: float | None = 0.7, *,
                           tags: dict[str, str] | None = None) -> str:
        """Async twin of :meth:`apply_style` (``tags`` are added to the call's usage tags)."""
        instruction = f"Apply this style: {style}"
        return await self._arun(instruction, content, content_type, context_info, context_cache, temperature,
                                tags, cache_entry=lambda styled: {"original": content, "style": style,
                                                                  "styled": styled})

    def apply_style(self, content: str, style: str, content_type: str | None = None,
                    context_info: str | None = "", context_cache: list[str] | None = None,
                    verbose: bool = False, temperature: float | None = 0.7) -> str:
        """``content`` rewritten in ``style``, in the same format; arguments as in
        :meth:`TinyEnricher.enrich_content`."""
        return run_sync(self.aapply_style(content, style, content_type, context_info, context_cache,
                                          verbose, temperature))
