"""Drawing each person's characteristics from the dimensions, with one seeded RNG.

Two ways: independent draws (each person drawn on their own; the marginals match the plan in
expectation) and quota sampling (a block of ``n`` people whose counts per value are exactly
the plan's shares of ``n``, rounded by largest remainder, in a shuffled order). A numeric band
such as ``"25-54"`` becomes a concrete whole number drawn uniformly inside it; the band is kept
beside it under ``"<key>_range"``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from tinytroupe.factory.population import Dimension

__all__ = ["CharacteristicSampler", "quota_counts", "category_of", "RANGE_SUFFIX"]

RANGE_SUFFIX = "_range"


def quota_counts(weights: Sequence[float], n: int) -> list[int]:
    """Whole counts adding up to ``n`` in proportion to ``weights`` (largest remainder)."""
    total = sum(weights)
    exact = [n * w / total for w in weights]
    counts = [math.floor(x) for x in exact]
    short = n - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[:short]:
        counts[i] += 1
    return counts


def category_of(entry: dict[str, Any], dim: Dimension) -> Any:
    """The value of ``dim`` that ``entry`` was drawn with (the band, for numeric dimensions)."""
    return entry.get(dim.key + RANGE_SUFFIX, entry.get(dim.key))


class CharacteristicSampler:
    """Draws characteristic dicts (``{"age": 37, "age_range": "25-54", "gender": "Female"}``)."""

    def __init__(self, dimensions: Sequence[Dimension], rng: random.Random):
        self.dimensions = list(dimensions)
        self.rng = rng

    def _finish(self, dim: Dimension, value: str, entry: dict[str, Any]) -> None:
        if dim.ranges is None:
            entry[dim.key] = value
            return
        low, high = dim.ranges[dim.values.index(value)]
        entry[dim.key] = self.rng.randint(low, high)
        entry[dim.key + RANGE_SUFFIX] = value

    def draw(self) -> dict[str, Any]:
        """One person's characteristics, each dimension drawn independently."""
        entry: dict[str, Any] = {}
        for dim in self.dimensions:
            value = self.rng.choices(dim.values, weights=dim.weights)[0]
            self._finish(dim, value, entry)
        return entry

    def draw_many(self, n: int) -> list[dict[str, Any]]:
        """``n`` independent draws."""
        return [self.draw() for _ in range(n)]

    def quota(self, n: int) -> list[dict[str, Any]]:
        """``n`` people whose counts per value match the plan exactly (see the module doc)."""
        columns: list[list[str]] = []
        for dim in self.dimensions:
            column = [v for v, c in zip(dim.values, quota_counts(dim.weights, n), strict=True)
                      for _ in range(c)]
            self.rng.shuffle(column)
            columns.append(column)
        entries: list[dict[str, Any]] = []
        for i in range(n):
            entry: dict[str, Any] = {}
            for dim, column in zip(self.dimensions, columns, strict=True):
                self._finish(dim, column[i], entry)
            entries.append(entry)
        return entries
