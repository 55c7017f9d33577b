"""Schema samples for tests: :mod:`tinytroupe.llm.providers.schema_sample` under its test-tool name."""

from tinytroupe.llm.providers.schema_sample import corrupt_types, sample_from_schema

__all__ = ["sample_from_schema", "corrupt_types"]
