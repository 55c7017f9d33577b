"""FilesAndWebGroundingFaculty: an agent that reads its documents before it speaks.

``LIST_DOCUMENTS`` tells the agent (as a thought) which documents it has; ``CONSULT``
(content: a document name) reads one: the agent perceives that it read it, and the document's
first page (``GROUNDING_PAGE_SIZE`` characters) stays in a bounded section of its next prompts
until it consults another. A name that matches no document is searched for by meaning
instead, and the best passages are shown. Documents come from local folders and files and
from web pages (:mod:`tinytroupe.agent.grounding`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tinytroupe.agent.actions import ActionDefinition
from tinytroupe.agent.grounding import LocalFilesGroundingConnector, WebPagesGroundingConnector
from tinytroupe.agent.mental_faculty import FacultyAction, TinyMentalFaculty
from tinytroupe.memory.state import restores

if TYPE_CHECKING:
    from tinytroupe.contracts import Agent

__all__ = ["FilesAndWebGroundingFaculty"]

SEARCH_RESULTS = 3
THOUGHT_PREVIEW = 300


class FilesAndWebGroundingFaculty(TinyMentalFaculty):
    """Local files and web pages the agent can list and consult; see the module docstring."""

    kind = "FilesAndWebGroundingFaculty"

    def __init__(self, folders_paths: Iterable[str] | None = None, web_urls: Iterable[str] | None = None,
                 name: str | None = None, *, embedder: Any = None):
        super().__init__(name or "Local Files and Web Grounding")
        self.local_files_grounding_connector = LocalFilesGroundingConnector(folders_paths=folders_paths,
                                                                            embedder=embedder)
        self.web_grounding_connector = WebPagesGroundingConnector(web_urls=web_urls, embedder=embedder)
        self.consulted: dict[str, Any] | None = None  # {"name", "text", "pages"} shown in the prompt

    @property
    def connectors(self) -> tuple[Any, ...]:
        return (self.local_files_grounding_connector, self.web_grounding_connector)

    def list_sources(self) -> list[str]:
        return [name for c in self.connectors for name in c.list_sources()]

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        return (
            ActionDefinition("LIST_DOCUMENTS", "see which documents and web pages you can consult."),
            ActionDefinition("CONSULT", "read a document or web page (content: its name exactly as listed)."),
        )

    def action_constraints(self) -> tuple[str, ...]:
        return ("Before you answer questions about your work, your documents or facts you may not remember, "
                "LIST_DOCUMENTS and CONSULT the relevant one; then answer from what it says.",)

    def prompt_section(self, agent: Agent) -> str:
        if not self.consulted:
            return ""
        pages = f" (page 1 of {self.consulted['pages']})" if self.consulted["pages"] > 1 else ""
        return f"Document you are consulting: {self.consulted['name']}{pages}\n{self.consulted['text']}"

    async def aprocess_action(self, agent: Agent, action: FacultyAction) -> bool:
        if action.type == "LIST_DOCUMENTS":
            names = self.list_sources()
            listing = "; ".join(names) if names else "none"
            agent.perceive_thought(f"I have these documents available to consult: {listing}")
            return True
        if action.type != "CONSULT":
            return False
        name = str(action.content).strip()
        for connector in self.connectors:
            pages = connector.retrieve_by_name(name) if name else []
            if pages:
                found = connector._find(name)
                self.consulted = {"name": found.name, "text": pages[0], "pages": len(pages)}
                preview = " ".join(pages[0].split())[:THOUGHT_PREVIEW]
                agent.perceive_thought(f"I have read the document {found.name}. It begins: {preview}…")
                return True
        passages = []
        for connector in self.connectors:
            passages += await connector.aretrieve_relevant_passages(name, SEARCH_RESULTS)
        passages.sort(key=lambda p: -p["score"])
        if not passages:
            self.consulted = None
            agent.perceive_thought(f"I found no document about {name!r}; the ones I have are: "
                                   f"{'; '.join(self.list_sources()) or 'none'}")
            return True
        text = "\n\n".join(f"[{p['source']}] {p['content']}" for p in passages[:SEARCH_RESULTS])
        self.consulted = {"name": f"passages about {name!r}", "text": text, "pages": 1}
        agent.perceive_thought(f"I looked through my documents for {name!r} and found passages in "
                               f"{', '.join(dict.fromkeys(p['source'] for p in passages[:SEARCH_RESULTS]))}.")
        return True

    def process_action(self, agent: Agent, action: FacultyAction) -> bool:
        from tinytroupe._sync import run_sync

        return run_sync(self.aprocess_action(agent, action))

    def to_state(self) -> dict[str, Any]:
        return {"local_files": self.local_files_grounding_connector.to_state(),
                "web_pages": self.web_grounding_connector.to_state(),
                "folders_paths": list(self.local_files_grounding_connector.folders_paths),
                "web_urls": list(self.web_grounding_connector.web_urls),
                "consulted": dict(self.consulted) if self.consulted else None}

    @restores("FilesAndWebGroundingFaculty")
    def load_state(self, state: dict[str, Any]) -> None:
        """Restore the documents as they were read (files and pages are not read or embedded again)."""
        self.local_files_grounding_connector.load_state(state.get("local_files") or {})
        self.web_grounding_connector.load_state(state.get("web_pages") or {})
        self.local_files_grounding_connector.folders_paths = [str(p) for p in state.get("folders_paths") or []]
        self.web_grounding_connector.web_urls = [str(u) for u in state.get("web_urls") or []]
        self.consulted = dict(state["consulted"]) if state.get("consulted") else None
