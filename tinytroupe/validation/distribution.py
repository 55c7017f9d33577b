"""Answer distributions and how far one is from another: the numbers surveys and validators report.

Pure Python (no numpy needed). A distribution here is over the ordered points of a scale;
``shares`` are the fraction of answers at each point. Comparisons against a reference:

- ``sd_ratio``: sd(simulated) / sd(reference), each the sd of its distribution over the scale
  (population form, as shares carry no sample size); 1 is a matching spread, below 1 too narrow;
- ``ks_distance``: largest gap between the two cumulative distributions (0 same, 1 disjoint);
- ``wasserstein``: earth mover's distance between them, in scale units;
- ``representativeness``: 1 - wasserstein / (k - 1) for a k-point scale (OpinionQA's definition).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["DistributionSummary", "Comparison", "summarize", "compare", "shares", "wilson_interval",
           "mean_interval", "ks_distance", "wasserstein", "representativeness", "sd", "cumulative"]

Z95 = 1.959963984540054


def sd(values: Sequence[float]) -> float:
    """Sample standard deviation (n - 1); 0 for fewer than two values."""
    n = len(values)
    if n < 2:
        return 0.0
    m = sum(values) / n
    return math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))


def _weighted_sd(points: Sequence[float], probs: Sequence[float]) -> float:
    m = sum(p * x for x, p in zip(points, probs, strict=True))
    return math.sqrt(max(0.0, sum(p * (x - m) ** 2 for x, p in zip(points, probs, strict=True))))


def shares(values: Iterable[float], points: Sequence[float]) -> list[float]:
    """The fraction of ``values`` at each of ``points`` (values off the scale are ignored)."""
    counts = {p: 0 for p in points}
    total = 0
    for v in values:
        if v in counts:
            counts[v] += 1
            total += 1
    return [counts[p] / total if total else 0.0 for p in points]


def wilson_interval(successes: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (95% by default)."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def mean_interval(values: Sequence[float], z: float = Z95) -> tuple[float, float]:
    """Normal-approximation interval for the mean (95% by default)."""
    n = len(values)
    if n == 0:
        return (math.nan, math.nan)
    m = sum(values) / n
    half = z * sd(values) / math.sqrt(n) if n > 1 else 0.0
    return (m - half, m + half)


def cumulative(probs: Sequence[float]) -> list[float]:
    """Running sums of ``probs``."""
    out, total = [], 0.0
    for p in probs:
        total += p
        out.append(total)
    return out


def _normal(probs: Sequence[float]) -> list[float]:
    total = sum(probs)
    return [p / total for p in probs] if total > 0 else [0.0 for _ in probs]


def ks_distance(p: Sequence[float], q: Sequence[float]) -> float:
    """Kolmogorov-Smirnov distance between two distributions over the same scale points."""
    cp, cq = cumulative(_normal(p)), cumulative(_normal(q))
    return max(abs(a - b) for a, b in zip(cp, cq, strict=True))


def wasserstein(p: Sequence[float], q: Sequence[float], points: Sequence[float] | None = None) -> float:
    """Earth mover's distance between two distributions over ordered ``points`` (default 0..k-1)."""
    points = list(points) if points is not None else list(range(len(p)))
    cp, cq = cumulative(_normal(p)), cumulative(_normal(q))
    return sum(abs(cp[i] - cq[i]) * (points[i + 1] - points[i]) for i in range(len(points) - 1))


def representativeness(p: Sequence[float], q: Sequence[float]) -> float:
    """1 - Wasserstein distance normalised by the largest possible one (k - 1 steps)."""
    k = len(p)
    return 1.0 if k < 2 else 1.0 - wasserstein(p, q) / (k - 1)


@dataclass
class Comparison:
    """A simulated distribution against a reference one."""

    sd_ratio: float
    ks_distance: float
    wasserstein: float
    representativeness: float
    mean_difference: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class DistributionSummary:
    """Mean, sd, share of each scale point with 95% intervals, and a comparison when a reference is given."""

    points: list[float]
    n: int
    mean: float
    sd: float
    mean_ci: tuple[float, float]
    shares: list[float]
    share_ci: list[tuple[float, float]]
    comparison: Comparison | None = None
    reference_shares: list[float] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["comparison"] = self.comparison.to_dict() if self.comparison else None
        return d

    def to_markdown(self) -> str:
        """A short table: one row per scale point, then the summary numbers."""
        head = "| point | share | 95% CI |" + (" reference |" if self.reference_shares else "")
        rule = "|---|---|---|" + ("---|" if self.reference_shares else "")
        rows = [head, rule]
        for i, point in enumerate(self.points):
            lo, hi = self.share_ci[i]
            row = f"| {_fmt(point)} | {self.shares[i]:.1%} | {lo:.1%}-{hi:.1%} |"
            if self.reference_shares:
                row += f" {self.reference_shares[i]:.1%} |"
            rows.append(row)
        rows.append("")
        rows.append(f"n = {self.n}, mean = {self.mean:.2f} (95% CI {self.mean_ci[0]:.2f}-{self.mean_ci[1]:.2f}), "
                    f"sd = {self.sd:.2f}")
        if self.comparison:
            c = self.comparison
            rows.append(f"against the reference: sd ratio = {c.sd_ratio:.2f}, KS distance = {c.ks_distance:.3f}, "
                        f"Wasserstein = {c.wasserstein:.3f}, representativeness = {c.representativeness:.3f}")
        rows.extend(self.notes)
        return "\n".join(rows)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def compare(probs: Sequence[float], reference: Sequence[float], points: Sequence[float]) -> Comparison:
    """Compare two distributions (shares over the same ``points``)."""
    p, q = _normal(probs), _normal(reference)
    ref_sd = _weighted_sd(points, q)
    sim_sd = _weighted_sd(points, p)
    mean_p = sum(x * w for x, w in zip(points, p, strict=True))
    mean_q = sum(x * w for x, w in zip(points, q, strict=True))
    return Comparison(
        sd_ratio=sim_sd / ref_sd if ref_sd > 0 else (1.0 if sim_sd == 0 else math.inf),
        ks_distance=ks_distance(p, q),
        wasserstein=wasserstein(p, q, points),
        representativeness=representativeness(p, q),
        mean_difference=mean_p - mean_q,
    )


def summarize(values: Sequence[float] | None, points: Sequence[float], *,
              probabilities: Sequence[Sequence[float]] | None = None,
              reference: Sequence[float] | dict[float, float] | None = None) -> DistributionSummary:
    """Summarise answers on a scale of ``points``.

    ``values``: one answer per respondent. ``probabilities``: instead, one distribution over
    ``points`` per respondent (semantic-similarity rating); the summary is then of their
    average. ``reference``: shares (a list over ``points``, or ``{point: share}``) or raw
    reference answers (a list longer than the scale is read as raw answers).
    """
    points = [float(p) for p in points]
    if probabilities is not None:
        n = len(probabilities)
        mixed = [sum(row[i] for row in probabilities) / n if n else 0.0 for i in range(len(points))]
        share_list = _normal(mixed)
        counts = [s * n for s in share_list]
        mean = sum(x * s for x, s in zip(points, share_list, strict=True))
        spread = _weighted_sd(points, share_list) * (math.sqrt(n / (n - 1)) if n > 1 else 0.0)
        half = Z95 * spread / math.sqrt(n) if n > 1 else 0.0
        mean_ci = (mean - half, mean + half)
    else:
        vals = [float(v) for v in (values or [])]
        n = len(vals)
        share_list = shares(vals, points)
        counts = [s * n for s in share_list]
        mean = sum(vals) / n if n else math.nan
        spread = sd(vals)
        mean_ci = mean_interval(vals)
    summary = DistributionSummary(points=points, n=n, mean=mean, sd=spread, mean_ci=mean_ci,
                                  shares=share_list, share_ci=[wilson_interval(c, n) for c in counts])
    if reference is not None:
        ref = reference_shares(reference, points)
        summary.reference_shares = ref
        summary.comparison = compare(share_list, ref, points)
    return summary


def reference_shares(reference: Sequence[float] | dict[float, float], points: Sequence[float]) -> list[float]:
    """A reference given as shares, ``{point: share or count}`` or raw answers, as shares over ``points``."""
    if isinstance(reference, dict):
        return _normal([float(reference.get(p, reference.get(int(p), 0.0))) for p in points])
    ref = [float(r) for r in reference]
    if len(ref) == len(points) and not all(r in points for r in ref):
        return _normal(ref)
    if len(ref) == len(points) and abs(sum(ref) - 1.0) < 1e-6:
        return _normal(ref)
    return shares(ref, points)
