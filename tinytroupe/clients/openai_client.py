"""The original's module path for :class:`OpenAIClient` (see :mod:`tinytroupe.clients`)."""

from tinytroupe.clients.builtin import OpenAIClient

__all__ = ["OpenAIClient"]
