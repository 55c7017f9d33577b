"""ArtifactExporter writes JSON, text, Markdown and DOCX (from Markdown) atomically, under its folder only."""

from __future__ import annotations

import json

import docx
import pytest

from tinytroupe.errors import SpecificationError
from tinytroupe.extraction import ArtifactExporter
from tinytroupe.extraction.artifact_exporter import markdown_to_docx, sanitize_name

REPORT = """
    # Market report

    Sales grew **12%** in *spring*.

    ## Findings

    - Customers like the price
    - Delivery is slow
      - mostly on weekends

    1. Hire a driver
    2. Open on Sundays

    | Region | Sales |
    |--------|------:|
    | North  | 120   |
    | South  | 95    |
"""


def test_every_format_is_written_where_expected(tmp_path):
    exporter = ArtifactExporter(tmp_path)
    data = {"title": "Report", "content": REPORT}
    paths = {fmt: exporter.export("Report.Ana", data, "Document", "md", fmt) for fmt in ("md", "txt", "json", "docx")}
    assert paths["md"] == tmp_path / "Document" / "Report.Ana.md"
    assert paths["md"].read_text().startswith("# Market report\n")  # dedented
    assert paths["txt"].read_text() == paths["md"].read_text()
    assert json.loads(paths["json"].read_text()) == data
    assert exporter.export("note", "just text", None, target_format="json").read_text().strip() == \
        json.dumps({"content": "just text"}, indent=2)
    assert not list(tmp_path.rglob(".*.tmp"))


def test_docx_from_markdown_has_headings_lists_and_a_table(tmp_path):
    path = ArtifactExporter(tmp_path).export("Report", REPORT, "Document", "md", "docx")
    document = docx.Document(str(path))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 1", "Market report") in styled and ("Heading 2", "Findings") in styled
    assert ("List Bullet", "Customers like the price") in styled
    assert ("List Bullet 2", "mostly on weekends") in styled
    assert ("List Number", "Open on Sundays") in styled
    body = next(p for p in document.paragraphs if p.text.startswith("Sales grew"))
    assert body.text == "Sales grew 12% in spring." and any(r.bold and r.text == "12%" for r in body.runs)
    [table] = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [["Region", "Sales"], ["North", "120"],
                                                                  ["South", "95"]]


def test_names_are_sanitised_and_cannot_escape_the_base_folder(tmp_path):
    base = tmp_path / "out"
    exporter = ArtifactExporter(base)
    for name, kind in (("../../x", "Document"), ("a/b\\c:d*?", "../.."), ("..", None)):
        path = exporter.export(name, "text", kind, target_format="txt")
        assert path.resolve().is_relative_to(base.resolve()) and path.is_file()
    assert not (tmp_path / "x.txt").exists()
    assert sanitize_name("../../x") == "-..-x" and sanitize_name("  ") == "artifact"


def test_bad_requests_are_refused_with_the_fix(tmp_path):
    exporter = ArtifactExporter(tmp_path)
    with pytest.raises(SpecificationError, match="target_format must be one of"):
        exporter.export("a", "text", "Document", target_format="pdf")
    with pytest.raises(SpecificationError, match="dict or a string"):
        exporter.export("a", 42, "Document")


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    exporter = ArtifactExporter(tmp_path)
    path = exporter.export("keep", "old", "Document", target_format="md")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr("tinytroupe.extraction.artifact_exporter.os.replace", boom)
    with pytest.raises(OSError):
        exporter.export("keep", "new", "Document", target_format="md")
    assert path.read_text() == "old" and not list(tmp_path.rglob(".*.tmp"))


def test_missing_python_docx_names_the_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_docx(name, *args, **kwargs):
        if name == "docx":
            raise ImportError("No module named 'docx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_docx)
    with pytest.raises(Exception, match=r"pip install 'tinytroupe\[docx\]'"):
        markdown_to_docx("# hi")


def test_the_original_import_path():
    import tinytroupe.extraction
    import tinytroupe.extraction.artifact_exporter as module

    assert tinytroupe.extraction.ArtifactExporter is module.ArtifactExporter
