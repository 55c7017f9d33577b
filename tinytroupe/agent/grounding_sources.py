"""Reading documents for grounding: files (PDF, DOCX, Markdown, text, HTML) and web pages.

PDF needs ``pypdf`` and DOCX ``python-docx`` (the ``grounding`` extra); without them a
:class:`~tinytroupe.errors.MissingExtraError` names the install. Files are read within limits
set in ``[Cognition]``: ``GROUNDING_FILE_MAX_BYTES`` (size on disk), ``GROUNDING_MAX_UNPACKED_BYTES``
(a DOCX's decompressed parts, checked before anything is unpacked), ``GROUNDING_PDF_MAX_PAGES``
and ``GROUNDING_MAX_CHARS`` (text kept); a file past one is refused, naming the file and the
setting. Web pages are fetched by :mod:`tinytroupe.agent.grounding_web`; HTML becomes plain text.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from tinytroupe.agent.grounding_html import html_to_text
from tinytroupe.agent.grounding_web import fetch_page
from tinytroupe.config import config_manager
from tinytroupe.errors import MissingExtraError, SpecificationError

__all__ = ["read_file", "fetch_page", "html_to_text", "SUPPORTED_SUFFIXES", "GROUNDING_INSTALL"]

GROUNDING_INSTALL = 'pip install "tinytroupe[grounding]"'
TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text", ".rst", ".csv")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, ".pdf", ".docx")


def _too_big(path: Path, what: str, size: int, setting: str, limit: int) -> SpecificationError:
    return SpecificationError(f"grounding file {path}: {what} {size:,} is more than {setting.upper()}={limit:,} "
                              f"([Cognition] in config.ini); raise the setting to read it, or split the file.")


def _limit(setting: str) -> int:
    return int(config_manager.get(setting))


def _pdf(path: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        raise MissingExtraError(f"reading {path.name} (PDF) needs pypdf: {GROUNDING_INSTALL}") from None
    reader = PdfReader(str(path))
    pages, most = len(reader.pages), _limit("grounding_pdf_max_pages")
    if pages > most:
        raise _too_big(path, "pages", pages, "grounding_pdf_max_pages", most)
    texts, kept, chars = [], 0, _limit("grounding_max_chars")
    for page in reader.pages:
        texts.append((page.extract_text() or "").strip())
        kept += len(texts[-1])
        if kept > chars:
            raise _too_big(path, "characters (so far)", kept, "grounding_max_chars", chars)
    return "\n\n".join(texts).strip()


def _check_unpacked(path: Path) -> None:
    """Refuse a DOCX whose parts would unpack past GROUNDING_MAX_UNPACKED_BYTES (a zip bomb)."""
    most = _limit("grounding_max_unpacked_bytes")
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > most:
        raise _too_big(path, "decompressed size in bytes", unpacked, "grounding_max_unpacked_bytes", most)


def _docx(path: Path) -> str:
    try:
        import docx
    except ImportError:
        raise MissingExtraError(f"reading {path.name} (DOCX) needs python-docx: {GROUNDING_INSTALL}") from None
    _check_unpacked(path)
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text.strip() for cell in row.cells))
    return "\n\n".join(parts)


def _parse(path: Path, suffix: str) -> str:
    if suffix == ".pdf":
        return _pdf(path)
    if suffix == ".docx":
        return _docx(path)
    with open(path, "rb") as fh:  # never more than the limit, whatever the file grew to since stat()
        raw = fh.read(_limit("grounding_file_max_bytes") + 1).decode("utf-8", errors="replace")
    if suffix in HTML_SUFFIXES:
        title, text = html_to_text(raw)
        return f"{title}\n\n{text}" if title else text
    return raw


def read_file(path: str | Path) -> str:
    """The text of a PDF, DOCX, Markdown, text or HTML file, within the [Cognition] grounding limits."""
    path = Path(path)
    if not path.is_file():
        raise SpecificationError(f"grounding file {path} does not exist; check the path.")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SpecificationError(f"grounding file {path}: unsupported type {suffix!r}; supported: "
                                 + ", ".join(SUPPORTED_SUFFIXES))
    size, most = path.stat().st_size, _limit("grounding_file_max_bytes")
    if size > most:
        raise _too_big(path, "size in bytes", size, "grounding_file_max_bytes", most)
    try:
        text = _parse(path, suffix)
    except (MissingExtraError, SpecificationError):
        raise
    except Exception as exc:  # a damaged file: say which, keep the message of the parser
        raise SpecificationError(f"grounding file {path} could not be read ({type(exc).__name__}: {exc}).") from None
    chars = _limit("grounding_max_chars")
    if len(text) > chars:
        raise _too_big(path, "characters", len(text), "grounding_max_chars", chars)
    return text
