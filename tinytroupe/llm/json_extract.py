"""Tolerant extraction of one JSON value from model text.

Handles code fences, prose before and after, trailing commas, raw newlines inside strings
(``strict=False``) and Python-style literals where they are unambiguous.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

__all__ = ["extract_json", "JSONExtractionError"]


class JSONExtractionError(ValueError):
    """No JSON value could be found in the text."""


_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _loads(text: str) -> Any:
    return json.loads(text, strict=False)


def _balanced_spans(text: str) -> list[str]:
    """Every top-level ``{...}`` or ``[...]`` span, scanning strings correctly."""
    spans, depth, start, in_str, esc = [], 0, -1, False, False
    for i, ch in enumerate(text):
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"' and depth > 0:
            in_str = True
        elif ch in "{[":
            if depth == 0:
                start = i
            depth += 1
        elif ch in "}]" and depth > 0:
            depth -= 1
            if depth == 0:
                spans.append(text[start : i + 1])
    return spans


def _attempts(candidate: str) -> list[str]:
    fixed = _TRAILING_COMMA.sub(r"\1", candidate)
    return [candidate, fixed] if fixed != candidate else [candidate]


def _python_literal(candidate: str) -> Any:
    """A dict or list written Python-style (single quotes, True/False/None), or None."""
    if not candidate.startswith(("{", "[")):
        return None
    try:
        value = ast.literal_eval(candidate)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(value, (dict, list)):
        return None
    try:
        json.dumps(value)  # only plain JSON-able data counts (no sets, tuples as keys, ...)
    except (TypeError, ValueError):
        return None
    return value


def extract_json(text: str) -> Any:
    """Return the first JSON object or array found in ``text``.

    Raises :class:`JSONExtractionError` with a short reason when there is none.
    """
    if text is None or not text.strip():
        raise JSONExtractionError("the reply was empty")
    stripped = text.strip()
    try:
        return _loads(stripped)  # the usual case: the reply is exactly one JSON value
    except json.JSONDecodeError:
        pass
    candidates = [stripped]
    candidates += [m.group(1).strip() for m in _FENCE.finditer(text)]
    candidates += sorted(_balanced_spans(text), key=len, reverse=True)
    last_error = "no JSON object or array found"
    for candidate in candidates:
        for attempt in _attempts(candidate):
            try:
                return _loads(attempt)
            except json.JSONDecodeError as exc:
                last_error = f"invalid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"
    for candidate in candidates:
        value = _python_literal(candidate)
        if value is not None:
            return value
    if last_error.startswith("invalid JSON") and stripped.startswith(("{", "[")):
        last_error += " (the reply looks cut off or malformed)"
    raise JSONExtractionError(last_error)
