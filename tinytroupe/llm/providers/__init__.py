"""llm/providers."""
