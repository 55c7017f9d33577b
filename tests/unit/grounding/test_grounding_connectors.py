"""Grounding connectors over real files (PDF, DOCX, Markdown, text, HTML) and a real web server."""

from __future__ import annotations

import builtins
import json

import pytest

from tinytroupe.agent.grounding import (
    BaseSemanticGroundingConnector,
    LocalFilesGroundingConnector,
    WebPagesGroundingConnector,
    split_passages,
)
from tinytroupe.config import config_manager
from tinytroupe.errors import MissingExtraError, SpecificationError
from tinytroupe.testing.documents import PageServer, write_docx, write_pdf


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "reports"
    (docs / "sub").mkdir(parents=True)
    write_pdf(docs / "q3_results.pdf", ["Quarterly results for Q3.", "Revenue grew 14 percent to 2.3 million euros, "
                                        "driven by the Lisbon office."])
    write_docx(docs / "strategy.docx", ["We will open a Porto office in 2025.", "Hiring freeze lifted in March."],
               title="Strategy memo")
    (docs / "sub" / "notes.md").write_text("# Team notes\n\nThe offsite is on the 14th of June in Sintra.\n")
    (docs / "page.html").write_text("<html><head><title>Intranet</title><style>p{}</style></head>"
                                    "<body><p>Canteen closes at 3pm.</p><script>var x=1;</script></body></html>")
    (docs / "ignored.bin").write_bytes(b"\x00\x01")
    return docs


def test_folders_are_read_recursively_by_type(folder):
    connector = LocalFilesGroundingConnector(folders_paths=[folder])
    assert connector.list_sources() == ["page.html", "q3_results.pdf", "strategy.docx", "notes.md"]
    pdf = connector.retrieve_by_name("q3_results.pdf")[0]
    assert "Revenue grew 14 percent" in pdf
    assert "Porto office" in connector.retrieve_by_name("strategy")[0]  # by file stem
    html = connector.retrieve_by_name("page.html")[0]
    assert "Canteen closes at 3pm." in html and "var x" not in html and "p{}" not in html
    assert connector.retrieve_by_name("nothing-like-this") == []


def test_relevant_passages_name_their_source(folder):
    connector = LocalFilesGroundingConnector(folders_paths=[folder])
    best = connector.retrieve_relevant("when is the offsite in Sintra?", top_k=2)
    assert best[0].startswith("SOURCE: notes.md\nSIMILARITY SCORE:") and "14th of June" in best[0]
    assert connector.retrieve_relevant("revenue growth", 1)[0].startswith("SOURCE: q3_results.pdf")


def test_pages_are_truncated_as_configured(folder):
    config_manager.update("grounding_page_size", 100)
    connector = BaseSemanticGroundingConnector()
    connector.add_document({"name": "long", "text": "word " * 100})
    pages = connector.retrieve_by_name("long")
    assert len(pages) == 5 and all(len(p) <= 100 for p in pages)


def test_state_restores_without_reading_or_embedding(folder):
    connector = LocalFilesGroundingConnector(folders_paths=[folder])
    before = connector.retrieve_relevant("Porto", 1)
    state = json.loads(json.dumps(connector.to_state()))
    restored = LocalFilesGroundingConnector()
    restored.load_state(state)
    assert restored.to_state() == state and restored.retrieve_relevant("Porto", 1) == before


def test_missing_things_say_what_to_do(folder, monkeypatch):
    with pytest.raises(SpecificationError, match="does not exist"):
        LocalFilesGroundingConnector(folders_paths=[folder / "nope"])
    real_import = builtins.__import__

    def no_pypdf(name, *args, **kwargs):
        if name == "pypdf":
            raise ImportError("no pypdf")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pypdf)
    with pytest.raises(MissingExtraError, match=r'pip install "tinytroupe\[grounding\]"'):
        LocalFilesGroundingConnector().add_file_path(folder / "q3_results.pdf")


def test_web_pages_are_fetched_with_limits():
    pages = {"/about.html": "<html><title>About ACME</title><body><h1>ACME</h1><p>Founded in 1999 in Oslo.</p>"
                            "</body></html>",
             "/big.html": "<p>" + "x" * 5000 + "</p>"}
    with PageServer(pages) as server:
        connector = WebPagesGroundingConnector(web_urls=[server.url("/about.html")])
        assert connector.list_sources() == [server.url("/about.html")]
        text = connector.retrieve_by_name(server.url("/about.html"))[0]
        assert text.startswith("About ACME") and "Founded in 1999 in Oslo." in text
        assert "Oslo" in connector.retrieve_relevant("where was ACME founded", 1)[0]
        config_manager.update("web_fetch_max_bytes", 1000)
        with pytest.raises(SpecificationError, match="WEB_FETCH_MAX_BYTES"):
            connector.add_web_url(server.url("/big.html"))
        with pytest.raises(SpecificationError, match="HTTP 404"):
            connector.add_web_url(server.url("/missing.html"))
    with PageServer(pages, delay=2.0) as slow:
        config_manager.update("web_fetch_timeout", 0.2)
        with pytest.raises(SpecificationError, match="WEB_FETCH_TIMEOUT"):
            WebPagesGroundingConnector(web_urls=[slow.url("/about.html")])
    with pytest.raises(SpecificationError, match="http"):
        WebPagesGroundingConnector(web_urls=["file:///etc/passwd"])


def test_passages_split_long_text():
    text = "\n\n".join(f"Paragraph {i}. " + "Sentence here. " * 20 for i in range(5))
    passages = split_passages(text, 200)
    assert all(len(p) <= 200 for p in passages) and "Paragraph 4" in passages[-1] or "Paragraph 4" in " ".join(passages)
