"""A provider's error text never reaches results or turns: the error's class and status do."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tinytroupe import events
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.environment import TinyWorld
from tinytroupe.extraction import ResultsExtractor
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.setup import wrap_model

SECRET = "secret=s3cr3t-from-the-server"


class _Failing:
    """Answers every request with HTTP ``status`` and a body holding a secret."""

    def __init__(self, status: int):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.dumps({"error": {"message": f"internal failure, {SECRET}", "type": "server_error"}})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def failing_model():
    config_manager.update("max_attempts", 1)
    server = _Failing(500)
    yield wrap_model(OpenAIModel(api_key="k", base_url=server.base_url, model="loop", timeout=5))
    server.close()


def test_extraction_failures_record_class_and_status_not_the_body(failing_model):
    person = TinyPerson("Ana")
    person.listen("Rate the app from 1 to 5.", source="Interviewer")
    extractor = ResultsExtractor(model=failing_model)
    with events.EventCollector(["extraction.failed"]) as seen:
        assert extractor.extract_results_from_agents([person], fields=["rating"]) == [None]
    assert extractor.failures == {"Ana": "TransientError: the model service failed (HTTP 500)"}
    assert SECRET not in json.dumps([e.data for e in seen.events])


def test_an_agent_turn_lost_to_http_500_says_so(failing_model):
    from tinytroupe import llm

    llm.set_default_model(failing_model)
    world = TinyWorld("Room", [TinyPerson("Bo")], seed=1)
    world.broadcast("Hello?")
    world.run(1)
    fallbacks = [e.data for e in world.transcript if e.kind in ("agent.fallback", "world.skip")]
    text = json.dumps(fallbacks)
    assert "HTTP 500" in text and "in time" not in text and SECRET not in text
    assert SECRET not in json.dumps([e.to_dict() for e in world.transcript], default=str)
