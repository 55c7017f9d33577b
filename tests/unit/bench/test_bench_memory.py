"""The semantic-memory benchmark runs at toy sizes (nothing is timed here; bench/RESULTS.md has the figures)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_memory  # noqa: E402
from tinytroupe.llm.embeddings_lexical import LexicalEmbedder  # noqa: E402


def test_the_memory_benchmark_measures_both_searches():
    lexical = bench_memory.measure("lexical", 2, 30, LexicalEmbedder, queries=2)
    dense = bench_memory.measure("dense", 1, 40, lambda: bench_memory.SyntheticDense(64), queries=2)
    assert lexical["index_bytes"] == 0 and lexical["memory_per_agent"] > 0
    assert dense["index_bytes"] >= 40 * 64 * 4 and dense["state_bytes"] > dense["index_bytes"]
    section = bench_memory.render([lexical, dense], {"uncached_ms": 1.0, "cached_ms": 0.1, "requests": 3,
                                                     "requests_cached": 0, "queries": 3}, 1.0)
    assert section.startswith(bench_memory.HEADING) and "| 2 agents × 30 memories | lexical |" in section
