"""Real documents and a real web server for grounding tests and examples.

:func:`write_pdf` writes a small, valid PDF (text set in Helvetica, one line per paragraph
chunk) without any PDF library; :func:`write_docx` writes a Word file with python-docx;
:class:`PageServer` serves HTML pages on 127.0.0.1 from a background thread::

    with PageServer({"/report.html": "<html><title>Q3</title><p>Sales rose 12%.</p></html>"}) as pages:
        connector = WebPagesGroundingConnector(web_urls=[pages.url("/report.html")])
"""

from __future__ import annotations

import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["write_pdf", "write_docx", "PageServer"]


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: str | Path, paragraphs: list[str]) -> Path:
    """A one-page PDF whose text is ``paragraphs`` (ASCII), wrapped at 80 characters."""
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += textwrap.wrap(paragraph, 80) + [""]
    ops = ["BT", "/F1 10 Tf", "14 TL", "50 780 Td"]
    ops += [f"({_pdf_escape(line)}) Tj T*" for line in lines]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    target = Path(path)
    target.write_bytes(bytes(out))
    return target


def write_docx(path: str | Path, paragraphs: list[str], title: str | None = None) -> Path:
    """A Word document with an optional heading and ``paragraphs`` (needs python-docx)."""
    import docx

    document = docx.Document()
    if title:
        document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    target = Path(path)
    document.save(str(target))
    return target


class PageServer:
    """Serves ``pages`` (path -> HTML text) over HTTP on 127.0.0.1; ``delay`` slows every reply."""

    def __init__(self, pages: dict[str, str], *, delay: float = 0.0):
        self.pages = dict(pages)
        self.delay = delay
        self.requests: list[str] = []
        self._stop = threading.Event()
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                server_self.requests.append(self.path)
                if server_self.delay and server_self._stop.wait(server_self.delay):
                    return
                page = server_self.pages.get(self.path)
                body = (page if page is not None else "<html><p>not found</p></html>").encode("utf-8")
                self.send_response(200 if page is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def __enter__(self) -> PageServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
