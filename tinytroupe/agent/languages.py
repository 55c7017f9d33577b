"""The language a person speaks: an explicit ``language`` field, else inferred where unambiguous.

Inference reads only ``nationality``, then ``residence`` / ``country``, through the small table
below (a demonym or country name to its main language). A person whose fields point at two
languages, or at none in the table (Swiss, Belgian, Indian, Canadian...), speaks English unless
``language`` says otherwise. Only a language other than English adds an instruction to the
agent's system prompt, so English personas' prompts never change.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["persona_language", "language_name", "language_line", "INFERRED_LANGUAGES", "ENGLISH"]

ENGLISH = "English"

# demonyms and countries whose main language is clear; ambiguous ones are left out on purpose
INFERRED_LANGUAGES: dict[str, str] = {
    "brazilian": "Portuguese", "brazil": "Portuguese", "portuguese": "Portuguese", "portugal": "Portuguese",
    "german": "German", "germany": "German", "austrian": "German", "austria": "German",
    "french": "French", "france": "French",
    "spanish": "Spanish", "spain": "Spanish", "mexican": "Spanish", "mexico": "Spanish",
    "argentinian": "Spanish", "argentine": "Spanish", "argentina": "Spanish", "colombian": "Spanish",
    "italian": "Italian", "italy": "Italian",
    "dutch": "Dutch", "netherlands": "Dutch",
    "polish": "Polish", "poland": "Polish",
    "japanese": "Japanese", "japan": "Japanese",
    "american": ENGLISH, "british": ENGLISH, "english": ENGLISH, "australian": ENGLISH, "irish": ENGLISH,
    "usa": ENGLISH, "uk": ENGLISH,
}

_CODES = {"en": ENGLISH, "pt": "Portuguese", "de": "German", "fr": "French", "es": "Spanish",
          "it": "Italian", "nl": "Dutch", "pl": "Polish", "ja": "Japanese"}
_WORD = re.compile(r"[a-zà-ÿ]+")


def language_name(value: str) -> str:
    """A language as a capitalised name: ``"pt-BR"`` and ``"portuguese"`` are ``"Portuguese"``."""
    text = str(value).strip()
    code = text.lower().replace("_", "-").split("-", 1)[0]
    if code in _CODES and len(text) <= 5:
        return _CODES[code]
    return text[:1].upper() + text[1:]


def _text_of(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(_text_of(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return " ".join(_text_of(v) for v in value)
    return str(value) if value is not None else ""


def _inferred(text: str) -> str | None:
    found = {INFERRED_LANGUAGES[w] for w in _WORD.findall(text.lower()) if w in INFERRED_LANGUAGES}
    return found.pop() if len(found) == 1 else None


def persona_language(persona: Any) -> str:
    """The language ``persona`` (a Persona or a dict) speaks: its ``language`` field, else inferred
    from ``nationality``, else from ``residence`` / ``country``; English when nothing is clear."""
    explicit = persona.get("language") if hasattr(persona, "get") else None
    if isinstance(explicit, str) and explicit.strip():
        return language_name(explicit)
    for fields in (("nationality",), ("residence", "country")):
        text = " ".join(_text_of(persona.get(f)) for f in fields) if hasattr(persona, "get") else ""
        if text.strip():
            found = _inferred(text)
            if found is not None:
                return found
            if fields == ("nationality",):
                return ENGLISH  # a nationality outside the table (or mixed): not guessed from elsewhere
    return ENGLISH


def language_line(language: str) -> str:
    """The system-prompt instruction for a person who speaks ``language`` ("" for English or none)."""
    if not language or language_name(language) == ENGLISH:
        return ""
    return (f"\nLanguage: you speak, think and answer only in {language}, whatever language others use. "
            "Action types, names and JSON keys stay exactly as given.\n")
