"""The offline-memory benchmark's quality measure and section (nothing is timed here; bench/RESULTS.md has the figures)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_offline_memory as bench  # noqa: E402
from tinytroupe.llm.embeddings_lexical import LexicalEmbedder  # noqa: E402
from tinytroupe.testing.memory_facts import FACT_COUNT, TARGETS, facts  # noqa: E402


def test_the_fact_set_holds_every_target_once():
    stored = facts()
    assert len(stored) == len(set(stored)) == FACT_COUNT
    assert all(stored.count(fact) == 1 for fact, _ in TARGETS) and stored == facts()


def test_the_quality_measure_and_the_section():
    bm25 = bench.quality(LexicalEmbedder())
    assert 0 <= bm25["top1"] <= bm25["top3"] < len(TARGETS)
    section = bench.render([(1.0, 0.5)], [(0.4, 0.3)], [("BM25", bm25)], 2.0, "python bench/bench_offline_memory.py")
    assert section.startswith(bench.HEADING)
    assert f"| paraphrased question: fact in the top 3 | BM25 | {bm25['top3']}/{len(TARGETS)} |" in section
