"""Semantic memory: what an agent knows, as typed engrams searchable by meaning.

An engram is plain data: ``{"type", "content", "simulation_timestamp"}`` where ``type`` is one
of :data:`ENGRAM_TYPES` (``consolidated`` facts come from episodes, ``reflection`` from
reflecting on them, ``information`` is anything stored directly). Engrams are searched through
one :class:`~tinytroupe.memory.index.SemanticIndex` (dense embeddings, or BM25 without a model).

The API is the original's: :meth:`store`, :meth:`store_all`, :meth:`retrieve_relevant`,
:meth:`retrieve_all`, :meth:`summarize_relevant_via_full_scan`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Iterable
from typing import Any

from tinytroupe.errors import StateError
from tinytroupe.llm.base import ChatRequest, LLMModel, Message
from tinytroupe.memory.base import TinyMemory
from tinytroupe.memory.documents import BaseSemanticGroundingConnector, Document
from tinytroupe.memory.index import SemanticIndex
from tinytroupe.memory.state import restores
from tinytroupe.prompts import render

__all__ = ["SemanticMemory", "ENGRAM_TYPES", "make_engram"]

logger = logging.getLogger("tinytroupe")


def _memory_logger() -> logging.Logger:
    """``tinytroupe.agent.memory.logger`` (the original's module name, which scripts patch), else ours."""
    return getattr(sys.modules.get("tinytroupe.agent.memory"), "logger", logger)


# the heading each original-shape memory item gets, by type (``_preprocess_value_for_storage``)
_HEADINGS = {"action": "Action performed", "stimulus": "Stimulus received", "feedback": "Feedback received",
             "consolidated": "Consolidated Memory", "reflection": "Reflection"}

ENGRAM_TYPES = ("action", "stimulus", "feedback", "consolidated", "reflection", "information")
ENGRAM_MAX_CHARS = 4000
NOTHING = "NOTHING RELEVANT"


def make_engram(value: Any, timestamp: str | None = None) -> dict[str, Any]:
    """An engram from a string or a dict with ``content`` (and optional ``type``, ``simulation_timestamp``)."""
    if isinstance(value, dict):
        content = value.get("content", "")
        kind = str(value.get("type") or "information")
        when = value.get("simulation_timestamp", timestamp)
        extra = {k: v for k, v in value.items() if k in ("kind", "source") and v}
    else:
        content, kind, when, extra = value, "information", timestamp, {}
    if not isinstance(content, str):
        import json

        content = json.dumps(content, ensure_ascii=False)
    if kind not in ENGRAM_TYPES:
        kind = "information"
    return {"type": kind, "content": content.strip()[:ENGRAM_MAX_CHARS], "simulation_timestamp": when, **extra}


def engram_text(engram: dict[str, Any]) -> str:
    """The text an engram is searched by."""
    return engram["content"]


class SemanticMemory(TinyMemory):
    """Typed engrams with relevance search; see the module docstring.

    ``embedder`` None uses the process's default embedder (chosen like the chat provider).
    """

    def __init__(self, memories: Iterable[Any] = (), *, embedder: Any = None, tags: dict[str, str] | None = None):
        self.engrams: list[dict[str, Any]] = []
        self._keys: set[tuple[str, str]] = set()
        self.index = SemanticIndex(embedder, tags=tags)
        self._embedder = embedder
        self._connector: Any = None  # the original's document view, made on first use
        self._connector_given = False  # a connector assigned by the caller answers the searches
        self.memories: list[Any] = []
        given = list(memories)
        self.store_all(given)
        self.memories = given  # the original keeps the items it was built with as given

    # -- the original's shape: items with a role and a heading, kept as documents -----------
    @property
    def semantic_grounding_connector(self) -> Any:
        """The memories as grounding documents (one JSON document per item), made on first use."""
        if self._connector is None:
            self._connector = BaseSemanticGroundingConnector("Semantic Memory Storage", embedder=self._embedder)
            self._connector.add_documents(self._build_documents_from(self.memories))
        return self._connector

    @semantic_grounding_connector.setter
    def semantic_grounding_connector(self, connector: Any) -> None:
        """A connector of the caller's: later items are added to it, and searches ask it."""
        self._connector, self._connector_given = connector, True

    def _preprocess_value_for_storage(self, value: Any) -> dict[str, Any]:
        """An item in the original's stored shape: role ``assistant``, a heading naming its type."""
        if not isinstance(value, dict):
            return {"role": "assistant", "content": value, "type": "information", "simulation_timestamp": None}
        kind = str(value.get("type") or "information")
        heading = _HEADINGS.get(kind, "Information")
        return {"role": "assistant", "type": kind, "simulation_timestamp": value.get("simulation_timestamp"),
                "content": f"# {heading}\n{value.get('content', '')}"}

    def _build_document_from(self, memory: Any) -> Document:
        """One grounding document whose text is the item as JSON."""
        item = memory if isinstance(memory, dict) else {"content": memory, "type": "information"}
        return Document(name=f"memory {len(self.memories)}", text=json.dumps(item, ensure_ascii=False), source="")

    def _build_documents_from(self, memories: Iterable[Any]) -> list[Document]:
        return [self._build_document_from(m) for m in memories]

    def _read_documents(self, item_type: str | None) -> list[dict[str, Any]]:
        items = []
        for doc in self._connector.documents:
            try:
                item = json.loads(doc.text)
            except (TypeError, ValueError):
                _memory_logger().warning("semantic memory: a document of the connector is not JSON and is skipped")
                continue
            if item_type is None or (isinstance(item, dict) and item.get("type") == item_type):
                items.append(item)
        return items

    # -- storing ---------------------------------------------------------------------------
    def store(self, value: Any, timestamp: str | None = None) -> bool:
        """Remember ``value`` (a string, or a dict with ``content`` and ``type``); an identical
        engram already known is not stored twice. True when stored."""
        engram = make_engram(value, timestamp)
        key = (engram["type"], engram["content"])
        if not engram["content"] or key in self._keys:
            return False
        self._keys.add(key)
        self.engrams.append(engram)
        self.index.add(engram_text(engram))
        item = self._preprocess_value_for_storage(value)
        self.memories.append(item)
        if self._connector is not None:
            self._connector.add_document(self._build_document_from(item))
        return True

    def store_all(self, values: Iterable[Any]) -> None:
        for value in values:
            self.store(value)

    def __len__(self) -> int:
        return len(self.engrams)

    # -- retrieving ------------------------------------------------------------------------
    def retrieve_all(self, item_type: str | None = None) -> list[dict[str, Any]]:
        """Every engram (copies), optionally only those of ``item_type``; with a connector of the
        caller's, the items its documents hold."""
        if self._connector_given:
            return self._read_documents(item_type)
        return [dict(e) for e in self.engrams if item_type is None or e["type"] == item_type]

    def facts(self) -> list[str]:
        """The contents of every engram, oldest first."""
        return [e["content"] for e in self.engrams]

    async def aretrieve_relevant_engrams(self, relevance_target: str, top_k: int = 20,
                                         item_type: str | None = None) -> list[dict[str, Any]]:
        """The ``top_k`` engrams most relevant to ``relevance_target``, best first."""
        allowed = None if item_type is None else {i for i, e in enumerate(self.engrams) if e["type"] == item_type}
        found = await self.index.asearch(relevance_target, top_k, allowed=allowed)
        return [dict(self.engrams[i], score=round(score, 4)) for i, score in found]

    async def aretrieve_relevant(self, relevance_target: str, top_k: int = 20) -> list[str]:
        """Async twin of :meth:`retrieve_relevant`."""
        return [e["content"] for e in await self.aretrieve_relevant_engrams(relevance_target, top_k)]

    def retrieve_relevant(self, relevance_target: str, top_k: int = 20) -> list[str]:
        """The contents of the ``top_k`` engrams most relevant to ``relevance_target``, best first
        (a connector of the caller's is asked instead)."""
        from tinytroupe._sync import run_sync

        if self._connector_given:
            return self._connector.retrieve_relevant(relevance_target, top_k)

        return run_sync(self.aretrieve_relevant(relevance_target, top_k))

    # -- full scan -------------------------------------------------------------------------
    async def asummarize_relevant_via_full_scan(self, relevance_target: str, batch_size: int = 20,
                                                item_type: str | None = None, *, model: LLMModel | None = None,
                                                tags: dict[str, str] | None = None) -> str:
        """Async twin of :meth:`summarize_relevant_via_full_scan`."""
        memories = self.retrieve_all(item_type)
        return await summarize_via_full_scan([m["content"] for m in memories], relevance_target, batch_size,
                                             model=model, tags=tags)

    def summarize_relevant_via_full_scan(self, relevance_target: str, batch_size: int = 20,
                                         item_type: str | None = None, **kwargs: Any) -> str:
        """Read every memory (in batches of ``batch_size``, concurrently) for what bears on
        ``relevance_target``, then put the findings together: one call per batch, plus one to
        accumulate when several batches found something. '' when nothing is relevant."""
        from tinytroupe._sync import run_sync

        return run_sync(self.asummarize_relevant_via_full_scan(relevance_target, batch_size, item_type, **kwargs))

    # -- state -----------------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """Engrams and the index's vectors, as plain JSON."""
        return {"engrams": [dict(e) for e in self.engrams], "index": self.index.to_state()}

    @classmethod
    @restores("semantic memory")
    def from_state(cls, state: Any, *, embedder: Any = None, tags: dict[str, str] | None = None) -> SemanticMemory:
        """Restore :meth:`to_state`'s output; also reads a plain list of facts, and the original
        TinyTroupe's saved ``{"memories": [...]}``."""
        memory = cls(embedder=embedder, tags=tags)
        if isinstance(state, list):
            memory.store_all(state)
            return memory
        if not isinstance(state, dict):
            raise StateError("semantic memory state must be a dict with 'engrams' (or a list of facts).")
        if "engrams" not in state and isinstance(state.get("memories"), list):  # the original's format
            memory.store_all(m for m in state["memories"] if m)
            return memory
        engrams = state.get("engrams")
        if not isinstance(engrams, list):
            raise StateError("semantic memory state: 'engrams' must be a list.")
        memory.engrams = [make_engram(e) for e in engrams]
        memory._keys = {(e["type"], e["content"]) for e in memory.engrams}
        memory.memories = [memory._preprocess_value_for_storage(e) for e in memory.engrams]
        memory.index = SemanticIndex.from_state(state.get("index"), [engram_text(e) for e in memory.engrams],
                                                embedder, tags=tags)
        return memory

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SemanticMemory) and other.engrams == self.engrams

    def __repr__(self) -> str:
        return f"SemanticMemory({len(self.engrams)} engrams)"


async def summarize_via_full_scan(texts: list[str], relevance_target: str, batch_size: int = 20, *,
                                  model: LLMModel | None = None, tags: dict[str, str] | None = None) -> str:
    """Map-and-accumulate over ``texts``: what in them bears on ``relevance_target``."""
    if not texts:
        return ""
    if model is None:
        from tinytroupe import llm

        model = llm.default_model()
    size = max(1, int(batch_size))
    call_tags = {"purpose": "recall", **(tags or {})}

    async def ask(prompt: str) -> str:
        request = ChatRequest(messages=(Message(role="user", content=prompt),), tags=call_tags)
        return (await model.complete(request)).text.strip()

    batches = [texts[i:i + size] for i in range(0, len(texts), size)]
    found = await asyncio.gather(*(
        ask(render("memory_scan_extract.md", target=relevance_target, nothing=NOTHING,
                   memories="\n".join(f"- {t}" for t in batch)))
        for batch in batches))
    relevant = [f for f in found if f and NOTHING.lower() not in f.lower()[: len(NOTHING) + 10]]
    if len(relevant) <= 1:
        return relevant[0] if relevant else ""
    return await ask(render("memory_scan_accumulate.md", target=relevance_target,
                            findings="\n\n".join(f"## Part {i + 1}\n{f}" for i, f in enumerate(relevant))))
