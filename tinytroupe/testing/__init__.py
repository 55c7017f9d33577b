"""Test helpers shipped with the package: a loopback OpenAI-compatible server, schema samples."""

from tinytroupe.testing.loopback_server import LoopbackServer
from tinytroupe.testing.schema_sample import sample_from_schema

__all__ = ["LoopbackServer", "sample_from_schema"]
