"""Grounding connectors: documents an agent can search by meaning and read by name.

:class:`BaseSemanticGroundingConnector` keeps named documents, cut into passages that go into
one :class:`~tinytroupe.memory.index.SemanticIndex` (the same index agents' memories use), so
``retrieve_relevant`` works with any embedder, or with none (BM25). ``retrieve_by_name`` gives
a document's text in pages of ``GROUNDING_PAGE_SIZE`` characters; ``list_sources`` names them.
:class:`LocalFilesGroundingConnector` reads folders and files (PDF, DOCX, Markdown, text, HTML;
PDF and DOCX need the ``grounding`` extra) and :class:`WebPagesGroundingConnector` fetches web
pages (:mod:`tinytroupe.agent.grounding_sources` does the reading).

A folder is read without leaving it: a file or link that resolves outside the folder is skipped
(with a warning) unless ``follow_symlinks=True``. A web page is named and stored by its URL with
credentials hidden (:func:`~tinytroupe.redaction.redact_url`), so a password or token in the
address reaches neither prompts nor saved files.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tinytroupe.agent.grounding_sources import SUPPORTED_SUFFIXES, fetch_page, read_file
from tinytroupe.config import config_manager
from tinytroupe.errors import SpecificationError
from tinytroupe.memory.index import SemanticIndex
from tinytroupe.memory.state import restores
from tinytroupe.redaction import redact_url

__all__ = ["GroundingConnector", "BaseSemanticGroundingConnector", "LocalFilesGroundingConnector", "WebPagesGroundingConnector",
           "Document", "split_passages"]

PASSAGE_CHARS = 800

logger = logging.getLogger(__name__)


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




class LocalFilesGroundingConnector(BaseSemanticGroundingConnector):
    """Documents read from folders (recursively) and single files: PDF, DOCX, Markdown, text, HTML."""

    def __init__(self, name: str = "Local Files", folders_paths: Iterable[str | os.PathLike] | None = None,
                 *, embedder: Any = None, follow_symlinks: bool = False):
        super().__init__(name, embedder=embedder)
        self.folders_paths: list[str] = []
        self.follow_symlinks = follow_symlinks
        self.add_folders(folders_paths or [])

    def add_folders(self, folders_paths: Iterable[str | os.PathLike]) -> None:
        for path in folders_paths:
            self.add_folder(path)

    def add_folder(self, folder_path: str | os.PathLike, *, follow_symlinks: bool | None = None) -> None:
        """Read every supported file under ``folder_path`` (a single file is read as one); files
        that resolve outside the folder are skipped unless ``follow_symlinks`` (default: the connector's)."""
        folder = Path(folder_path).expanduser()
        if folder.is_file():
            self.add_file_path(folder)
            return
        if not folder.is_dir():
            raise SpecificationError(f"grounding folder {folder} does not exist; pass an existing folder or file.")
        self.folders_paths.append(str(folder))
        follow = self.follow_symlinks if follow_symlinks is None else follow_symlinks
        for path in _files_in(folder, follow):
            self.add_file_path(path)

    def add_file_path(self, file_path: str | os.PathLike) -> Document:
        """Read one file and add it as a document named by its file name."""
        path = Path(file_path).expanduser()
        return self.add_document({"name": path.name, "text": read_file(path), "source": str(path.resolve())})


def _files_in(folder: Path, follow_symlinks: bool) -> list[Path]:
    """The supported files under ``folder``, sorted; without ``follow_symlinks``, only those that
    resolve inside it (links out of the folder are skipped, with a warning naming them)."""
    root = folder.resolve()
    found = []
    for base, _dirs, names in os.walk(folder, followlinks=follow_symlinks):
        for name in names:
            path = Path(base) / name
            if path.suffix.lower() not in SUPPORTED_SUFFIXES or not path.is_file():
                continue
            if not follow_symlinks and not path.resolve().is_relative_to(root):
                logger.warning("grounding folder %s: skipped %s, a link to %s outside the folder "
                               "(pass follow_symlinks=True to read it)", folder, path, path.resolve())
                continue
            found.append(path)
    return sorted(found)


class WebPagesGroundingConnector(BaseSemanticGroundingConnector):
    """Documents fetched from web pages (HTML converted to text), named by URL."""

    def __init__(self, name: str = "Web Pages", web_urls: Iterable[str] | None = None, *, embedder: Any = None):
        super().__init__(name, embedder=embedder)
        self.web_urls: list[str] = []
        self.add_web_urls(web_urls or [])

    def add_web_urls(self, web_urls: Iterable[str]) -> None:
        for url in web_urls:
            self.add_web_url(url)

    def add_web_url(self, web_url: str) -> Document:
        """Fetch ``web_url`` (WEB_FETCH_TIMEOUT, WEB_FETCH_MAX_BYTES) and add its text."""
        from tinytroupe._sync import run_sync

        title, text = run_sync(fetch_page(web_url))
        shown = redact_url(web_url)  # what prompts and saved files see: no password, no token
        self.web_urls.append(shown)
        return self.add_document({"name": shown, "text": f"{title}\n\n{text}" if title else text, "source": shown})
