"""Reading documents for grounding: files (PDF, DOCX, Markdown, text, HTML) and web pages.

PDF needs ``pypdf`` and DOCX ``python-docx`` (the ``grounding`` extra); without them a
:class:`~tinytroupe.errors.MissingExtraError` names the install. Web pages are fetched with
httpx (the HTTP client beneath the project's OpenAI client) under a timeout
(``WEB_FETCH_TIMEOUT``) and a size limit (``WEB_FETCH_MAX_BYTES``); HTML becomes plain text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

from tinytroupe.config import config_manager
from tinytroupe.errors import MissingExtraError, SpecificationError

__all__ = ["read_file", "fetch_page", "html_to_text", "SUPPORTED_SUFFIXES", "GROUNDING_INSTALL"]

GROUNDING_INSTALL = 'pip install "tinytroupe[grounding]"'
TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text", ".rst", ".csv")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, ".pdf", ".docx")
_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
           "article", "header", "footer", "blockquote", "pre", "title"}
_SKIP = {"script", "style", "noscript", "template", "svg", "head"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP:
            self._skip += 1
        if tag in _BLOCKS:
            self.parts.append("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP and self._skip:
            self._skip -= 1
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str]:
    """``(title, text)`` of an HTML document: scripts and styles dropped, blocks as paragraphs."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return " ".join(parser.title.split()), "\n\n".join(p for p in paragraphs if p)


def _pdf(path: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        raise MissingExtraError(f"reading {path.name} (PDF) needs pypdf: {GROUNDING_INSTALL}") from None
    reader = PdfReader(str(path))
    return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()


def _docx(path: Path) -> str:
    try:
        import docx
    except ImportError:
        raise MissingExtraError(f"reading {path.name} (DOCX) needs python-docx: {GROUNDING_INSTALL}") from None
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text.strip() for cell in row.cells))
    return "\n\n".join(parts)


def read_file(path: str | Path) -> str:
    """The text of a PDF, DOCX, Markdown, text or HTML file."""
    path = Path(path)
    if not path.is_file():
        raise SpecificationError(f"grounding file {path} does not exist; check the path.")
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            return _pdf(path)
        if suffix == ".docx":
            return _docx(path)
        raw = path.read_text(encoding="utf-8", errors="replace")
    except MissingExtraError:
        raise
    except Exception as exc:  # a damaged file: say which, keep the message of the parser
        raise SpecificationError(f"grounding file {path} could not be read ({type(exc).__name__}: {exc}).") from None
    if suffix in HTML_SUFFIXES:
        title, text = html_to_text(raw)
        return f"{title}\n\n{text}" if title else text
    if suffix not in TEXT_SUFFIXES:
        raise SpecificationError(f"grounding file {path}: unsupported type {suffix!r}; supported: "
                                 + ", ".join(SUPPORTED_SUFFIXES))
    return raw


def _httpx():
    """The HTTP client beneath the project's OpenAI client (httpx2 or httpx, whichever it uses)."""
    try:
        import httpx2 as httpx
    except ImportError:
        import httpx
    return httpx


async def fetch_page(url: str) -> tuple[str, str]:
    """``(title, text)`` of the page at ``url``; errors name the URL and the setting to change."""
    httpx = _httpx()

    if not re.match(r"^https?://", url):
        raise SpecificationError(f"web page {url!r}: only http:// and https:// URLs can be fetched.")
    timeout = float(config_manager.get("web_fetch_timeout"))
    limit = int(config_manager.get("web_fetch_max_bytes"))
    body = bytearray()
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=True,
                                     headers={"User-Agent": "tinytroupe grounding"}) as client:
            async with client.stream("GET", url) as reply:
                if reply.status_code >= 400:
                    raise SpecificationError(f"web page {url} answered HTTP {reply.status_code}; check the URL.")
                async for chunk in reply.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > limit:
                        raise SpecificationError(f"web page {url} is larger than WEB_FETCH_MAX_BYTES={limit}; "
                                                 "raise the setting to read it.")
                kind = reply.headers.get("content-type", "")
                encoding = reply.encoding or "utf-8"
    except httpx.TimeoutException:
        raise SpecificationError(f"web page {url} did not answer within WEB_FETCH_TIMEOUT={timeout:g} s; "
                                 "raise the setting or check the address.") from None
    except httpx.HTTPError as exc:
        raise SpecificationError(f"web page {url} could not be fetched ({exc}); check the address.") from None
    text = bytes(body).decode(encoding, errors="replace")
    if "html" in kind or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return html_to_text(text)
    return "", text
