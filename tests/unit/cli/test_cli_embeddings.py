"""The CLI says which embedder semantic memory and grounding use."""

from __future__ import annotations

from tinytroupe.testing import LoopbackServer

SCENARIO = """
title = "Embeddings line"
[[agents]]
example = "lisa"
[[script]]
broadcast = "Hello"
[[script]]
run = 1
[outputs]
dir = "out"
"""


def test_the_run_names_the_lexical_fallback(cli, write_scenario):
    ran = cli("--model", "scripted", "run", str(write_scenario(SCENARIO)))
    assert ran.exit_code == 0, ran.output
    assert "Embeddings: lexical (BM25 over words; no embedding model)" in ran.stdout + ran.stderr


def test_the_run_names_the_embedding_model(cli, write_scenario, monkeypatch):
    with LoopbackServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("TINYTROUPE_EMBEDDING_MODEL", "nomic-embed-text")
        ran = cli("run", str(write_scenario(SCENARIO, "again.toml")))
    assert ran.exit_code == 0, ran.output
    assert "Embeddings: openai nomic-embed-text (dense)" in ran.stdout + ran.stderr


def test_the_run_names_the_offline_static_embedder(cli, write_scenario, monkeypatch):
    import pytest

    from tinytroupe.llm.embeddings_static import static_embedder_available

    if not static_embedder_available():
        pytest.skip('needs the embeddings extra: pip install -e ".[embeddings]"')
    monkeypatch.setenv("TINYTROUPE_EMBEDDING_MODEL", "text-embedding-3-small")  # no provider: the offline choice
    ran = cli("--model", "scripted", "run", str(write_scenario(SCENARIO, "static.toml")))
    assert ran.exit_code == 0, ran.output
    assert "Embeddings: static wordllama-l2_supercat-256 (dense)" in ran.stdout + ran.stderr
