"""The memory-conversation benchmark at a toy size: every figure is there and the calls are counted (nothing timed)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_memory_conversation  # noqa: E402


def test_a_short_conversation_reports_its_calls_against_the_ideal():
    result = bench_memory_conversation.run(steps=4, latency=0.0)
    assert result["chat_calls"] == {"agent_turn": 8}
    assert result["ideal_s"] == 0 and result["ratio"] is None
    assert set(result["memories"]) == {"Lisa", "Oscar"}
