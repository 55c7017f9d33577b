"""Fetching one web page for grounding, within a deadline, a size limit and its own site.

- ``WEB_FETCH_TIMEOUT`` is a deadline for the whole fetch (connecting, redirects, every byte):
  a server that trickles a byte at a time is cut off when it passes;
- ``WEB_FETCH_MAX_BYTES`` bounds the body as it arrives (a compressed body counts decompressed);
- redirects are followed only within the page's own site (same host and port; ``http`` may
  become ``https`` on the same host). A redirect elsewhere is refused, naming the target, so a
  page given by the user never turns silently into another server's page;
- only text bodies are read (``text/*``, HTML, XML, JSON); images and other binary bodies are
  refused with their content type named;
- every URL in a message is shown without credentials (:mod:`tinytroupe.redaction`).
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urljoin, urlsplit

from tinytroupe.agent.grounding_html import html_to_text
from tinytroupe.config import config_manager
from tinytroupe.errors import SpecificationError
from tinytroupe.redaction import redact_url

__all__ = ["fetch_page", "MAX_REDIRECTS", "TEXT_TYPES"]

MAX_REDIRECTS = 5
TEXT_TYPES = ("text/", "application/xhtml+xml", "application/xml", "application/json", "application/ld+json")


def _httpx():
    """The HTTP client beneath the project's OpenAI client (httpx2 or httpx, whichever it uses)."""
    try:
        import httpx2 as httpx
    except ImportError:
        import httpx
    return httpx


def _origin(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.hostname or "").lower(), port


def _same_site(start: str, target: str) -> bool:
    """``target`` is on ``start``'s host and port (http -> https on the default ports is allowed)."""
    if not re.match(r"^https?://", target):
        return False
    (host, port), (to_host, to_port) = _origin(start), _origin(target)
    upgrade = urlsplit(start).scheme == "http" and urlsplit(target).scheme == "https" and (port, to_port) == (80, 443)
    return host == to_host and (port == to_port or upgrade)


def _check_type(url: str, kind: str) -> None:
    mime = kind.split(";", 1)[0].strip().lower()
    if mime and not mime.startswith(TEXT_TYPES):
        raise SpecificationError(f"web page {redact_url(url)} is of type {mime}, not text; grounding reads HTML "
                                 "and text pages only: give the address of a page that shows it as text.")


async def _read(client, url: str, limit: int) -> tuple[str, str, str]:
    """``(final url, content type, text)``, following same-site redirects."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        async with client.stream("GET", current) as reply:
            if reply.is_redirect:
                target = urljoin(current, reply.headers.get("location", ""))
                if not _same_site(url, target):
                    raise SpecificationError(
                        f"web page {redact_url(url)} redirects to {redact_url(target)}, another site; redirects "
                        "are followed only within the page's own host and port: give that address instead.")
                current = target
                continue
            if reply.status_code >= 400:
                raise SpecificationError(f"web page {redact_url(url)} answered HTTP {reply.status_code}; "
                                         "check the URL.")
            kind = reply.headers.get("content-type", "")
            _check_type(url, kind)
            body = bytearray()
            async for chunk in reply.aiter_bytes():
                body.extend(chunk)
                if len(body) > limit:
                    raise SpecificationError(f"web page {redact_url(url)} is larger than WEB_FETCH_MAX_BYTES="
                                             f"{limit}; raise the setting to read it.")
            return current, kind, bytes(body).decode(reply.encoding or "utf-8", errors="replace")
    raise SpecificationError(f"web page {redact_url(url)} redirects more than {MAX_REDIRECTS} times; "
                             "give the final address.")


async def fetch_page(url: str) -> tuple[str, str]:
    """``(title, text)`` of the page at ``url``; errors name the URL and the setting to change."""
    httpx = _httpx()
    if not re.match(r"^https?://", url):
        raise SpecificationError(f"web page {redact_url(url)!r}: only http:// and https:// URLs can be fetched.")
    timeout = float(config_manager.get("web_fetch_timeout"))
    limit = int(config_manager.get("web_fetch_max_bytes"))
    try:
        async with asyncio.timeout(timeout):
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                         headers={"User-Agent": "tinytroupe grounding"}) as client:
                _, kind, text = await _read(client, url, limit)
    except (TimeoutError, httpx.TimeoutException):
        raise SpecificationError(f"web page {redact_url(url)} was not read within WEB_FETCH_TIMEOUT={timeout:g} s "
                                 "(a deadline for the whole page); raise the setting or check the address.") from None
    except httpx.HTTPError as exc:
        raise SpecificationError(f"web page {redact_url(url)} could not be fetched ({type(exc).__name__}); "
                                 "check the address.") from None
    _check_chars(url, text)
    if "html" in kind or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return html_to_text(text)
    return "", text


def _check_chars(url: str, text: str) -> None:
    limit = int(config_manager.get("grounding_max_chars"))
    if len(text) > limit:
        raise SpecificationError(f"web page {redact_url(url)} holds {len(text):,} characters, more than "
                                 f"GROUNDING_MAX_CHARS={limit:,} ([Cognition]); raise the setting to read it.")
