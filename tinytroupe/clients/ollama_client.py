"""The original's module path for :class:`OllamaClient` (see :mod:`tinytroupe.clients`)."""

from tinytroupe.clients.builtin import OllamaClient

__all__ = ["OllamaClient"]
