"""The shared machinery of enrichment and styling: one model call that rewrites content.

The prompt carries the instruction, the content type, the caller's context and, where a
cache is used, earlier results. The reply's fenced block is taken as the result; when the
content was JSON the result must parse as JSON too (re-asked once; if it still does not, the
content comes back unchanged and an ``enrichment.failed`` event says why).
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from tinytroupe import contracts, events, llm
from tinytroupe.llm import purposes
from tinytroupe.llm.base import LLMModel, Message
from tinytroupe.llm.json_extract import JSONExtractionError, extract_json
from tinytroupe.prompts import render

__all__ = ["ContentTransformer", "content_format", "extract_block", "PAST_RESULTS_SHOWN", "PAST_RESULT_MAX_CHARS"]

PAST_RESULTS_SHOWN = 3
PAST_RESULT_MAX_CHARS = 6000
_FENCE = re.compile(r"```[ \t]*([\w+#.-]*)[ \t]*\n(.*?)\n?[ \t]*```", re.DOTALL)


def content_format(content: str) -> str:
    """``json``, ``code``, ``markdown`` or ``text``: what the result must stay."""
    stripped = content.strip()
    if stripped[:1] in "{[":
        try:
            json.loads(stripped)
            return "json"
        except ValueError:
            pass
    if stripped.startswith("```"):
        return "code"
    if re.search(r"^\s*(#{1,6}\s|[-*+]\s|\d+[.)]\s|\|.*\|)", stripped, re.MULTILINE):
        return "markdown"
    return "text"


def extract_block(reply: str, fmt: str) -> str:
    """The content of the reply: its fenced block (the longest, if several), else the reply itself.

    For code the fence is kept, as it was in the content.
    """
    text = (reply or "").strip()
    whole = re.match(r"```[ \t]*([\w+#.-]*)[ \t]*\n(.*)\n[ \t]*```$", text, re.DOTALL)
    blocks = [whole.groups()] if whole else _FENCE.findall(text)
    if not blocks:
        return textwrap.dedent(reply or "").strip()
    language, body = max(blocks, key=lambda b: len(b[1]))
    if fmt == "code":
        return f"```{language}\n{body.rstrip()}\n```"
    return textwrap.dedent(body).strip()


def _clip(text: str, limit: int = PAST_RESULT_MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def past_text(entry: Any) -> str:
    """The result text of a cache entry: a string, or a dict of the original's shape
    (``{"original", "style", "styled"}`` for a styler, ``{"result": ...}`` otherwise)."""
    if isinstance(entry, dict):
        return str(entry.get("styled") or entry.get("result") or entry.get("content") or "")
    return str(entry)


class ContentTransformer:
    """Base of :class:`TinyEnricher` and :class:`TinyStyler`: a model, a cache of past results."""

    task = ""
    purpose = purposes.ENRICHMENT

    def __init__(self, use_past_results_in_context: bool = False, model: LLMModel | None = None):
        self.use_past_results_in_context = use_past_results_in_context
        self.context_cache: list[Any] = []
        self.model = model

    def _messages(self, instruction: str, content: str, content_type: str | None, context_info: str,
                  past: list[Any], fmt: str) -> list[Message]:
        shown = [f"--- result {i + 1} ---\n{_clip(past_text(p))}" for i, p in enumerate(past[-PAST_RESULTS_SHOWN:])]
        user = render("enrichment_user.md", instruction=instruction.strip(),
                      content_type=content_type or "(not given)",
                      context_info=(context_info or "").strip() or "(none)",
                      past_results="\n\n".join(shown) or "(none)", content_format=fmt, content=content)
        return [Message(role="system", content=render("enrichment_system.md", task=self.task)),
                Message(role="user", content=user)]

    async def _arun(self, instruction: str, content: str, content_type: str | None, context_info: str | None,
                    context_cache: list[Any] | None, temperature: float | None,
                    tags: dict[str, str] | None = None, cache_entry: Any = None) -> str:
        fmt = content_format(content)
        past = list(context_cache) if context_cache is not None else (
            self.context_cache if self.use_past_results_in_context else [])
        messages = self._messages(instruction, content, content_type, context_info or "", past, fmt)
        model = self.model or llm.default_model()
        result = ""
        for attempt in range(2):
            reply = await llm.acomplete_text(messages, model=model, temperature=temperature,
                                             tags={**(tags or {}), "purpose": self.purpose})
            result = extract_block(reply, fmt)
            problem = self._problem(result, fmt)
            if problem is None:
                break
            if attempt == 0:
                fix = render("enrichment_fix.md", problem=problem, content_format=fmt)
                messages = [*messages, Message(role="assistant", content=reply or "(empty)"),
                            Message(role="user", content=fix)]
                continue
            events.emit(contracts.EnrichmentFailed(problem, purpose=self.purpose, content_format=fmt),
                        source=type(self).__name__)
            return content
        if self.use_past_results_in_context:
            self.context_cache.append(cache_entry(result) if cache_entry is not None else result)
        return result

    @staticmethod
    def _problem(result: str, fmt: str) -> str | None:
        if not result.strip():
            return "it is empty"
        if fmt == "json":
            try:
                extract_json(result)
            except JSONExtractionError as exc:
                return f"the content was JSON but the reply is not valid JSON ({exc})"
        return None

    def to_state(self) -> dict[str, Any]:
        return {"use_past_results_in_context": self.use_past_results_in_context,
                "context_cache": list(self.context_cache)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.use_past_results_in_context = bool(state.get("use_past_results_in_context",
                                                          self.use_past_results_in_context))
        self.context_cache = [x if isinstance(x, dict) else str(x) for x in state.get("context_cache", [])]
