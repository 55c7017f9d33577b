"""The agent's part that keeps its semantic memory in step with its experience.

- **Consolidation.** An episode that reaches ``MAX_EPISODE_LENGTH`` events (or is ended with
  ``consolidate_episode()``) is queued; the queue is consolidated at the end of the agent's
  turn, one :class:`~tinytroupe.memory.consolidation.EpisodicConsolidator` call per episode
  (concurrently), into ``consolidated`` engrams. With ``REFLECTION_INTERVAL`` N, every N
  consolidations a :class:`~tinytroupe.memory.consolidation.ReflectionConsolidator` call adds
  ``reflection`` engrams. ``ENABLE_MEMORY_CONSOLIDATION`` switches it all off.
- **Contextual retrieval.** When it renders its prompt section for a turn, with
  ``ENABLE_CONTINUOUS_CONTEXTUAL_SEMANTIC_MEMORY_RETRIEVAL``, the ``SEMANTIC_RETRIEVAL_TOP_K``
  memories most relevant to the agent's context, goals, attention and latest events are
  retrieved into a bounded section of the prompt.
- **Biography.** The LLM-written paragraph of ``minibio(extended=True)``, kept until the
  persona changes.
- **In the background while a world runs** (:func:`~tinytroupe.memory.background.memory_in_background`, which worlds enter
  for their runs), with a dense embedder, nothing of this waits on the turn's path: the query of
  a turn is embedded beside the turn's request and used for the agent's *next* turn (memories
  come to mind from the situation one turn earlier), and episodes consolidate while the next
  step runs; their memories are stored at the start of the agent's second turn after, then
  embedded with that turn's query (so retrievable one turn later). Each of these points is
  counted in turns, not time, so a run is the same whatever the latencies; when the run ends,
  what is still consolidating is finished and stored.

Its state (queued episodes, counts, the retrieved memories, the biography) is plain JSON.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any

from tinytroupe import llm
from tinytroupe.agent.prompt import clip_line, render_event
from tinytroupe.errors import AuthenticationError, LLMError, NoModelConfiguredError, StateError
from tinytroupe.llm.base import ChatRequest, Message
from tinytroupe.memory.background import BackgroundMemory, current_background
from tinytroupe.memory.consolidation import EpisodicConsolidator, ReflectionConsolidator
from tinytroupe.memory.episodic import MemoryEvent
from tinytroupe.prompts import render

__all__ = ["MemoryKeeper", "retrieval_enabled"]

logger = logging.getLogger(__name__)

MEMORY_MAX_CHARS = 300  # one retrieved memory in the prompt
RECENT_EVENTS_IN_QUERY = 6
SETTLE_TURNS = 2  # an episode consolidating after turn t is stored at the start of turn t + 2
_MISSING = object()  # no query vector made in this process (a restored keeper makes it when needed)
_ON = {"true", "yes", "on", "1"}


def retrieval_enabled(mode: str, embedder_kind: str | None = None) -> bool:
    """Whether memories are retrieved into every prompt: the setting ``mode``, or with ``auto``
    only when a real embedding model (not the lexical fallback) is in use."""
    if mode != "auto":
        return mode in _ON
    if embedder_kind is None:
        from tinytroupe.llm.embeddings import default_embedder

        embedder_kind = default_embedder().kind
    return embedder_kind == "dense"


class MemoryKeeper:
    """Consolidation, contextual retrieval and the extended biography; see the module docstring."""

    def __init__(self) -> None:
        self._of: Any = None  # the agent's handle, given once when the keeper is attached (bind)
        # ended episodes not consolidated yet: references to the (immutable, shared) memory events,
        # so a crowd's chatter queued by every listener is not copied per agent
        self.pending: list[list[MemoryEvent]] = []
        self.consolidations = 0
        self.episodes = 0
        self.relevant: list[str] = []  # the memories retrieved for the coming turn
        self.biography: dict[str, str] | None = None  # {"persona": digest, "text": paragraph}
        # in the background (see memory_in_background): episodes being consolidated, the query
        # prepared for the next turn, and the request embedding it
        self.consolidating: list[_Batch] = []
        self.ahead: str | None = None
        self._ahead_vector: Any = _MISSING  # None: prepared and none (it failed)
        self._ahead_task: asyncio.Future | None = None

    def bind(self, handle: Any) -> None:
        """Attach the keeper to its agent: ``handle`` gives the agent's name, model, settings,
        memories, mental state, persona text and simulated time."""
        self._of = handle

    # -- episodes --------------------------------------------------------------------------
    def queue_episode(self, events: list[MemoryEvent]) -> None:
        """An episode ended: keep it for consolidation at the end of the turn."""
        if events:
            self.pending.append(list(events))
            self.episodes += 1

    async def aconsolidate_pending(self) -> int:
        """Consolidate every queued episode (one call each, concurrently) into semantic memory;
        returns how many episodes were consolidated (or, in the background, started)."""
        if not self.pending:
            return 0
        episodes, self.pending = self.pending, []
        of = self._of
        if not of.settings.enable_memory_consolidation:
            return 0
        batch = _Batch(SETTLE_TURNS, _context_of(of.mental_state), episodes)
        scope = current_background()
        if scope is None:
            await self._astore(batch, await self._aconsolidate(batch))
            return len(episodes)
        batch.task = asyncio.ensure_future(self._aconsolidate(batch))
        self.consolidating.append(batch)
        scope.join(self)
        return len(episodes)

    async def _aconsolidate(self, batch: _Batch) -> list[list[Any]]:
        """The engrams of each episode of ``batch`` (one call each, concurrently)."""
        of = self._of
        consolidator = EpisodicConsolidator(of.model)
        tags = {"agent": of.name}
        return list(await asyncio.gather(*(
            consolidator.aconsolidate([render_event(e) for e in episode], name=of.name,
                                      persona=of.persona_text(), context=batch.context,
                                      timestamp=episode[-1].sim_time, tags=tags)
            for episode in batch.episodes)))

    async def _astore(self, batch: _Batch, results: list[list[Any]]) -> None:
        """Store a consolidated batch, and reflect when a reflection falls due."""
        of = self._of
        for engrams in results:
            of.semantic_memory.store_all(engrams)
        count = len(batch.episodes)
        self.consolidations += count
        interval = of.settings.reflection_interval
        if interval > 0:
            reflector = ReflectionConsolidator(of.model, interval)
            if any(reflector.due(n) for n in range(self.consolidations - count + 1, self.consolidations + 1)):
                of.semantic_memory.store_all(await reflector.areflect(
                    of.semantic_memory.retrieve_all(), name=of.name, persona=of.persona_text(),
                    timestamp=of.sim_time(), tags={"agent": of.name}))

    async def _asettle(self, every: bool = False) -> None:
        """Store the consolidating batches that are due (all of them with ``every``), oldest first."""
        while self.consolidating and (every or self.consolidating[0].turns_left <= 0):
            batch = self.consolidating[0]
            results = await batch.task if batch.task is not None else await self._aconsolidate(batch)
            self.consolidating.pop(0)
            await self._astore(batch, results)

    async def asettle(self) -> None:
        """Finish what runs in the background (a run ends): the query being embedded, every
        consolidating episode (stored now)."""
        await self.aprepared()
        await self._asettle(every=True)

    def cancel_background(self) -> None:
        """Stop the background work (a run failed); what was consolidating stays queued in the state."""
        for task in [self._ahead_task, *(b.task for b in self.consolidating)]:
            if task is not None:
                task.cancel()
        self._ahead_task = None
        for batch in self.consolidating:
            batch.task = None

    # -- retrieval -------------------------------------------------------------------------
    def query(self) -> str:
        """What the coming turn is about: context, goals, attention and the latest events."""
        state = self._of.mental_state
        parts = [*state.context, state.situation, state.goals, state.attention]
        parts += [e.content for e in self._of.episodic_memory.retrieve_last(RECENT_EVENTS_IN_QUERY)
                  if e.role != "note"]
        return "\n".join(p for p in parts if p)

    async def aprompt_section(self, view: Any = None) -> str:
        """Retrieve the memories relevant to the coming turn into :attr:`relevant`, and render them."""
        of = self._of
        memory = of.semantic_memory
        scope = current_background()
        vector = None
        if scope is not None:
            vector = await self.aprepared() if self.ahead is not None else None
            for batch in self.consolidating:
                batch.turns_left -= 1
            await self._asettle()
        if not len(memory) or not retrieval_enabled(of.settings.semantic_retrieval, memory.index.embedder.kind):
            self.relevant, self.ahead, self._ahead_vector = [], None, _MISSING
            return ""
        memory.index.tags.setdefault("agent", of.name)
        if scope is not None and memory.index.embedder.kind == "dense":
            found = self._retrieve_ahead(memory, vector, scope)
        else:
            self.ahead, self._ahead_vector = None, _MISSING
            found = await self._aretrieve(memory)
        self.relevant = [clip_line(text, MEMORY_MAX_CHARS) for text in found]
        return self.prompt_section(view)

    async def _aretrieve(self, memory: Any) -> list[str]:
        """The memories relevant to this turn's query, embedded now."""
        try:
            return await memory.aretrieve_relevant(self.query(), self._of.settings.semantic_top_k)
        except (NoModelConfiguredError, AuthenticationError):
            raise
        except LLMError as exc:  # the embedding provider failed: this turn goes on without memories
            logger.warning("%s: memory retrieval failed (%s); the turn goes on without it", self._of.name, exc)
            return []

    def _retrieve_ahead(self, memory: Any, vector: Any, scope: BackgroundMemory) -> list[str]:
        """The memories relevant to the query prepared last turn; this turn's query starts embedding
        (with the memories not embedded yet) beside the turn's request, for the next turn."""
        hits = memory.index.search_vector(vector, self._of.settings.semantic_top_k)
        found = [memory.engrams[i]["content"] for i, _ in hits]
        self.ahead, self._ahead_vector = self.query(), _MISSING
        self._ahead_task = asyncio.ensure_future(memory.index.aflush(self.ahead, via=scope.aembed))
        scope.join(self)
        return found

    async def aprepared(self) -> Any:
        """The vector of the query prepared for the coming turn (waiting for its request, or making
        it when the keeper was restored from a state); None when there is none or it failed."""
        task, self._ahead_task = self._ahead_task, None
        if task is None and (self._ahead_vector is not _MISSING or self.ahead is None):
            return None if self._ahead_vector is _MISSING else self._ahead_vector
        try:
            self._ahead_vector = await (task if task is not None else self._of.semantic_memory.index.aflush(self.ahead))
        except (NoModelConfiguredError, AuthenticationError):
            raise
        except LLMError as exc:
            logger.warning("%s: memory retrieval failed (%s); the turn goes on without it", self._of.name, exc)
            self._ahead_vector = None
        return self._ahead_vector

    def prompt_section(self, view: Any = None) -> str:
        """The retrieved memories, at most ``SEMANTIC_RETRIEVAL_TOP_K`` short lines ('' when none)."""
        if not self.relevant:
            return ""
        return "Memories that come to mind now:\n" + "\n".join(f"- {text}" for text in self.relevant)

    # -- biography -------------------------------------------------------------------------
    async def abiography(self, requirements: str | None = None) -> str:
        """The LLM-written paragraph about the agent, made once per persona (and requirements)."""
        of = self._of
        digest = hashlib.sha256(json.dumps([of.persona, requirements], sort_keys=True,
                                           ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
        if self.biography and self.biography.get("persona") == digest:
            return self.biography["text"]
        prompt = render("agent_biography.md", name=of.name, persona=of.persona_text(),
                        requirements=requirements or "(none)")
        model = of.model or llm.default_model()
        request = ChatRequest(messages=(Message(role="user", content=prompt),),
                              tags={"agent": of.name, "purpose": "generation"})
        text = " ".join((await model.complete(request)).text.split())
        self.biography = {"persona": digest, "text": text}
        return text

    # -- state -----------------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        state = {"pending": [[e.to_dict() for e in episode] for episode in self.pending],
                 "consolidations": self.consolidations,
                 "episodes": self.episodes, "relevant": list(self.relevant),
                 "biography": dict(self.biography) if self.biography else None}
        if self.consolidating:  # only while a world runs memory in the background
            state["consolidating"] = [b.to_state() for b in self.consolidating]
        if self.ahead is not None:
            state["ahead"] = self.ahead
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> MemoryKeeper:
        try:
            return cls._from_state(state or {})
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise StateError(f"memory_keeper state is not valid ({type(exc).__name__}: {exc}); restore it from "
                             "an unmodified saved agent, or drop the 'memory_keeper' entry.") from None

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> MemoryKeeper:
        keeper = cls()
        keeper.pending = [[MemoryEvent.from_dict(e) for e in episode] for episode in state.get("pending") or []]
        keeper.consolidations = int(state.get("consolidations", 0))
        keeper.episodes = int(state.get("episodes", 0))
        keeper.relevant = [str(t) for t in state.get("relevant") or []]
        keeper.biography = dict(state["biography"]) if state.get("biography") else None
        keeper.consolidating = [_Batch.from_state(b) for b in state.get("consolidating") or []]
        keeper.ahead = str(state["ahead"]) if state.get("ahead") is not None else None
        if keeper.biography is not None and not isinstance(keeper.biography.get("text"), str):
            raise ValueError("'biography' needs a 'text'")
        return keeper


def _context_of(state: Any) -> str:
    parts = [f"at {state.location}" if state.location else "", "; ".join(state.context), state.goals]
    return " | ".join(p for p in parts if p)


class _Batch:
    """Episodes consolidating in the background; stored when ``turns_left`` reaches 0."""

    def __init__(self, turns_left: int, context: str, episodes: list[list[MemoryEvent]]):
        self.turns_left = turns_left
        self.context = context  # the agent's context when its episodes ended
        self.episodes = episodes
        self.task: asyncio.Future | None = None

    def to_state(self) -> dict[str, Any]:
        return {"turns_left": self.turns_left, "context": self.context,
                "episodes": [[e.to_dict() for e in episode] for episode in self.episodes]}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> _Batch:
        return cls(int(state["turns_left"]), str(state.get("context") or ""),
                   [[MemoryEvent.from_dict(e) for e in episode] for episode in state["episodes"]])
