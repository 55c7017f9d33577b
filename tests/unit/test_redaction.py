"""Credentials in URLs never reach what tinytroupe prints or stores."""

from __future__ import annotations

import pytest

from tinytroupe.errors import ConfigError, TransientError
from tinytroupe.redaction import redact_text, redact_url


@pytest.mark.parametrize("url,expected", [
    ("http://user:secret@127.0.0.1:9/v1", "http://***@127.0.0.1:9/v1"),
    ("http://token@host/v1", "http://***@host/v1"),
    ("https://h.example/v1?api-key=abc&api-version=2024-08-01", "https://h.example/v1?api-key=***&api-version=2024-08-01"),
    ("https://h/v1?sig=zz&access_token=t&x=1", "https://h/v1?sig=***&access_token=***&x=1"),
    ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1"),
    ("", ""),
])
def test_redact_url(url, expected):
    assert redact_url(url) == expected


def test_redact_text_finds_every_url_and_keeps_punctuation():
    text = "cannot reach http://u:p@h:1/v1?key=k1, nor (https://a:b@x/y). Fine: http://ok/v1."
    assert redact_text(text) == "cannot reach http://***@h:1/v1?key=***, nor (https://***@x/y). Fine: http://ok/v1."


def test_every_library_error_message_is_redacted():
    assert "secret" not in str(TransientError("http://user:secret@h/v1 failed (HTTP 500)", status=500))
    assert "secret" not in str(ConfigError("bad http://a:secret@h/ here"))
