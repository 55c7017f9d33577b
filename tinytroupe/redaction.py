"""Keeping credentials out of what tinytroupe prints and stores: URLs with their secrets hidden.

A base URL may carry a user name and password (``http://user:secret@host/v1``) or a key in
its query (``?api-key=...``). :func:`redact_url` hides both; :func:`redact_text` does it for
every URL inside a text (an error message, a log line). Every error tinytroupe raises passes
its message through :func:`redact_text`, and every URL the CLI shows or a file stores goes
through :func:`redact_url`, so a credential in a URL never reaches a prompt, a transcript, a
state file, a checkpoint or a summary.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["redact_url", "redact_text", "MASK"]

MASK = "***"

_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>()\[\]{}`]+")
_SECRET_PARAM = re.compile(
    r"key|token|secret|passw|pwd|^pass$|auth|sig|credential|session|^code$", re.IGNORECASE)


def _redact_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    if not pairs or not any(_SECRET_PARAM.search(k) for k, _ in pairs):
        return query
    hidden = [(k, MASK if _SECRET_PARAM.search(k) and v else v) for k, v in pairs]
    return urlencode(hidden, safe="*")


def redact_url(url: str) -> str:
    """``url`` with any user name and password, and the values of secret-looking query
    parameters (``api-key``, ``token``, ``sig``...), replaced by ``***``; other text unchanged."""
    if not isinstance(url, str) or "://" not in url:
        return url
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = f"{MASK}@{netloc.rpartition('@')[2]}"
        query = _redact_query(parts.query) if parts.query else parts.query
    except ValueError:  # not parseable as a URL: hide everything after the scheme
        return url.split("://", 1)[0] + "://" + MASK
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _one(match: re.Match[str]) -> str:
    text = match.group(0)
    trail = len(text) - len(text.rstrip(".,;:!?"))
    core, tail = (text[:-trail], text[-trail:]) if trail else (text, "")
    return redact_url(core) + tail


def redact_text(text: str) -> str:
    """``text`` with every URL in it passed through :func:`redact_url`."""
    if not isinstance(text, str) or "://" not in text:
        return text
    return _URL.sub(_one, text)
