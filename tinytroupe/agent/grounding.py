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
from tinytroupe.errors import SpecificationError
from tinytroupe.memory.documents import (
    BaseSemanticGroundingConnector,
    Document,
    GroundingConnector,
    split_passages,
)
from tinytroupe.redaction import redact_url

__all__ = ["GroundingConnector", "BaseSemanticGroundingConnector", "LocalFilesGroundingConnector", "WebPagesGroundingConnector",
           "Document", "split_passages"]


logger = logging.getLogger(__name__)


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
