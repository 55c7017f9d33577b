"""Test helpers shipped with the package: a loopback OpenAI-compatible server, schema samples,
``proposition_holds`` for assertions judged by a model."""

from tinytroupe.testing.loopback_server import LoopbackServer
from tinytroupe.testing.propositions import proposition_holds, proposition_score
from tinytroupe.testing.schema_sample import sample_from_schema

__all__ = ["LoopbackServer", "sample_from_schema", "proposition_holds", "proposition_score"]
