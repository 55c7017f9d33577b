"""Searchable memory: one index for memories and documents, BM25 without a model, consolidation."""

from tinytroupe.memory.index import SemanticIndex, embedder_id
from tinytroupe.memory.lexical import BM25Index

__all__ = ["SemanticIndex", "BM25Index", "embedder_id"]
