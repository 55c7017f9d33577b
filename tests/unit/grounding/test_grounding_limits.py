"""Grounding inputs within limits: file sizes, a DOCX zip bomb, PDF pages, symlinks out of a
folder, a page deadline, redirects to another site, binary bodies, credentials in URLs."""

from __future__ import annotations

import json
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tinytroupe.agent.grounding import LocalFilesGroundingConnector, WebPagesGroundingConnector
from tinytroupe.agent.grounding_faculty import FilesAndWebGroundingFaculty
from tinytroupe.agent.grounding_sources import read_file
from tinytroupe.config import config_manager
from tinytroupe.errors import SpecificationError
from tinytroupe.testing.documents import write_docx


class _Site:
    """A loopback web server with hostile pages: a trickle, a redirect elsewhere, an image."""

    def __init__(self, other_port: int | None = None):
        site = self
        self.other_port = other_port
        self.stop = threading.Event()
        self.seen: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, kind, body, headers=()):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                site.seen.append(self.path)
                if self.path == "/trickle":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    for _ in range(1000):
                        if site.stop.wait(0.5):
                            return
                        self.wfile.write(b"x")
                        self.wfile.flush()
                elif self.path == "/away":
                    self._send(302, "text/html", b"", [("Location", f"http://127.0.0.1:{site.other_port}/page")])
                elif self.path == "/here":
                    self._send(302, "text/html", b"", [("Location", "/page")])
                elif self.path.startswith("/page"):
                    self._send(200, "text/html; charset=utf-8", b"<html><title>Menu</title><p>Soup of the day.</p>")
                elif self.path == "/image.png":
                    self._send(200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(200))
                else:
                    self._send(404, "text/plain", b"no")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: str, userinfo: str = "") -> str:
        return f"http://{userinfo}127.0.0.1:{self.port}{path}"

    def close(self):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def site():
    other = _Site()
    main = _Site(other_port=other.port)
    yield main, other
    main.close()
    other.close()


def test_fetch_timeout_is_a_deadline_for_the_whole_page(site):
    main, _ = site
    config_manager.update("web_fetch_timeout", 1.5)  # each byte comes within it; the page never would
    started = time.monotonic()
    with pytest.raises(SpecificationError, match="WEB_FETCH_TIMEOUT=1.5"):
        WebPagesGroundingConnector(web_urls=[main.url("/trickle")])
    assert time.monotonic() - started < 4


def test_redirects_stay_on_the_site(site):
    main, other = site
    with pytest.raises(SpecificationError, match="another site") as caught:
        WebPagesGroundingConnector(web_urls=[main.url("/away")])
    assert str(other.port) in str(caught.value) and other.seen == []
    connector = WebPagesGroundingConnector(web_urls=[main.url("/here")])
    assert "Soup of the day." in connector.retrieve_by_name(main.url("/here"))[0]


def test_binary_bodies_are_refused_naming_their_type(site):
    main, _ = site
    with pytest.raises(SpecificationError, match="image/png"):
        WebPagesGroundingConnector(web_urls=[main.url("/image.png")])


def test_credentials_in_a_page_url_reach_neither_the_saved_state_nor_the_prompt(site):
    main, _ = site
    url = main.url("/page.html?token=tok-123456&lang=en", userinfo="ana:hunter2@")
    faculty = FilesAndWebGroundingFaculty(web_urls=[url])
    saved = json.dumps(faculty.to_state())
    assert "hunter2" not in saved and "tok-123456" not in saved and "lang=en" in saved
    assert all("hunter2" not in name and "tok-123456" not in name for name in faculty.list_sources())
    assert main.seen == ["/page.html?token=tok-123456&lang=en"]  # the real address was asked for


def test_a_text_file_past_the_byte_limit_is_refused_naming_file_and_setting(tmp_path):
    big = tmp_path / "huge.txt"
    big.write_text("word " * 2000)
    config_manager.update("grounding_file_max_bytes", 5000)
    with pytest.raises(SpecificationError, match=r"huge\.txt.*GROUNDING_FILE_MAX_BYTES=5,000"):
        read_file(big)


def test_text_past_the_character_limit_is_refused(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>" + "a" * 3000 + "</p>")
    config_manager.update("grounding_max_chars", 1000)
    with pytest.raises(SpecificationError, match=r"page\.html.*GROUNDING_MAX_CHARS"):
        read_file(page)


def _zip_bomb(path, inflated: int) -> None:
    write_docx(path, ["A short memo."])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/padding.xml", b"\0" * inflated)


def test_a_docx_zip_bomb_is_refused_before_unpacking(tmp_path):
    pytest.importorskip("docx")
    bomb = tmp_path / "bomb.docx"
    _zip_bomb(bomb, 20_000_000)
    assert bomb.stat().st_size < 200_000
    config_manager.update("grounding_max_unpacked_bytes", 10_000_000)
    started = time.monotonic()
    with pytest.raises(SpecificationError, match=r"bomb\.docx.*GROUNDING_MAX_UNPACKED_BYTES"):
        read_file(bomb)
    assert time.monotonic() - started < 2


def test_a_pdf_past_the_page_limit_is_refused(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    for _ in range(5):
        writer.add_blank_page(width=612, height=842)
    pdf = tmp_path / "long.pdf"
    with open(pdf, "wb") as fh:
        writer.write(fh)
    config_manager.update("grounding_pdf_max_pages", 3)
    with pytest.raises(SpecificationError, match=r"long\.pdf.*GROUNDING_PDF_MAX_PAGES=3"):
        read_file(pdf)


def test_grounding_limits_are_settings_with_ranges():
    from tinytroupe.errors import ConfigError

    for name in ("grounding_file_max_bytes", "grounding_max_chars", "grounding_max_unpacked_bytes",
                 "grounding_pdf_max_pages"):
        with pytest.raises(ConfigError, match=name.upper()):
            config_manager.update(name, 0)


def test_a_folder_does_not_follow_links_out_of_itself_unless_asked(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("the vault code is 4711")
    docs = tmp_path / "docs"
    (docs / "inner").mkdir(parents=True)
    (docs / "notes.txt").write_text("meeting at noon")
    (docs / "passwd.txt").symlink_to(outside / "secret.txt")
    (docs / "linked").symlink_to(outside, target_is_directory=True)
    (docs / "inner" / "alias.txt").symlink_to(docs / "notes.txt")  # a link inside the folder is fine
    kept = LocalFilesGroundingConnector(folders_paths=[docs])
    assert sorted(kept.list_sources()) == ["alias.txt", "notes.txt"]
    assert not any("4711" in d.text for d in kept.documents)
    followed = LocalFilesGroundingConnector(folders_paths=[docs], follow_symlinks=True)
    assert sorted(followed.list_sources()) == ["alias.txt", "notes.txt", "passwd.txt", "secret.txt"]
