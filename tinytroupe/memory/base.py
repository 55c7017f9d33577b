"""TinyMemory: what every kind of memory offers (the original's base class of EpisodicMemory and SemanticMemory)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["TinyMemory"]


class TinyMemory:
    """A memory stores values and gives them back: ``store``, ``store_all``, ``retrieve_all``.

    A subclass in the original's style calls ``super().__init__()`` (any arguments are ignored),
    implements ``_store(value)`` and may override ``_preprocess_value_for_storage(value)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def _preprocess_value_for_storage(self, value: Any) -> Any:
        """The form ``value`` is stored in; as given unless a subclass says otherwise."""
        return value

    def _store(self, value: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _store(value) or store(value)")

    def store(self, value: Any) -> Any:
        """Store ``value`` (preprocessed by :meth:`_preprocess_value_for_storage`)."""
        return self._store(self._preprocess_value_for_storage(value))

    def store_all(self, values: Iterable[Any]) -> None:
        """Store each of ``values`` in turn."""
        for value in values:
            self.store(value)

    def retrieve_all(self, *args: Any, **kwargs: Any) -> list[Any]:  # pragma: no cover
        raise NotImplementedError(f"{type(self).__name__} must implement retrieve_all()")

    def retrieve_relevant(self, relevance_target: str, top_k: int = 20) -> list[Any]:
        """Values relevant to ``relevance_target``; kinds of memory that can search define it."""
        raise NotImplementedError(f"{type(self).__name__} does not retrieve by relevance")

    @staticmethod
    def filter_by_item_type(memories: Iterable[Any], item_type: str) -> list[Any]:
        """The items of ``memories`` whose ``type`` is ``item_type``."""
        return [m for m in memories if _type_of(m) == item_type]

    @staticmethod
    def filter_by_item_types(memories: Iterable[Any], item_types: Iterable[str]) -> list[Any]:
        """The items of ``memories`` whose ``type`` is one of ``item_types``."""
        wanted = set(item_types)
        return [m for m in memories if _type_of(m) in wanted]


def _type_of(item: Any) -> Any:
    if isinstance(item, dict):
        return item.get("type")
    getter = getattr(item, "get", None)
    return getter("type") if callable(getter) else getattr(item, "type", None)
