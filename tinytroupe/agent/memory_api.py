"""What a TinyPerson offers about its memory: retrieval, full scans, consolidation, the biography.

A mixin of :class:`~tinytroupe.agent.tiny_person.TinyPerson` (the original's method names),
built on the agent's parts: ``episodic_memory``, ``semantic_memory`` and ``memory_keeper``
(:class:`~tinytroupe.agent.memory_keeper.MemoryKeeper`). Faculties hand results back with
:meth:`MemoryMixin.perceive_thought`: a thought the agent perceives, which makes it decide
again before its turn ends.
"""

from __future__ import annotations

from typing import Any

from tinytroupe.contracts import Stimulus, StimulusKind

__all__ = ["MemoryMixin"]


class MemoryMixin:
    """Memory methods of TinyPerson; see the module docstring."""

    episodic_memory: Any
    semantic_memory: Any
    memory_keeper: Any
    settings: Any
    name: str

    # -- perceiving what a faculty found ---------------------------------------------------
    def perceive_thought(self, text: str) -> None:
        """Perceive ``text`` as one's own thought (a faculty's result, e.g. RECALL or CONSULT); during
        a turn, the actions after the faculty's are decided again with it in mind."""
        self.perceive(Stimulus(StimulusKind.THOUGHT, text))  # type: ignore[attr-defined]
        self.ledger.faculty_thoughts += 1  # type: ignore[attr-defined]

    # -- retrieval -------------------------------------------------------------------------
    async def aretrieve_relevant_memories(self, relevance_target: str, top_k: int = 20) -> list[str]:
        """Async twin of :meth:`retrieve_relevant_memories`."""
        self.semantic_memory.index.tags.setdefault("agent", self.name)
        found = await self.semantic_memory.aretrieve_relevant(relevance_target, top_k)
        from tinytroupe.agent.prompt import render_event

        hits = self.episodic_memory.search(relevance_target.split(), limit=top_k + 5)
        found += [render_event(e) for e in hits if not _is_recall(e)]
        return list(dict.fromkeys(found))[:top_k]

    def retrieve_relevant_memories(self, relevance_target: str, top_k: int = 20) -> list[str]:
        """The memories most relevant to ``relevance_target``: semantic memory by meaning, then
        episodic events that mention it (newest first)."""
        from tinytroupe._sync import run_sync

        return run_sync(self.aretrieve_relevant_memories(relevance_target, top_k))

    async def aretrieve_relevant_memories_for_current_context(self, top_k: int = 7) -> list[str]:
        """Async twin of :meth:`retrieve_relevant_memories_for_current_context`."""
        return await self.semantic_memory.aretrieve_relevant(self.memory_keeper.query(), top_k)

    def retrieve_relevant_memories_for_current_context(self, top_k: int = 7) -> list[str]:
        """The semantic memories relevant to the agent's context, goals, attention and latest events."""
        from tinytroupe._sync import run_sync

        return run_sync(self.aretrieve_relevant_memories_for_current_context(top_k))

    async def asummarize_relevant_memories_via_full_scan(self, relevance_target: str, item_type: str | None = None,
                                                         batch_size: int = 20) -> str:
        """Async twin of :meth:`summarize_relevant_memories_via_full_scan`."""
        from tinytroupe.agent.prompt import render_event
        from tinytroupe.memory.semantic import summarize_via_full_scan

        texts = [e["content"] for e in self.semantic_memory.retrieve_all(item_type)]
        if item_type in (None, "stimulus", "action"):
            texts += [render_event(e) for e in self.episodic_memory.retrieve_all(item_type=item_type)
                      if e.role != "note"]
        return await summarize_via_full_scan(texts, relevance_target, batch_size, model=self.model,  # type: ignore[attr-defined]
                                             tags={"agent": self.name})

    def summarize_relevant_memories_via_full_scan(self, relevance_target: str, item_type: str | None = None,
                                                  batch_size: int = 20) -> str:
        """Read all of one's memories (semantic and episodic, in batches, concurrently) for what bears
        on ``relevance_target``, and sum it up; '' when nothing does."""
        from tinytroupe._sync import run_sync

        return run_sync(self.asummarize_relevant_memories_via_full_scan(relevance_target, item_type, batch_size))

    # -- consolidation ---------------------------------------------------------------------
    async def aconsolidate_episode_memories(self) -> bool:
        """Async twin of :meth:`consolidate_episode_memories`."""
        if self.episodic_memory.current_episode_length >= self.settings.min_episode_length:
            self.consolidate_episode()  # type: ignore[attr-defined]
        return await self.memory_keeper.aconsolidate_pending() > 0

    def consolidate_episode_memories(self) -> bool:
        """End the current episode if it has at least MIN_EPISODE_LENGTH events, and consolidate
        every ended episode into semantic memory now (one call each); True when any was."""
        from tinytroupe._sync import run_sync

        return run_sync(self.aconsolidate_episode_memories())

    # -- biography -------------------------------------------------------------------------
    def minibio(self, extended: bool | None = None, requirements: str | None = None) -> str:
        """A short biography. ``minibio()`` is the persona summary (no model call);
        ``minibio(extended=True)`` adds a paragraph the model writes once per persona (kept in the
        agent's state); ``extended=False`` is the one-line version."""
        if not extended:
            from tinytroupe.agent import describe

            return describe.minibio(self, extended is None)
        from tinytroupe._sync import run_sync

        return run_sync(self.aminibio(True, requirements))

    async def aminibio(self, extended: bool = True, requirements: str | None = None) -> str:
        """Async twin of ``minibio``."""
        from tinytroupe.agent import describe

        text = describe.minibio(self, extended)
        if not extended:
            return text
        return f"{text} {await self.memory_keeper.abiography(requirements)}".strip()


def _is_recall(event: Any) -> bool:
    """A RECALL action or what it brought back: not a memory of the world."""
    return event.type.startswith("RECALL") or (event.type == "THOUGHT" and event.content.startswith("I remember"))
