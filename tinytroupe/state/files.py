"""Versioned JSON state documents on disk, written atomically and read with clear errors.

Every saved state (a checkpoint, a world, an agent) is one JSON object whose ``format`` names
what it is and whose ``version`` says which layout it uses. :func:`write_document` writes a
temporary file in the target's folder, flushes and fsyncs it, renames it over the target and
fsyncs the folder: a crash at any point leaves either the old file or the new one, never a
mix. :func:`read_document` raises :class:`~tinytroupe.errors.StateError` naming the file and
the fix for a missing, truncated, corrupt, foreign or too-new document, and never changes it.

Every JSON document tinytroupe reads (agents, fragments, worlds, factories, populations,
checkpoints) goes through :func:`parse_json`, which refuses nesting deeper than
:data:`MAX_NESTING_DEPTH` levels with the library's error, before any code walks it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tinytroupe.errors import StateError

__all__ = ["write_atomically", "write_document", "read_document", "parse_json", "check_nesting", "MAX_NESTING_DEPTH"]

MAX_NESTING_DEPTH = 100  # levels of objects and lists; tinytroupe's own documents use about 10


def write_document(path: str | os.PathLike, format: str, version: int, body: dict[str, Any],
                   *, indent: int | None = None) -> Path:
    """Write ``{"format", "version", **body}`` to ``path`` atomically; returns the path."""
    doc = {"format": format, "version": version, **body}
    text = json.dumps(doc, ensure_ascii=False, indent=indent,
                      separators=None if indent else (",", ":"))
    return write_atomically(path, text.encode("utf-8"))


def write_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` so a crash leaves the old file or the new one, never a mix:
    a temporary file beside it, flushed and fsynced, renamed over it, then the folder fsynced."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)
    return target


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_document(path: str | os.PathLike, format: str, max_version: int, what: str) -> dict[str, Any]:
    """The document at ``path``, checked to be of ``format`` and a version up to ``max_version``.

    ``what`` names the document in messages ("checkpoint", "world file"...).
    """
    source = Path(path)
    fix = f"delete it or choose another path for the {what}"
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise StateError(f"{source}: {what} not found; check the path") from None
    except OSError as exc:
        raise StateError(f"{source}: cannot read the {what} ({exc}); check its permissions") from None
    try:
        doc = parse_json(raw.decode("utf-8"), source, what)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateError(f"{source}: the {what} is truncated or corrupt ({exc}); {fix}") from None
    if not isinstance(doc, dict) or doc.get("format") != format:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise StateError(f"{source}: not a tinytroupe {what} (format {found!r}, expected {format!r}); {fix}")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= max_version:
        raise StateError(f"{source}: {what} version {version!r} is not supported (this tinytroupe reads "
                         f"versions 1 to {max_version}); upgrade tinytroupe, or {fix}")
    return doc


def _too_deep(source: Any, what: str, error: type[Exception]) -> Exception:
    return error(f"{source}: the {what} nests objects or lists more than {MAX_NESTING_DEPTH} levels deep "
                 f"(the limit for JSON documents); it was not written by tinytroupe: fix or replace it")


def check_nesting(value: Any, source: Any, what: str, error: type[Exception] = StateError) -> None:
    """Refuse ``value`` when its objects and lists nest deeper than :data:`MAX_NESTING_DEPTH`."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > MAX_NESTING_DEPTH:
            raise _too_deep(source, what, error)
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def parse_json(text: str | bytes, source: Any, what: str, error: type[Exception] = StateError) -> Any:
    """``json.loads(text)``, refusing deep nesting with ``error`` naming ``source`` and the limit;
    a syntax error is left to the caller (``json.JSONDecodeError``)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep(source, what, error) from None
    opening = (b"{", b"[") if isinstance(text, bytes) else ("{", "[")
    if text.count(opening[0]) + text.count(opening[1]) > MAX_NESTING_DEPTH:  # else it cannot nest deeper
        check_nesting(value, source, what, error)
    return value
