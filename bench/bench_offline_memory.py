"""Offline semantic memory: static word vectors (wordllama) against BM25, with no provider at all.

- load: a fresh process importing wordllama and loading its packaged weights and tokenizer,
  up to the first vector (median of 3 processes);
- embedding: 10,000 short texts in one request, weights loaded (median of 3);
- quality: the 300 facts of :mod:`tinytroupe.testing.memory_facts` stored in a
  ``SemanticMemory``, and each of its paraphrased questions asked with ``retrieve_relevant``:
  is the fact first (top-1), among the first three (top-3)?
- retrieval: one question against the 300 facts, the query's embedding included.

``python bench/bench_offline_memory.py --write-results`` updates its section of bench/RESULTS.md;
``--with-local`` also measures the embedded chat model's hidden states (llama-cpp-python and the
demo model installed; minutes on a busy machine).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tinytroupe.llm import embeddings  # noqa: E402
from tinytroupe.llm.embeddings_lexical import LexicalEmbedder  # noqa: E402
from tinytroupe.llm.embeddings_static import StaticEmbedder, static_embedder_available  # noqa: E402
from tinytroupe.memory.semantic import SemanticMemory  # noqa: E402
from tinytroupe.testing.memory_facts import TARGETS, facts  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Offline semantic memory: static word vectors against BM25"
COLD_LOAD = """
import time
start = time.perf_counter()
from tinytroupe.llm.embeddings_static import StaticEmbedder
from tinytroupe.llm import embeddings
embeddings.embed(["warm up"], model=StaticEmbedder())
print(time.perf_counter() - start, time.process_time())
"""


def cold_load_s(runs: int) -> list[tuple[float, float]]:
    """(wall, CPU of the whole process) seconds from importing the embedder to the first vector,
    each in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    out = []
    for _ in range(runs):
        line = subprocess.run([sys.executable, "-c", COLD_LOAD], capture_output=True, text=True, check=True,
                              env=env, cwd=ROOT).stdout.strip().splitlines()[-1]
        wall, cpu = (float(x) for x in line.split())
        out.append((wall, cpu))
    return out


def embed_s(count: int, runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds to embed ``count`` short texts with the weights loaded."""
    model = StaticEmbedder()
    embeddings.embed(["warm up"], model=model)
    texts = [f"{fact} (note {i})" for i, fact in enumerate(facts() * (count // 300 + 1))][:count]
    times = []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        embeddings.embed(texts, model=model)
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return times


def _timing(runs: list[tuple[float, float]]) -> str:
    walls = [w for w, _ in runs]
    cpu = statistics.median(c for _, c in runs)
    return f"{statistics.median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f}); CPU {cpu:.2f} s"


def quality(embedder) -> dict:
    """Top-1 and top-3 hits of the paraphrased questions over the 300 facts, and the time per question."""
    memory = SemanticMemory(embedder=embedder)
    memory.store_all(facts())
    memory.retrieve_relevant("warm up", top_k=1)  # embeds the 300 facts
    top1 = top3 = 0
    times = []
    for fact, question in TARGETS:
        start = time.perf_counter()
        found = memory.retrieve_relevant(question, top_k=3)
        times.append(time.perf_counter() - start)
        top1 += bool(found) and found[0] == fact
        top3 += fact in found
    return {"top1": top1, "top3": top3, "ms": statistics.median(times) * 1000}


def hidden_states():
    """The embedded chat model in embedding mode, where llama-cpp-python and the demo model are installed."""
    from tinytroupe.llm.embeddings_local import local_embedder_available

    if not local_embedder_available():
        return None
    from tinytroupe.llm.embeddings_local import LocalEmbedder

    return LocalEmbedder(n_threads=1)


def render(load: list[tuple[float, float]], ten_k: list[tuple[float, float]], rows: list[tuple[str, dict]],
           seconds: float, command: str) -> str:
    n = len(TARGETS)
    avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [HEADING, "",
             f"`{command}` on {os.cpu_count()} CPUs, Python {platform.python_version()}, "
             f"{time.strftime('%Y-%m-%d %H:%M')}; {seconds:.0f} s; one-minute load average {avg:.2f} (other work "
             "shares these cores). No provider, no network: static = wordllama 0.4.0.post1 `l2_supercat`, 256 "
             "dimensions, weights inside the wheel; BM25 = the lexical index over word stems. Quality: 300 facts "
             f"(`tinytroupe/testing/memory_facts.py`), {n} questions that ask for one of them in other words, "
             "`SemanticMemory.retrieve_relevant(question, top_k=3)`.", "",
             "| measure | embedder | measured | ideal |", "|---|---|---:|---:|",
             f"| load, fresh process, to the first vector | static | {_timing(load)} | ≤ 1 s |",
             f"| embed 10,000 short texts (weights loaded) | static | {_timing(ten_k)} | ≤ 1 s |"]
    for label, r in rows:
        lines.append(f"| paraphrased question: fact ranked first | {label} | {r['top1']}/{n} | {n}/{n} |")
        lines.append(f"| paraphrased question: fact in the top 3 | {label} | {r['top3']}/{n} | {n}/{n} |")
        lines.append(f"| one question against 300 facts | {label} | {r['ms']:.2f} ms | ≤ 5 ms |")
    lines += ["",
              "- The questions share few or no content words with their facts (\"what is my pet called\" for "
              "\"My cat is named Pixel and she sleeps on the printer\"), so BM25 finds almost none of them: it "
              "only matches words. The ideal is every question answered; static vectors miss those that need "
              "more than word meaning (\"do I eat meat\" for \"I have been a vegetarian since I was nineteen\").",
              "- Wall times are medians (range in brackets) on shared, busy cores; CPU is the process's own "
              "time (for the load: the whole fresh process, Python and tinytroupe imports included).",
              "- Static vectors are an average of word vectors: \"I like coffee\" and \"I do not like coffee\" "
              "have cosine 0.92, so a survey's semantic-similarity rating refuses them.",
              "- The embedded chat model's mean-pooled hidden states (SmolLM2-135M), the offline default before, "
              "embed only with `EMBEDDING_MODEL=local` now"
              + ("." if any(label.startswith("SmolLM2") for label, _ in rows) else
                 " (not measured in this run: `--with-local` measures them).")]
    return "\n".join(lines) + "\n"


def write_section(section: str, path: Path = RESULTS) -> None:
    from bench.run_all import replace_section

    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    path.write_text(replace_section(text, HEADING, section).rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--toy", action="store_true", help="one run of each: check that it runs")
    parser.add_argument("--write-results", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--with-local", action="store_true", help="also the embedded chat model's hidden states")
    args = parser.parse_args(argv)
    if not static_embedder_available():
        print('skipped: needs the embeddings extra (pip install -e ".[embeddings]")')
        return
    start = time.perf_counter()
    runs = 1 if args.toy else 3
    load = cold_load_s(runs)
    ten_k = embed_s(1000 if args.toy else 10_000, runs)
    rows = [("static", quality(StaticEmbedder())), ("BM25", quality(LexicalEmbedder()))]
    local = hidden_states() if args.with_local else None
    if local is not None:
        rows.append(("SmolLM2 hidden states", quality(local)))
    command = "python bench/bench_offline_memory.py" + (" --with-local" if local is not None else "")
    section = render(load, ten_k, rows, time.perf_counter() - start, command)
    if args.write_results and not args.toy:
        write_section(section)
    print(section)


if __name__ == "__main__":
    main()
