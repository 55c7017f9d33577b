"""Blind A/B presentation: show two options in a random order per item, and map answers back.

Each item ``i`` gets its own draw from a generator seeded with ``(random_seed, i)``, so orders
differ across items, are the same on every rerun, and can be undone in any order.
"""

from __future__ import annotations

import random
from typing import Any

from tinytroupe.errors import SpecificationError

__all__ = ["ABRandomizer"]


class ABRandomizer:
    """Randomises which of two real options is shown as ``A`` and which as ``B``, item by item."""

    def __init__(self, real_name_1: str = "control", real_name_2: str = "treatment",
                 blind_name_a: str = "A", blind_name_b: str = "B",
                 passtrough_name: list[str] | None = None, random_seed: int = 42):
        self.real_name_1 = real_name_1
        self.real_name_2 = real_name_2
        self.blind_name_a = blind_name_a
        self.blind_name_b = blind_name_b
        self.passtrough_name = list(passtrough_name or [])
        self.random_seed = random_seed
        self.choices: dict[Any, tuple[int, int]] = {}

    def _swapped(self, i: Any) -> bool:
        if i not in self.choices:
            rng = random.Random(f"{self.random_seed}:{i}")
            self.choices[i] = (1, 0) if rng.random() < 0.5 else (0, 1)
        return self.choices[i] == (1, 0)

    def randomize(self, i: Any, a: Any, b: Any) -> tuple[Any, Any]:
        """``(a, b)`` or ``(b, a)`` for item ``i``: the first is shown as A, the second as B."""
        return (b, a) if self._swapped(i) else (a, b)

    def derandomize(self, i: Any, a: Any, b: Any) -> tuple[Any, Any]:
        """Undo :meth:`randomize` for item ``i``: the shown pair back in the real order."""
        if i not in self.choices:
            raise SpecificationError(f"item {i!r} was never randomized; call randomize({i!r}, a, b) first")
        return (b, a) if self.choices[i] == (1, 0) else (a, b)

    def derandomize_name(self, i: Any, blind_name: str) -> str:
        """The real name behind ``blind_name`` (A or B) for item ``i``; pass-through names unchanged."""
        if blind_name in self.passtrough_name:
            return blind_name
        if i not in self.choices:
            raise SpecificationError(f"item {i!r} was never randomized; call randomize({i!r}, a, b) first")
        swapped = self.choices[i] == (1, 0)
        if blind_name == self.blind_name_a:
            return self.real_name_2 if swapped else self.real_name_1
        if blind_name == self.blind_name_b:
            return self.real_name_1 if swapped else self.real_name_2
        raise SpecificationError(
            f"name {blind_name!r} is neither {self.blind_name_a!r}, {self.blind_name_b!r} nor a pass-through "
            f"name ({', '.join(self.passtrough_name) or 'none set'})")
