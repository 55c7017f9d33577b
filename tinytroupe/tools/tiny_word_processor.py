"""TinyWordProcessor: agents write documents (WRITE_DOCUMENT), optionally enriched, exported to files.

The action's content is a JSON object ``{"title", "content" (Markdown), "author"}``. With an
enricher the draft is expanded by a model first; with an exporter the document is written as
``<folder>/Document/<title>.<author>.md``, ``.docx`` and ``.json``. Malformed content raises
:class:`~tinytroupe.tools.ToolInputError`, which :class:`~tinytroupe.tools.TinyToolUse`
records for the agent (who can try again) without stopping the simulation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tinytroupe import contracts, events, providers
from tinytroupe._sync import run_sync
from tinytroupe.agent.actions import ActionDefinition
from tinytroupe.agent.mental_faculty import FacultyAction
from tinytroupe.errors import LLMError
from tinytroupe.llm import purposes
from tinytroupe.llm.json_extract import JSONExtractionError, extract_json
from tinytroupe.tools.tiny_tool import TinyTool, ToolInputError

if TYPE_CHECKING:
    from tinytroupe.contracts import Agent

__all__ = ["TinyWordProcessor", "DocumentSpec", "ENRICHMENT_REQUIREMENTS", "DOCUMENT_MAX_LENGTH"]

ENRICHMENT_REQUIREMENTS = (
    "Turn this draft or outline into a complete, detailed document: develop every point into full "
    "paragraphs, and add lists and tables wherever they help. Keep the title, the author's intent and "
    "every fact of the draft."
)
DOCUMENT_MAX_LENGTH = 3000  # characters of WRITE_DOCUMENT content a turn may carry (the draft)
EXAMPLE = '{"title": "Quarterly plan", "content": "# Goals\\n- ...", "author": "Your Name"}'


class DocumentSpec(BaseModel):
    """What WRITE_DOCUMENT asks for: a title, Markdown content and an author."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1)
    content: str = Field(min_length=1)
    author: str = ""

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if isinstance(data, dict) and "content" not in data:
            for alias in ("text", "body"):
                if alias in data:
                    return {**data, "content": data[alias]}
        return data

    @field_validator("title", "content", "author", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return "" if v is None else (v.strip() if isinstance(v, str) else v)


def parse_document(content: Any) -> DocumentSpec:
    """The document an action's content describes, or a :class:`ToolInputError` saying what is wrong."""
    try:
        data = content if isinstance(content, dict) else extract_json(str(content or ""))
    except JSONExtractionError:
        snippet = " ".join(str(content or "").split())[:80]
        raise ToolInputError(f"WRITE_DOCUMENT content must be a JSON object like {EXAMPLE}; got {snippet!r}.") from None
    if not isinstance(data, dict):
        raise ToolInputError(f"WRITE_DOCUMENT content must be a JSON object like {EXAMPLE}, not a {type(data).__name__}.")
    try:
        return DocumentSpec.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "(root)" for e in exc.errors())
        raise ToolInputError(f"WRITE_DOCUMENT content needs a non-empty title and content (problem with: "
                             f"{fields}); write it like {EXAMPLE}.") from None


class TinyWordProcessor(TinyTool):
    """A word processor: ``TinyWordProcessor(owner=None, exporter=None, enricher=None)``."""

    def __init__(self, owner: Any = None, exporter: Any = None, enricher: Any = None,
                 export_formats: Iterable[str] = ("md", "docx", "json")):
        super().__init__("wordprocessor", "A word processor that lets agents write documents.", owner=owner,
                         real_world_side_effects=False, exporter=exporter, enricher=enricher)
        self.export_formats = tuple(export_formats)
        if exporter is not None and "docx" in self.export_formats:
            providers.need("require_docx")()  # a missing python-docx is said now, not in the middle of a run
        self.documents: list[dict[str, Any]] = []

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        return (ActionDefinition(
            "WRITE_DOCUMENT",
            "write a new document and save it. content: a JSON object with the fields\n"
            "  * title: the document's title (required)\n"
            "  * content: the text of the document, formatted in Markdown (required)\n"
            "  * author: your own name (optional)\n"
            f"  for example {EXAMPLE}", max_content_length=DOCUMENT_MAX_LENGTH),)

    def action_constraints(self) -> tuple[str, ...]:
        return ("WRITE_DOCUMENT only when you have something worth writing down; write each document once.",
                "In WRITE_DOCUMENT, the content must be valid JSON: escape quotes and line breaks (\\n).")

    def prompt_section(self, agent: Agent) -> str:
        if not self.documents:
            return ""
        titles = "; ".join(f"'{d['title']}'" for d in self.documents[-5:])
        return f"Documents you have written: {titles}"

    async def _aprocess_action(self, agent: Agent, action: FacultyAction) -> bool:
        if action.type != "WRITE_DOCUMENT":
            return False
        spec = parse_document(action.content)
        document = await self.awrite_document(spec.title, spec.content, spec.author or agent.name, agent=agent)
        files = ", ".join(document["files"]) or "not exported"
        agent.record_event("note", "DOCUMENT_WRITTEN", f"You wrote the document '{document['title']}' ({files}).")
        return True

    async def awrite_document(self, title: str, content: str, author: str | None = None,
                              agent: Any = None) -> dict[str, Any]:
        """Write (enrich, export) one document; returns ``{"title", "author", "content", "files"}``."""
        author = author or (getattr(agent, "name", None) or "")
        if self.enricher is not None:
            try:
                context = f"Written by {author}." + (f" About the author: {agent.minibio()}" if agent else "")
                tags = purposes.tag(purposes.ENRICHMENT, tool=self.name, **({"agent": agent.name} if agent is not None else {}))
                content = await self.enricher.aenrich_content(ENRICHMENT_REQUIREMENTS, content, "Document",
                                                              context_info=context, tags=tags)
            except LLMError as exc:
                events.emit(contracts.EnrichmentFailed(str(exc)[:300], tool=self.name), source=author or None)
        document = {"title": title, "author": author, "content": content, "files": []}
        if self.exporter is not None:
            name = f"{title}.{author}" if author else title
            data = {"title": title, "author": author, "content": content}
            for fmt in self.export_formats:
                path = self.exporter.export(name, data, "Document", content_format="md", target_format=fmt)
                document["files"].append(str(path))
        self.documents.append(document)
        events.emit(contracts.ToolDocumentWritten(self.name, title, author, list(document["files"])),
                    source=author or None)
        return document

    def write_document(self, title: str, content: str, author: str | None = None, agent: Any = None) -> dict[str, Any]:
        """Blocking twin of :meth:`awrite_document`."""
        return run_sync(self.awrite_document(title, content, author, agent))

    def to_state(self) -> dict[str, Any]:
        return {"documents": [dict(d) for d in self.documents], "export_formats": list(self.export_formats)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.documents = [dict(d) for d in state.get("documents") or []]
        self.export_formats = tuple(state.get("export_formats") or self.export_formats)
