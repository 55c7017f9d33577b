"""Finding the line of a TOML file where a key (a path such as ``("agents", 1, "file")``) is written.

:mod:`tomllib` gives values without positions, so scenario errors would only name keys.
:func:`line_of` scans the text once, tracking ``[table]`` and ``[[array]]`` headers, and
returns the line of the deepest written key that leads to the path: the key itself, or the
line of the inline table or header that holds it.
"""

from __future__ import annotations

import re

__all__ = ["KeyPath", "line_of", "format_path"]

KeyPath = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _split_dotted(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


def _written_paths(text: str) -> list[tuple[int, KeyPath]]:
    """(line number, key path) for every header and top-level assignment in ``text``."""
    found: list[tuple[int, KeyPath]] = []
    table: KeyPath = ()
    counts: dict[tuple[str, ...], int] = {}
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        quotes = line.count('"""') + line.count("'''")
        if in_multiline:
            in_multiline = quotes % 2 == 0
            continue
        header = _HEADER.match(line)
        if header:
            names = _split_dotted(header.group(2))
            if header.group(1) == "[[":
                key = tuple(names)
                counts[key] = counts.get(key, -1) + 1
                table = (*names, counts[key])
            else:
                table = tuple(names)
            found.append((number, table))
            continue
        assign = _ASSIGN.match(line)
        if assign:
            found.append((number, (*table, *_split_dotted(assign.group(1)))))
            if quotes % 2 == 1:
                in_multiline = True
    return found


def _shared_prefix(a: KeyPath, b: KeyPath) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def line_of(text: str, path: KeyPath) -> int | None:
    """The line where ``path`` (or the nearest written key above it) is written, or None.

    When only keys below ``path`` are written (``path`` is an array of tables), the first of
    them is the answer.
    """
    best: tuple[int, int] | None = None  # (matched length, line)
    first_below: int | None = None
    for number, written in _written_paths(text):
        shared = _shared_prefix(written, path)
        if shared == len(path) < len(written) and path and first_below is None:
            first_below = number
        if len(written) > len(path) or shared != len(written):
            continue
        if best is None or len(written) > best[0]:
            best = (len(written), number)
    if best is not None and best[0] > 0:
        return best[1]
    return first_below


def format_path(path: KeyPath) -> str:
    """``("agents", 1, "file")`` as ``agents[2].file`` (entries counted from 1, as people do)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + part
    return out or "(top level)"
