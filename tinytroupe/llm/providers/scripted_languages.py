"""Canned sentences in a few languages, so the scripted model answers in the language a request asks for.

A request asks for a language when one of its messages says to speak, answer or write in it
(``"... answer only in German ..."``), as the agent's system prompt does for a person who speaks
another language, and the extractor's prompt does for an ``output_language``.
"""

from __future__ import annotations

import re

from tinytroupe.llm.base import ChatRequest

__all__ = ["requested_language", "lines_in", "short_answers_in", "LINES"]

LINES: dict[str, tuple[str, ...]] = {
    "English": (
        "I like the idea, but the price has to be right.",
        "Honestly, I would need to try it before I decide.",
        "It sounds useful for people like me, with a busy week.",
        "My main worry is how long it lasts before it breaks.",
        "I would tell my friends about it if it works as promised.",
        "I am not convinced yet; what problem does it really solve?",
    ),
    "Portuguese": (
        "Gosto da ideia, mas o preço tem de ser justo.",
        "Sinceramente, eu precisaria de experimentar antes de decidir.",
        "Parece útil para pessoas como eu, com uma semana cheia.",
        "A minha maior dúvida é quanto tempo dura antes de avariar.",
    ),
    "German": (
        "Die Idee gefällt mir, aber der Preis muss stimmen.",
        "Ehrlich gesagt müsste ich es erst ausprobieren, bevor ich mich entscheide.",
        "Für Leute wie mich mit einer vollen Woche klingt das nützlich.",
        "Meine größte Sorge ist, wie lange es hält, bevor es kaputtgeht.",
    ),
    "French": (
        "L'idée me plaît, mais le prix doit être correct.",
        "Honnêtement, il faudrait que je l'essaie avant de décider.",
    ),
    "Spanish": (
        "Me gusta la idea, pero el precio tiene que ser justo.",
        "Sinceramente, tendría que probarlo antes de decidir.",
    ),
}

_SHORT: dict[str, tuple[str, ...]] = {
    "English": ("Too pricey for me.", "It suits my budget.", "I would try it once.", "Not something I need.",
                "I like how simple it is.", "It solves a real problem."),
    "Portuguese": ("Caro demais.", "Cabe no orçamento.", "Experimentaria.", "Não preciso disto."),
    "German": ("Zu teuer.", "Passt ins Budget.", "Würde es testen.", "Brauche ich nicht."),
    "French": ("Trop cher.", "Ça me convient."),
    "Spanish": ("Demasiado caro.", "Me conviene."),
}

_ASKS = re.compile(r"\b(?:speak|answer|write|written|reply)\b[^\n.]*?\bin (" + "|".join(LINES) + r")\b")


def requested_language(request: ChatRequest) -> str:
    """The language ``request`` asks the reply to be in (English when it asks for none it knows)."""
    for message in request.messages:
        found = _ASKS.search(message.content)
        if found:
            return found.group(1)
    return "English"


def lines_in(language: str) -> tuple[str, ...]:
    """Spoken sentences in ``language`` (English for one without canned sentences)."""
    return LINES.get(language, LINES["English"])


def short_answers_in(language: str) -> tuple[str, ...]:
    """Short answers (for free-text fields) in ``language`` (English for one without any)."""
    return _SHORT.get(language, _SHORT["English"])
