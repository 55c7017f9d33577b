"""Memory processors in the original's shape: ``process(memories, timestamp=...)`` over memory items.

:class:`MemoryProcessor` is the base; :class:`EpisodicConsolidator` and
:class:`ReflectionConsolidator` put the consolidators of :mod:`tinytroupe.memory.consolidation`
behind it. ``EpisodicConsolidator.process`` splits a long list of items into batches of at most
``max_words`` words of content and calls :meth:`EpisodicConsolidator._consolidate` once per batch
(a subclass may replace that step); the result is ``{"consolidation": [engram, ...]}``.
"""

from __future__ import annotations

from typing import Any

from tinytroupe._sync import run_sync
from tinytroupe.memory import consolidation

__all__ = ["MemoryProcessor", "EpisodicConsolidator", "ReflectionConsolidator"]


class MemoryProcessor:
    """Base of a memory processor in the original's shape: memories in, processed memories out."""

    def process(self, memories: list[Any], timestamp: str | None = None, context: Any = None,
                persona: Any = None, sequential: bool = True) -> Any:
        """The processed form of ``memories``; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must implement process(memories, ...)")

    @staticmethod
    def count_memory_content_words(memories: dict[str, Any] | list[Any]) -> int:
        """Words in the string ``content`` of one memory item or of a list of them (other contents count 0)."""
        items = [memories] if isinstance(memories, dict) else list(memories or [])
        return sum(len(c.split()) for c in (_field(m, "content") for m in items) if isinstance(c, str))


def _field(item: Any, key: str) -> Any:
    getter = getattr(item, "get", None)
    return getter(key) if callable(getter) else None


def _line(item: Any) -> str:
    content = _field(item, "content")
    kind = _field(item, "type") or "memory"
    return f"[{kind}] {content if isinstance(content, str) else content!r}"


def _persona_text(persona: Any) -> tuple[str, str]:
    """``(name, description)`` from the original's persona dict (or a text)."""
    if isinstance(persona, dict):
        return str(persona.get("name") or "the agent"), "\n".join(f"{k}: {v}" for k, v in persona.items())
    return "the agent", "" if persona is None else str(persona)


class EpisodicConsolidator(consolidation.EpisodicConsolidator, MemoryProcessor):
    """Episode items in, ``{"consolidation": [consolidated engrams]}`` out (see the module docstring)."""

    def process(self, memories: list[Any], timestamp: str | None = None, context: Any = None,
                persona: Any = None, sequential: bool = True) -> dict[str, list[dict[str, Any]]]:
        """Consolidate ``memories`` in batches of at most ``max_words`` words, one call per batch."""
        items = list(memories or [])
        if self.count_memory_content_words(items) <= self.max_words:
            batches = [items] if items else []
        else:
            batches, words = [[]], 0
            for item in items:
                count = self.count_memory_content_words(item)
                if batches[-1] and words + count > self.max_words:
                    batches.append([])
                    words = 0
                batches[-1].append(item)
                words += count
        merged: list[dict[str, Any]] = []
        for batch in batches:
            result = self._consolidate(batch, timestamp, context, persona)
            merged.extend((result or {}).get("consolidation", []))
        return {"consolidation": merged}

    def _consolidate(self, memories: list[Any], timestamp: str | None, context: Any, persona: Any
                     ) -> dict[str, list[dict[str, Any]]]:
        """One model call for one batch of items: ``{"consolidation": [...]}``."""
        name, description = _persona_text(persona)
        engrams = run_sync(self.aconsolidate([_line(m) for m in memories], name=name, persona=description,
                                             context="" if context is None else str(context), timestamp=timestamp))
        return {"consolidation": engrams}


class ReflectionConsolidator(consolidation.ReflectionConsolidator, MemoryProcessor):
    """Consolidated items in, ``{"reflection": [reflection engrams]}`` out."""

    def process(self, memories: list[Any], timestamp: str | None = None, context: Any = None,
                persona: Any = None, sequential: bool = True) -> dict[str, list[dict[str, Any]]]:
        """Reflect on the latest consolidated or reflection items of ``memories`` (one call)."""
        name, description = _persona_text(persona)
        engrams = [{"type": _field(m, "type"), "content": _field(m, "content")} for m in memories or []]
        return {"reflection": run_sync(self.areflect(engrams, name=name, persona=description, timestamp=timestamp))}
