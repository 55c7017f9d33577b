"""Memory: what agents remember and the documents they search, in one package.

- :mod:`~tinytroupe.memory.episodic`: the ordered store of what an agent perceived and did;
- :mod:`~tinytroupe.memory.semantic`: what an agent knows, as engrams searchable by meaning;
- :mod:`~tinytroupe.memory.documents`: named documents cut into passages (under grounding);
- :mod:`~tinytroupe.memory.index`, :mod:`~tinytroupe.memory.lexical`: one vector index, BM25
  without a model;
- :mod:`~tinytroupe.memory.consolidation`, :mod:`~tinytroupe.memory.processors`,
  :mod:`~tinytroupe.memory.background`: episodes turned into engrams, off the turn's path;
- :mod:`~tinytroupe.memory.base`, :mod:`~tinytroupe.memory.legacy`: the original's base class
  and saved format.

The agent's parts that use them (the keeper, the recall faculty) live in :mod:`tinytroupe.agent`,
and ``tinytroupe.agent.memory`` keeps the original's import path.
"""

from tinytroupe.memory.index import SemanticIndex, embedder_id
from tinytroupe.memory.lexical import BM25Index

__all__ = ["SemanticIndex", "BM25Index", "embedder_id"]
