"""The broadcast-crowd benchmark at a toy size: both forms run and the deliveries are counted (nothing timed)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_broadcast_crowd  # noqa: E402


def test_both_forms_run_and_every_untargeted_answer_reaches_everyone_else():
    result = bench_broadcast_crowd.compare(12)
    assert result["broadcast"]["deliveries"] == 12 * 11
    assert result["survey"]["deliveries"] == 0
    assert "CPU per delivery" in bench_broadcast_crowd.render(result)
