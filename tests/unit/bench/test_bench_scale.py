"""The scale benchmark at a toy size: its survey runs against a loopback server and every respondent answers."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_scale  # noqa: E402
from tinytroupe.agent import TinyPerson  # noqa: E402
from tinytroupe.testing import LoopbackServer  # noqa: E402


def test_the_survey_of_twenty_is_answered_through_the_server_and_rendered():
    from bench.scenarios.replies import survey_reply

    TinyPerson.clear_agents()
    with LoopbackServer(responder=survey_reply, latency=0.05) as server:
        run = bench_scale.run_survey(server.base_url, 20, concurrency=10)
        requests = server.request_count
    TinyPerson.clear_agents()
    assert run["answered"] == 20
    assert requests == 20 + 2  # the survey and its two-person warm-up, one question each
    assert run["wall_s"] >= 0.1  # two waves of ten at 50 ms each
    case = {**run, "kind": "survey", "requests": 20, "server_cpu_s": 0.01, "rss_start_mib": 10.0, "ideal_s": 0.1}
    text = bench_scale.render([case], {"args": "", "machine": "m", "date": "d", "load_before": 0, "load_after": 0})
    assert "survey, local executor: 20" in text and "1M-person survey, one process" in text
