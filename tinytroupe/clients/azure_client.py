"""The original's module path for :class:`AzureClient` (see :mod:`tinytroupe.clients`)."""

from tinytroupe.clients.builtin import AzureClient

__all__ = ["AzureClient"]
