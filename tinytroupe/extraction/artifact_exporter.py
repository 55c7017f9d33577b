"""Writing what simulations produce (documents, tables, texts) to files: JSON, text, Markdown, DOCX.

``ArtifactExporter(folder).export("Plan", {"content": "# Plan ..."}, "Document", "md", "docx")``
writes ``folder/Document/Plan.docx``. Names are sanitised and every path is confined under the
base folder (``"../../x"`` cannot escape it); each file is written to a temporary file in its
folder and renamed over the target, so a crash never leaves half a file. DOCX is built from
Markdown with ``python-docx`` (headings, paragraphs with bold and italics, bullet and numbered
lists, tables, quotes, code blocks): no pandoc needed. ``pip install 'tinytroupe[docx]'``.
"""

from __future__ import annotations

import io
import json
import os
import re
import textwrap
from pathlib import Path
from typing import Any

from tinytroupe.errors import ConfigError, SpecificationError
from tinytroupe.state.files import write_atomically

__all__ = ["ArtifactExporter", "markdown_to_docx", "sanitize_name", "TARGET_FORMATS"]

TARGET_FORMATS: tuple[str, ...] = ("json", "txt", "text", "md", "markdown", "docx")
_BAD_CHARS = re.compile(r'[/\\:*?"<>|;\x00-\x1f\x7f]')
_DOCX_HINT = "pip install 'tinytroupe[docx]'  (or: pip install python-docx)"


def sanitize_name(name: str, fallback: str = "artifact") -> str:
    """``name`` made safe as one file or folder name: separators and odd characters become '-'."""
    clean = _BAD_CHARS.sub("-", str(name or "")).strip().strip(".").strip()
    return clean[:200] or fallback


def _text_of(data: Any) -> str:
    """The text an artifact stands for, dedented and stripped as the original does (no newline added)."""
    if isinstance(data, str):
        return textwrap.dedent(data).strip()
    if isinstance(data, dict) and isinstance(data.get("content"), str):
        return textwrap.dedent(data["content"]).strip()
    return json.dumps(data, ensure_ascii=False, indent=2)


class ArtifactExporter:
    """Exports artifacts under ``base_output_folder``, one subfolder per content type."""

    def __init__(self, base_output_folder: str | os.PathLike):
        self.base_output_folder = str(base_output_folder)

    def path_for(self, artifact_name: str, content_type: str | None, target_format: str) -> Path:
        """Where :meth:`export` writes: ``base/<content_type>/<artifact_name>.<target_format>``."""
        base = Path(self.base_output_folder).resolve()
        folder = base / sanitize_name(content_type, "") if content_type else base
        path = (folder / f"{sanitize_name(artifact_name)}.{target_format}").resolve()
        if not path.is_relative_to(base):
            raise SpecificationError(f"artifact {artifact_name!r} would be written outside {base}; "
                                     "use a plain name.")
        return path

    def export(self, artifact_name: str, artifact_data: dict | str, content_type: str | None,
               content_format: str | None = None, target_format: str = "txt", verbose: bool = False) -> Path:
        """Write ``artifact_data`` (a dict, or a string such as Markdown) as ``target_format``.

        ``json`` writes a dict as is and a string as ``{"content": ...}``; ``txt``/``md`` write
        the text (a dict's ``content``); ``docx`` renders the text as Markdown. Returns the path.
        """
        fmt = (target_format or "txt").lower().lstrip(".")
        if fmt not in TARGET_FORMATS:
            raise SpecificationError(f"cannot export {artifact_name!r} as {target_format!r}; "
                                     f"target_format must be one of {', '.join(TARGET_FORMATS)}.")
        if not isinstance(artifact_data, (dict, str)):
            raise SpecificationError(f"artifact {artifact_name!r}: artifact_data must be a dict or a string, "
                                     f"got {type(artifact_data).__name__}.")
        path = self.path_for(artifact_name, content_type, fmt)
        if fmt == "json":
            doc = artifact_data if isinstance(artifact_data, dict) else {"content": _text_of(artifact_data).strip()}
            data = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        elif fmt == "docx":
            data = markdown_to_docx(_text_of(artifact_data))
        else:
            data = _text_of(artifact_data).encode("utf-8")
        write_atomically(path, data)
        return path


# -- Markdown to DOCX --------------------------------------------------------------------------
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^(\s*)\d+[.)]\s+(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_INLINE = re.compile(r"(\*\*[^*]+\*\*|__[^_]+__|\*[^*\s][^*]*\*|_[^_\s][^_]*_|`[^`]+`)")


def _docx_module() -> Any:
    try:
        import docx
    except ImportError:
        raise ConfigError(f"writing .docx files needs python-docx, which is not installed: {_DOCX_HINT}") from None
    return docx


def _add_inline(paragraph: Any, text: str) -> None:
    """Add ``text`` to ``paragraph`` with **bold**, *italic* and `code` runs."""
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith(("**", "__")) and part.endswith(part[:2]) and len(part) > 4:
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            paragraph.add_run(part[1:-1]).font.name = "Courier New"
        elif part[0] in "*_" and part.endswith(part[0]) and len(part) > 2:
            paragraph.add_run(part[1:-1]).italic = True
        else:
            paragraph.add_run(part)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _add_table(document: Any, rows: list[list[str]]) -> None:
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for i, row in enumerate(rows):
        for j in range(width):
            cell = table.cell(i, j)
            cell.text = ""
            _add_inline(cell.paragraphs[0], row[j] if j < len(row) else "")
            if i == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True


def markdown_to_docx(markdown: str) -> bytes:
    """The bytes of a DOCX document rendering ``markdown``."""
    docx = _docx_module()
    document = docx.Document()
    lines = markdown.splitlines()
    i = 0
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            _add_inline(document.add_paragraph(), " ".join(s.strip() for s in paragraph))
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("```"):
            flush()
            code = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            run = document.add_paragraph().add_run("\n".join(code))
            run.font.name = "Courier New"
        elif "|" in line and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]):
            flush()
            rows = [_cells(line)]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(_cells(lines[i]))
                i += 1
            _add_table(document, rows)
            continue
        elif _RULE.match(line):
            flush()
        elif heading := _HEADING.match(line):
            flush()
            document.add_heading(heading.group(2), level=len(heading.group(1)))
        elif (item := _BULLET.match(line)) or (numbered := _NUMBERED.match(line)):
            flush()
            found = item or numbered
            style = "List Bullet" if item else "List Number"
            if len(found.group(1).expandtabs(4)) >= 2:
                style += " 2"
            _add_inline(document.add_paragraph(style=style), found.group(2))
        elif line.lstrip().startswith(">"):
            flush()
            _add_inline(document.add_paragraph(style="Quote"), line.lstrip()[1:].strip())
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
        i += 1
    flush()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
