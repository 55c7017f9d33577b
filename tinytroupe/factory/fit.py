"""How well a generated population matches its plan: Pearson's chi-square goodness of fit.

Standard library only: the p-value is the regularized upper incomplete gamma function
Q(dof/2, statistic/2), computed by its power series below ``a + 1`` and by a continued
fraction (modified Lentz) above.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tinytroupe.errors import SpecificationError

__all__ = ["FitResult", "chi_square_gof", "chi_square_sf", "regularized_gamma_q"]

_EPS = 1e-14
_TINY = 1e-300
_MAX_ITER = 10_000


def _series_p(a: float, x: float) -> float:
    term = total = 1.0 / a
    n = 0
    while n < _MAX_ITER:
        n += 1
        term *= x / (a + n)
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _fraction_q(a: float, x: float) -> float:
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def regularized_gamma_q(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a), for a > 0 and x >= 0."""
    if a <= 0 or x < 0:
        raise ValueError(f"regularized_gamma_q needs a > 0 and x >= 0, got a={a}, x={x}")
    if x == 0:
        return 1.0
    if x < a + 1.0:
        return max(0.0, 1.0 - _series_p(a, x))
    return min(1.0, _fraction_q(a, x))


def chi_square_sf(statistic: float, dof: int) -> float:
    """P(X >= statistic) for a chi-square variable with ``dof`` degrees of freedom."""
    if dof <= 0:
        return 1.0
    return regularized_gamma_q(dof / 2.0, max(0.0, statistic) / 2.0)


@dataclass(frozen=True)
class FitResult:
    """A goodness-of-fit test: the statistic, its degrees of freedom, the p-value, the counts."""

    statistic: float
    dof: int
    p_value: float
    observed: dict[str, int]
    expected: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"statistic": self.statistic, "dof": self.dof, "p_value": self.p_value,
                "observed": dict(self.observed), "expected": dict(self.expected)}


def chi_square_gof(observed: Mapping[str, int] | Iterable[Any], probabilities: Mapping[str, float]) -> FitResult:
    """Test observed counts (a mapping, or the raw observed values) against planned shares."""
    if not isinstance(observed, Mapping):
        counts: dict[str, int] = {}
        for value in observed:
            counts[str(value)] = counts.get(str(value), 0) + 1
        observed = counts
    unknown = [k for k in observed if k not in probabilities and observed[k]]
    if unknown:
        raise SpecificationError(
            f"chi-square test: observed value {unknown[0]!r} is not in the plan "
            f"({', '.join(map(repr, probabilities))}); compare like with like."
        )
    n = sum(observed.values())
    total_p = sum(probabilities.values())
    expected = {k: n * p / total_p for k, p in probabilities.items()}
    cells = [k for k, e in expected.items() if e > 0]
    if any(observed.get(k, 0) for k, e in expected.items() if e <= 0):
        return FitResult(math.inf, max(0, len(cells) - 1), 0.0, dict(observed), expected)
    stat = sum((observed.get(k, 0) - expected[k]) ** 2 / expected[k] for k in cells)
    dof = len(cells) - 1
    return FitResult(stat, dof, chi_square_sf(stat, dof), {k: observed.get(k, 0) for k in probabilities},
                     expected)
