"""JSON helpers under the original's path ``tinytroupe.utils.json``.

:func:`extract_json` here is the forgiving form users of the original call: the first JSON
object or array in a text, or ``{}`` when there is none (the library's own parsing uses
:func:`tinytroupe.llm.json_extract.extract_json`, which says why it found nothing).
"""

from __future__ import annotations

import logging
from typing import Any

from tinytroupe.llm.json_extract import JSONExtractionError
from tinytroupe.llm.json_extract import extract_json as _strict_extract_json
from tinytroupe.utils.misc import merge_dicts
from tinytroupe.utils.serializable import JsonSerializableRegistry, post_init

__all__ = ["extract_json", "merge_dicts", "remove_duplicates", "JsonSerializableRegistry", "post_init"]

logger = logging.getLogger(__name__)


def extract_json(text: str | None) -> Any:
    """The first JSON object or array in ``text`` (fenced, quoted or bare), or ``{}`` if it has none."""
    if not isinstance(text, str):
        return {}
    try:
        return _strict_extract_json(text)
    except JSONExtractionError as exc:
        logger.debug("no JSON in the text (%s); returning {}", exc)
        return {}


def remove_duplicates(items: list[Any]) -> list[Any]:
    """``items`` without repeats, first occurrence kept (works for unhashable items too)."""
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
