"""A BASE_URL with credentials: config show, the Model line and every written file hide them."""

from __future__ import annotations

import json

from tinytroupe.testing import LoopbackServer

SCENARIO = """
title = "Leak check"
[[agents]]
example = "lisa"
[[agents]]
example = "oscar"
[[script]]
broadcast = "Hello"
[[script]]
run = 2
[outputs]
dir = "out"
"""


def test_credentials_in_base_url_are_never_printed_or_written(cli, write_scenario, tmp_path, monkeypatch):
    with LoopbackServer() as server:
        server.script("500", "500")  # two failed calls: their errors are recorded
        url = server.base_url.replace("http://", "http://user:pa55word@") + "?api-key=qs3cret&x=1"
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-k3y")
        monkeypatch.setenv("TINYTROUPE_MAX_ATTEMPTS", "1")
        shown = cli("config", "show")
        shown_json = cli("--json", "config", "show")
        ran = cli("run", str(write_scenario(SCENARIO)))
        served = server.faults_served
    assert shown.exit_code == 0 and shown_json.exit_code == 0, shown.output
    assert ran.exit_code == 4, ran.output  # a partial result: two turns failed, and the run says so
    assert "http://***@127.0.0.1" in shown.stdout and "api-key=***" in shown.stdout
    assert json.loads(shown_json.stdout)["base_url"]["value"].startswith("http://***@")
    assert "Model: openai: " in ran.stdout + ran.stderr and "at http://***@127.0.0.1" in ran.stdout + ran.stderr
    written = {p.name: p.read_text() for p in (tmp_path / "out").iterdir()}
    assert set(written) >= {"transcript.jsonl", "state.json", "summary.md", "checkpoint.json"}
    assert served.count("500") == 2  # calls failed, and their errors were recorded...
    for text in [shown.output, shown_json.output, ran.output, *written.values()]:
        for secret in ("pa55word", "qs3cret", "sk-k3y"):
            assert secret not in text  # ...without the credentials
