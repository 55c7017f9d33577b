"""Empirical validation: how closely simulated results match real ones, distributions included.

``SimulationExperimentEmpiricalValidator().validate(control, treatment)`` compares an
empirical dataset (``control``, e.g. a human survey) with a simulated one (``treatment``)
metric by metric. Each numeric metric gets an agreement score in [0, 1]::

    score = location * spread * (1 - KS) * (1 - W / range)

- ``location = 1 - min(1, |mean_sim - mean_real| / range)``
- ``spread = min(sd_sim, sd_real) / max(sd_sim, sd_real)`` (1 when both are 0)
- ``KS``: the largest gap between the two empirical cumulative distributions
- ``W``: the Wasserstein (earth mover's) distance between them
- ``range``: the metric's scale (its ordinal mapping, else the span of all values seen)

A product, so a simulation that gets the mean right with half the spread scores low: a
difference of means alone is not agreement. The overall score is the mean over metrics.
Statistical tests (Welch's t by default) are reported beside it but do not enter the score:
a non-significant test is not evidence of a match. With ``"semantic"`` among the validation
types, the two sides' justifications are compared by text similarity (the embedding seam).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.experimentation.statistical_tests import StatisticalTester
from tinytroupe.validation.dataset import SimulationExperimentDataset
from tinytroupe.validation.distribution import sd
from tinytroupe.validation.empirical_readers import EmpiricalDataReaders, as_dataset

__all__ = ["SimulationExperimentEmpiricalValidator", "SimulationExperimentEmpiricalValidationResult",
           "validate_simulation_experiment_empirically", "agreement", "ecdf_ks", "ecdf_wasserstein",
           "SCORE_FORMULA"]

SCORE_FORMULA = ("score = location x spread x (1 - KS) x (1 - W/range), where location = 1 - |mean difference|/range, "
                 "spread = min(sd)/max(sd), KS = largest gap between the cumulative distributions, "
                 "W = Wasserstein distance, range = the metric's scale; overall = mean over metrics")


def _ecdf(sorted_values: list[float], x: float) -> float:
    return bisect.bisect_right(sorted_values, x) / len(sorted_values)


def ecdf_ks(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sample Kolmogorov-Smirnov statistic."""
    sa, sb = sorted(a), sorted(b)
    return max(abs(_ecdf(sa, x) - _ecdf(sb, x)) for x in sorted({*sa, *sb}))


def ecdf_wasserstein(a: Sequence[float], b: Sequence[float]) -> float:
    """1-D Wasserstein distance between two samples (area between their cumulative distributions)."""
    sa, sb = sorted(a), sorted(b)
    xs = sorted({*sa, *sb})
    return sum(abs(_ecdf(sa, xs[i]) - _ecdf(sb, xs[i])) * (xs[i + 1] - xs[i]) for i in range(len(xs) - 1))


def agreement(real: Sequence[float], simulated: Sequence[float],
              scale: tuple[float, float] | None = None) -> dict[str, float]:
    """The components of the agreement score between two samples, and the score."""
    if not real or not simulated:
        raise SpecificationError("agreement needs values on both sides")
    lo = min(min(real), min(simulated), scale[0] if scale else math.inf)
    hi = max(max(real), max(simulated), scale[1] if scale else -math.inf)
    span = hi - lo
    mean_r, mean_s = sum(real) / len(real), sum(simulated) / len(simulated)
    sd_r, sd_s = sd(list(real)), sd(list(simulated))
    ks = ecdf_ks(real, simulated)
    w = ecdf_wasserstein(real, simulated)
    location = 1.0 - min(1.0, abs(mean_s - mean_r) / span) if span > 0 else 1.0
    spread = 1.0 if max(sd_r, sd_s) == 0 else min(sd_r, sd_s) / max(sd_r, sd_s)
    shape = 1.0 - min(1.0, w / span) if span > 0 else 1.0
    return {"real_mean": mean_r, "simulated_mean": mean_s, "real_sd": sd_r, "simulated_sd": sd_s,
            "sd_ratio": sd_s / sd_r if sd_r > 0 else (1.0 if sd_s == 0 else math.inf),
            "ks_distance": ks, "wasserstein": w, "range": span, "location": location, "spread": spread,
            "representativeness": shape, "score": location * spread * (1.0 - ks) * shape}


@dataclass
class SimulationExperimentEmpiricalValidationResult:
    """What :meth:`SimulationExperimentEmpiricalValidator.validate` found.

    ``statistical_results`` has the original's shape: ``common_metrics``, ``test_results``
    (``{"treatment": {metric: result}}``), ``test_type`` and ``significance_level``;
    ``distribution_results`` holds the agreement components per metric.
    """

    validation_type: str
    control_name: str
    treatment_name: str
    statistical_results: dict[str, Any] | None = None
    distribution_results: dict[str, dict[str, float]] = field(default_factory=dict)
    semantic_results: dict[str, Any] | None = None
    overall_score: float = 0.0
    summary: str = ""
    formula: str = SCORE_FORMULA
    timestamp: str = field(default_factory=lambda: datetime.now().isoformat())

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def model_dump(self) -> dict[str, Any]:
        """The original's (pydantic) name for :meth:`to_dict`."""
        return self.to_dict()

    def per_metric_tests(self) -> dict[str, Any]:
        """``{metric: test result}`` of the statistical tests."""
        return dict(((self.statistical_results or {}).get("test_results") or {}).get("treatment", {}))

    def to_markdown(self) -> str:
        lines = [f"# Empirical validation: {self.treatment_name} (simulated) vs {self.control_name} (empirical)", "",
                 f"**Overall agreement score: {self.overall_score:.3f}** (0 = no agreement, 1 = identical "
                 "distributions)", "", f"Score formula: {self.formula}.", "",
                 "| metric | mean real | mean sim | sd real | sd sim | sd ratio | KS | Wasserstein | score |",
                 "|---|---|---|---|---|---|---|---|---|"]
        for metric, d in self.distribution_results.items():
            lines.append(f"| {metric} | {d['real_mean']:.2f} | {d['simulated_mean']:.2f} | {d['real_sd']:.2f} | "
                         f"{d['simulated_sd']:.2f} | {d['sd_ratio']:.2f} | {d['ks_distance']:.3f} | "
                         f"{d['wasserstein']:.3f} | {d['score']:.3f} |")
        tests = self.per_metric_tests()
        if tests:
            lines += ["", "## Statistical tests (reported, not scored)", "",
                      "| metric | test | statistic | p-value | significant |", "|---|---|---|---|---|"]
            for metric, r in tests.items():
                lines.append(f"| {metric} | {r['test_type']} | {r['statistic']:.3f} | {r['p_value']:.4f} | "
                             f"{'yes' if r['significant'] else 'no'} |")
        if self.semantic_results is not None:
            lines += ["", "## Justifications", "", f"Mean similarity of the two sides' justifications: "
                      f"{self.semantic_results.get('similarity', float('nan')):.3f}"]
        if self.summary:
            lines += ["", self.summary]
        return "\n".join(lines)


class SimulationExperimentEmpiricalValidator(EmpiricalDataReaders):
    """Compares simulated results with empirical ones; see the module docstring for the score.

    The loaders (``read_empirical_data_from_csv``, ``create_from_csv``...) come from
    :class:`~tinytroupe.validation.empirical_readers.EmpiricalDataReaders`.
    """

    def validate(self, control: SimulationExperimentDataset | dict[str, Any],
                 treatment: SimulationExperimentDataset | dict[str, Any],
                 validation_types: Sequence[str] = ("statistical",), statistical_test_type: str = "welch_t_test",
                 significance_level: float = 0.05, output_format: str = "values",
                 embed: Callable[[list[str]], list[list[float]]] | None = None) -> Any:
        """``control``: the empirical data; ``treatment``: the simulated data. ``output_format``:
        ``values`` (a result object) or ``report`` (Markdown)."""
        control, treatment = as_dataset(control, "control"), as_dataset(treatment, "treatment")
        unknown = set(validation_types) - {"statistical", "semantic"}
        if unknown:
            raise SpecificationError(f"validation_types {sorted(unknown)} unknown; use 'statistical' and/or 'semantic'")
        if output_format not in ("values", "report"):
            raise SpecificationError(f"output_format {output_format!r}: use 'values' or 'report'")
        result = SimulationExperimentEmpiricalValidationResult(
            validation_type=", ".join(validation_types), control_name=control.name or "Control",
            treatment_name=treatment.name or "Treatment")
        metrics = [m for m in control.key_results if m in treatment.key_results]
        if not metrics:
            raise SpecificationError(f"datasets {result.control_name!r} and {result.treatment_name!r} share no metric")
        real_values: dict[str, list[float]] = {}
        sim_values: dict[str, list[float]] = {}
        for metric in metrics:
            if control.data_types.get(metric) == "categorical":
                result.distribution_results[metric] = _categorical_agreement(
                    control.labels_of(metric) or control.get_metric_values(metric),
                    treatment.labels_of(metric) or treatment.get_metric_values(metric))
                continue
            real, sim = control.get_numeric_values(metric), _numeric_like(treatment, control, metric)
            real_values[metric], sim_values[metric] = real, sim
            result.distribution_results[metric] = agreement(real, sim, control.scale(metric) or treatment.scale(metric))
        if "statistical" in validation_types and real_values:
            tester = StatisticalTester({"control": real_values}, {"treatment": sim_values})
            result.statistical_results = {"common_metrics": metrics,
                                          "test_results": tester.run_test(statistical_test_type, significance_level),
                                          "test_type": statistical_test_type,
                                          "significance_level": significance_level}
        if "semantic" in validation_types:
            result.semantic_results = _semantic(control, treatment, embed)
        scores = [d["score"] for d in result.distribution_results.values()]
        result.overall_score = sum(scores) / len(scores)
        worst = min(result.distribution_results.items(), key=lambda kv: kv[1]["score"])
        result.summary = (f"Weakest metric: {worst[0]} (score {worst[1]['score']:.3f}, sd ratio "
                          f"{worst[1]['sd_ratio']:.2f}, KS {worst[1]['ks_distance']:.3f}).")
        return result.to_markdown() if output_format == "report" else result


def _categorical_agreement(real: Sequence[Any], simulated: Sequence[Any]) -> dict[str, float]:
    """Shares of each category; score = 1 - total variation distance."""
    cats = sorted({str(v) for v in (*real, *simulated) if v is not None})
    r = [sum(1 for v in real if str(v) == c) / max(1, len(real)) for c in cats]
    s = [sum(1 for v in simulated if str(v) == c) / max(1, len(simulated)) for c in cats]
    tv = sum(abs(a - b) for a, b in zip(r, s, strict=True)) / 2
    nan = float("nan")
    return {"real_mean": nan, "simulated_mean": nan, "real_sd": nan, "simulated_sd": nan, "sd_ratio": nan,
            "ks_distance": nan, "wasserstein": nan, "range": nan, "location": nan, "spread": nan,
            "representativeness": 1.0 - tv, "total_variation": tv, "score": 1.0 - tv}


def _numeric_like(dataset: SimulationExperimentDataset, reference: SimulationExperimentDataset,
                  metric: str) -> list[float]:
    """The metric's numbers on the reference's scale: labelled values go through the reference's mapping."""
    labels = dataset.labels_of(metric)
    mapping = reference.ordinal_mappings.get(metric) if reference.is_categorical_metric(metric) else None
    if labels is not None and mapping:
        missing = sorted({lab for lab in labels if lab is not None and lab not in mapping})
        if missing:
            raise SpecificationError(f"dataset {reference.name or 'control'!r} has no level {missing} of {metric!r}")
        return [float(mapping[lab]) for lab in labels if lab is not None]
    return dataset.get_numeric_values(metric)


def _semantic(control: SimulationExperimentDataset, treatment: SimulationExperimentDataset,
              embed: Callable[[list[str]], list[list[float]]] | None) -> dict[str, Any]:
    from tinytroupe import providers

    cosine, resolve_embedder = providers.need("survey_embedding")  # survey builds on validation

    a, b = control.get_justification_texts(), treatment.get_justification_texts()
    if not a or not b:
        return {"similarity": float("nan"), "note": "one side has no justifications"}
    from tinytroupe._sync import run_sync

    vectors = run_sync(resolve_embedder(embed, tags={"purpose": "validation"})([" ".join(a), " ".join(b)]))
    similarity = cosine(vectors[0], vectors[1])
    return {"similarity": similarity, "average_proximity": similarity, "individual_comparisons": [],
            "summary_comparison": None, "control_justifications": len(a), "treatment_justifications": len(b)}


def validate_simulation_experiment_empirically(control_data: SimulationExperimentDataset | dict[str, Any],
                                               treatment_data: SimulationExperimentDataset | dict[str, Any],
                                               validation_types: Sequence[str] = ("statistical",),
                                               statistical_test_type: str = "welch_t_test",
                                               significance_level: float = 0.05,
                                               output_format: str = "values") -> Any:
    """One-call form of :meth:`SimulationExperimentEmpiricalValidator.validate`; the data may be
    datasets or plain dicts of their fields (``{"name": ..., "key_results": {...}}``)."""
    return SimulationExperimentEmpiricalValidator().validate(
        control_data, treatment_data, validation_types, statistical_test_type, significance_level, output_format)
