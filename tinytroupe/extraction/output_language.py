"""The language extracted values are written in (``output_language``; English adds nothing).

Field names, keys and categories' structure never change with it: a table extracted from
Portuguese and German speakers has the same columns as one from English speakers.
"""

from __future__ import annotations

__all__ = ["output_language_line", "DEFAULT_OUTPUT_LANGUAGE"]

DEFAULT_OUTPUT_LANGUAGE = "English"


def output_language_line(language: str | None) -> str:
    """The prompt instruction for values in ``language`` ("" for English or none, so prompts stay as they were)."""
    if not language or language.strip().lower() in ("english", "en"):
        return ""
    return (f"\n\nWrite every value in {language.strip()}, whatever language the record is in; "
            "field names and keys stay exactly as given.")
