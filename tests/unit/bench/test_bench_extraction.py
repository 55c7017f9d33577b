"""Smoke run of the extraction benchmark at toy size (nothing is timed)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_extraction  # noqa: E402


def test_the_extraction_benchmark_runs_and_reports():
    result = bench_extraction.run(agents=5, answers=30, latency=0.01)
    assert result["in_range"] == 5 and result["normalization_calls"] == 1 + 2
    assert 1 <= result["categories"] <= 5
    assert "| extract rating + reason per agent | 5 agents |" in bench_extraction.markdown(result)
