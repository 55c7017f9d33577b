"""Documents searchable by meaning and readable by name: the store under grounding and memory.

:class:`BaseSemanticGroundingConnector` keeps named documents, cut into passages
(:func:`split_passages`) that go into one :class:`~tinytroupe.memory.index.SemanticIndex` (the
same index agents' memories use), so ``retrieve_relevant`` works with any embedder, or with none
(BM25). ``retrieve_by_name`` gives a document's text in pages of ``GROUNDING_PAGE_SIZE``
characters; ``list_sources`` names them. Where documents come from (folders, files, web pages) is
the agent's grounding (:mod:`tinytroupe.agent.grounding`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tinytroupe.config import config_manager
from tinytroupe.memory.index import SemanticIndex
from tinytroupe.memory.state import restores

__all__ = ["GroundingConnector", "BaseSemanticGroundingConnector", "Document", "split_passages", "PASSAGE_CHARS"]

PASSAGE_CHARS = 800

logger = logging.getLogger("tinytroupe.agent.grounding")


class Document(dict):
    """A grounding document: ``{"name", "text", "source"}`` (plain data)."""

    name = property(lambda self: self["name"])
    text = property(lambda self: self["text"])


def split_passages(text: str, size: int = PASSAGE_CHARS) -> list[str]:
    """``text`` cut into passages of about ``size`` characters, at paragraph or sentence ends."""
    paragraphs = [p.strip() for p in text.replace("\r", "").split("\n\n") if p.strip()]
    passages: list[str] = []
    current = ""
    for paragraph in paragraphs:
        while len(paragraph) > size:
            cut = paragraph.rfind(". ", 0, size)
            cut = cut + 1 if cut > size // 3 else size
            if current:
                passages.append(current)
                current = ""
            passages.append(paragraph[:cut].strip())
            paragraph = paragraph[cut:].strip()
        if current and len(current) + len(paragraph) + 2 > size:
            passages.append(current)
            current = paragraph
        else:
            current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        passages.append(current)
    return passages


class GroundingConnector:
    """The original's abstract base of connectors: a named source of documents an agent can consult."""

    def __init__(self, name: str) -> None:
        self.name = name

    def retrieve_relevant(self, relevance_target: str, source: str | None = None, top_k: int = 20) -> list[str]:
        """Passages relevant to ``relevance_target``; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must implement retrieve_relevant()")

    def retrieve_by_name(self, name: str) -> Any:
        """The content of the document called ``name``; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must implement retrieve_by_name()")

    def list_sources(self) -> list[str]:
        """The names of the documents available; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must implement list_sources()")


class BaseSemanticGroundingConnector(GroundingConnector):
    """Named documents searchable by relevance (passages) and readable by name (pages)."""

    def __init__(self, name: str = "Semantic Grounding", *, embedder: Any = None):
        self.name = name
        self.documents: list[Document] = []
        self.index = SemanticIndex(embedder, tags={"purpose": "embedding", "grounding": name})
        self._passage_doc: list[int] = []  # index position -> document position

    # -- adding ----------------------------------------------------------------------------
    def add_document(self, document: dict[str, Any] | str, name: str | None = None) -> Document:
        """Add a document (``{"name", "text"}`` or a text with ``name``); a name already present is replaced
        in reading by name, and its passages stay searchable."""
        if isinstance(document, str):
            document = {"name": name or f"document {len(self.documents) + 1}", "text": document}
        text = str(document.get("text") or "")
        doc = Document(name=str(document.get("name") or name or f"document {len(self.documents) + 1}"),
                       text=text, source=str(document.get("source") or ""))
        self.documents.append(doc)
        position = len(self.documents) - 1
        for passage in split_passages(text):
            self.index.add(passage)
            self._passage_doc.append(position)
        return doc

    def add_documents(self, documents: Iterable[dict[str, Any] | str]) -> None:
        for document in documents:
            self.add_document(document)

    # -- reading ---------------------------------------------------------------------------
    def list_sources(self) -> list[str]:
        """The names of the documents, in the order they were added (each once)."""
        return list(dict.fromkeys(d.name for d in self.documents))

    def _find(self, name: str) -> Document | None:
        wanted = name.strip().strip("'\"").lower()
        exact = [d for d in self.documents if d.name.lower() == wanted]
        if exact:
            return exact[-1]
        stem = [d for d in self.documents if Path(d.name).stem.lower() == wanted or wanted in d.name.lower()]
        return stem[-1] if stem else None

    def retrieve_by_name(self, name: str, page_size: int | None = None) -> list[str]:
        """The text of the document called ``name`` (or whose file name contains it), in pages of
        ``page_size`` characters (default GROUNDING_PAGE_SIZE); [] when there is none."""
        doc = self._find(name)
        if doc is None:
            return []
        size = int(page_size or config_manager.get("grounding_page_size"))
        text = doc.text
        return [text[i:i + size] for i in range(0, max(len(text), 1), size)] if text else [""]

    async def aretrieve_relevant_passages(self, relevance_target: str, top_k: int = 20) -> list[dict[str, Any]]:
        """``{"source", "score", "content"}`` for the ``top_k`` passages most relevant to the target."""
        found = await self.index.asearch(relevance_target, top_k)
        return [{"source": self.documents[self._passage_doc[i]].name, "score": round(score, 4),
                 "content": self.index.texts[i]} for i, score in found]

    async def aretrieve_relevant(self, relevance_target: str, top_k: int = 20) -> list[str]:
        """Async twin of :meth:`retrieve_relevant`."""
        return [f"SOURCE: {p['source']}\nSIMILARITY SCORE: {p['score']}\nRELEVANT CONTENT: {p['content']}"
                for p in await self.aretrieve_relevant_passages(relevance_target, top_k)]

    def retrieve_relevant(self, relevance_target: str, top_k: int = 20) -> list[str]:
        """The ``top_k`` most relevant passages, each as ``SOURCE: ...`` / ``SIMILARITY SCORE`` /
        ``RELEVANT CONTENT`` lines (the original's format)."""
        from tinytroupe._sync import run_sync

        return run_sync(self.aretrieve_relevant(relevance_target, top_k))

    # -- state -----------------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        return {"name": self.name, "documents": [dict(d) for d in self.documents], "index": self.index.to_state()}

    @restores("grounding connector")
    def load_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`to_state`'s output (the passages' vectors are not embedded again)."""
        self.name = str(state.get("name") or self.name)
        self.documents = []
        self._passage_doc = []
        texts: list[str] = []
        for doc in state.get("documents") or []:
            self.documents.append(Document(name=str(doc.get("name", "")), text=str(doc.get("text", "")),
                                           source=str(doc.get("source", ""))))
            for passage in split_passages(self.documents[-1].text):
                texts.append(passage)
                self._passage_doc.append(len(self.documents) - 1)
        self.index = SemanticIndex.from_state(state.get("index"), texts, self.index._embedder, tags=self.index.tags)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {len(self.documents)} documents)"
