"""TinyMemory: what every kind of memory offers (the original's base class of EpisodicMemory and SemanticMemory)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["TinyMemory"]


class TinyMemory:
    """A memory stores values and gives them back: ``store``, ``store_all``, ``retrieve_all``."""

    def store(self, value: Any) -> Any:  # pragma: no cover - every memory overrides it
        raise NotImplementedError(f"{type(self).__name__} must implement store()")

    def store_all(self, values: Iterable[Any]) -> None:
        """Store each of ``values`` in turn."""
        for value in values:
            self.store(value)

    def retrieve_all(self, *args: Any, **kwargs: Any) -> list[Any]:  # pragma: no cover
        raise NotImplementedError(f"{type(self).__name__} must implement retrieve_all()")
