"""Statistical tests between a control and treatments: the numbers behind an experiment's verdict.

``StatisticalTester(control, treatments).run_test("welch_t_test")`` gives, for each treatment
and each metric, the test statistic, p-value, significance, effect size and a confidence
interval of the difference. Needs scipy (``pip install "tinytroupe[analysis]"``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

from tinytroupe.errors import MissingExtraError, SpecificationError

__all__ = ["StatisticalTester", "TESTS", "require_scipy"]

TESTS = ("t_test", "welch_t_test", "mann_whitney", "anova", "chi_square", "ks_test")
TEST_NAMES = {"t_test": "Student t-test (equal variance)", "welch_t_test": "Welch t-test (unequal variance)",
              "mann_whitney": "Mann-Whitney U test", "anova": "One-way ANOVA", "chi_square": "Chi-square test",
              "ks_test": "Kolmogorov-Smirnov test"}
"""Each test's name as results report it (``result["test"]`` holds the key)."""


def require_scipy() -> Any:
    """scipy.stats, or an error naming the install."""
    try:
        from scipy import stats
    except ImportError as exc:  # pragma: no cover - scipy ships with the dev extra
        raise MissingExtraError('statistical tests need scipy: pip install "tinytroupe[analysis]"') from exc
    return stats


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def _var(xs: Sequence[float]) -> float:
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1) if len(xs) > 1 else 0.0


def cohens_d(a: Sequence[float], b: Sequence[float]) -> float:
    """Cohen's d with the pooled sd (treatment minus control)."""
    na, nb = len(a), len(b)
    pooled = math.sqrt(((na - 1) * _var(a) + (nb - 1) * _var(b)) / (na + nb - 2)) if na + nb > 2 else 0.0
    return (_mean(b) - _mean(a)) / pooled if pooled > 0 else 0.0


class StatisticalTester:
    """Compares a control's metrics with each treatment's.

    ``control_experiment_data``: ``{"control_exp": {metric: [values]}}`` (the original's form,
    one named experiment) or simply ``{metric: [values]}``; ``treatments_experiment_data``:
    ``{treatment: {metric: [values]}}``. With ``results_key``, each experiment's metrics are
    read from that key (``{"exp": {results_key: {metric: [...]}}}``, the shape
    ``InPlaceExperimentRunner`` and extractions produce).
    """

    def __init__(self, control_experiment_data: dict[str, Any],
                 treatments_experiment_data: dict[str, dict[str, Any]], results_key: str | None = None):
        if not isinstance(control_experiment_data, dict) or not isinstance(treatments_experiment_data, dict):
            raise SpecificationError("StatisticalTester: control and treatments must be dicts: "
                                     "{'control_exp': {metric: [values]}}, {'treatment': {metric: [values]}}")
        if results_key:
            if results_key in control_experiment_data:  # {results_key: {metric: [...]}}
                control_experiment_data = control_experiment_data[results_key]
            else:
                control_experiment_data = {k: _results_of(v, results_key, k) for k, v in control_experiment_data.items()}
            treatments_experiment_data = {k: _results_of(v, results_key, k) for k, v in treatments_experiment_data.items()}
        self.control_name, control_metrics = _unwrap_control(control_experiment_data)
        self.control_experiment_data = _clean(control_metrics, "control")
        self.treatments_experiment_data = {name: _clean(data, name)
                                           for name, data in treatments_experiment_data.items()}
        if not self.treatments_experiment_data:
            raise SpecificationError("StatisticalTester needs at least one treatment in treatments_experiment_data")

    def run_test(self, test_type: str = "welch_t_test", alpha: float = 0.05,
                 **kwargs: Any) -> dict[str, dict[str, dict[str, Any]]]:
        """``{treatment: {metric: result}}`` for every metric both sides have."""
        if test_type not in TESTS:
            raise SpecificationError(f"unknown test_type {test_type!r}; choose one of {', '.join(TESTS)}")
        results: dict[str, dict[str, dict[str, Any]]] = {}
        for name, data in self.treatments_experiment_data.items():
            results[name] = {}
            for metric, control in self.control_experiment_data.items():
                if metric in data:
                    with warnings.catch_warnings():  # identical values: scipy warns and gives NaN
                        warnings.simplefilter("ignore", RuntimeWarning)
                        results[name][metric] = self._one(test_type, control, data[metric], alpha, **kwargs)
        return results

    def check_assumptions(self, metric: str, alpha: float = 0.05) -> dict[str, dict[str, Any]]:
        """Normality (Shapiro-Wilk) of each group and equal variances (Levene), with a recommended test."""
        stats = require_scipy()
        control = self.control_experiment_data[metric]
        out: dict[str, dict[str, Any]] = {}
        for name, data in self.treatments_experiment_data.items():
            if metric not in data:
                continue
            treatment = data[metric]
            normal = all(_shapiro_ok(stats, xs, alpha) for xs in (control, treatment))
            levene_p = float(stats.levene(control, treatment).pvalue) if _spread(control, treatment) else 1.0
            equal_var = levene_p >= alpha
            recommended = ("t_test" if equal_var else "welch_t_test") if normal else "mann_whitney"
            out[name] = {"normal": normal, "levene_p_value": levene_p, "equal_variances": equal_var,
                         "recommended_test": recommended}
        return out

    # -- one comparison --------------------------------------------------------------------
    def _one(self, test_type: str, control: list[float], treatment: list[float], alpha: float,
             **kwargs: Any) -> dict[str, Any]:
        stats = require_scipy()
        result: dict[str, Any] = {"test_type": TEST_NAMES[test_type], "test": test_type, "control_n": len(control),
                                  "treatment_n": len(treatment), "control_sample_size": len(control),
                                  "treatment_sample_size": len(treatment), "confidence_level": 1 - alpha}
        if test_type in ("t_test", "welch_t_test", "mann_whitney", "anova", "ks_test"):
            result.update(_descriptives(control, treatment))
        if test_type in ("t_test", "welch_t_test"):
            equal = test_type == "t_test"
            t = stats.ttest_ind(treatment, control, equal_var=equal)
            result.update(statistic=float(t.statistic), t_statistic=float(t.statistic), p_value=float(t.pvalue),
                          effect_size=cohens_d(control, treatment),
                          confidence_interval=_diff_interval(stats, control, treatment, alpha, equal))
        elif test_type == "mann_whitney":
            u = stats.mannwhitneyu(treatment, control, alternative=kwargs.get("alternative", "two-sided"))
            n1, n2 = len(treatment), len(control)
            result.update(statistic=float(u.statistic), u_statistic=float(u.statistic), p_value=float(u.pvalue),
                          effect_size=1 - 2 * float(u.statistic) / (n1 * n2) if n1 * n2 else 0.0,
                          effect_size_name="rank-biserial correlation (control minus treatment)")
        elif test_type == "anova":
            f = stats.f_oneway(control, treatment)
            grand = _mean(control + treatment)
            between = sum(len(g) * (_mean(g) - grand) ** 2 for g in (control, treatment))
            total = sum((x - grand) ** 2 for x in control + treatment)
            result.update(statistic=float(f.statistic), f_statistic=float(f.statistic), p_value=float(f.pvalue),
                          effect_size=between / total if total else 0.0, effect_size_name="eta squared")
        elif test_type == "ks_test":
            ks = stats.ks_2samp(control, treatment)
            result.update(statistic=float(ks.statistic), ks_statistic=float(ks.statistic), p_value=float(ks.pvalue),
                          effect_size=float(ks.statistic), effect_size_name="KS distance")
        else:  # chi_square over the categories seen on either side
            result.update(_chi_square(stats, control, treatment))
        result["significant"] = bool(result["p_value"] < alpha)
        result["alpha"] = alpha
        return result


def _results_of(experiment: Any, results_key: str, name: str) -> Any:
    if not isinstance(experiment, dict) or results_key not in experiment:
        raise SpecificationError(f"StatisticalTester: experiment {name!r} has no {results_key!r} key (results_key)")
    return experiment[results_key]


def _unwrap_control(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The control's name and metrics: ``{"control_exp": {metric: [...]}}`` or ``{metric: [...]}``."""
    if len(data) == 1:
        (name, inner), = data.items()
        if isinstance(inner, dict):
            return str(name), inner
    if data and all(isinstance(v, dict) for v in data.values()):
        raise SpecificationError("StatisticalTester: the control data must hold exactly one experiment, "
                                 f"got {len(data)}: {', '.join(map(str, data))}")
    return "control", data


def _clean(data: dict[str, Any], where: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for metric, values in data.items():
        if not isinstance(values, (list, tuple)):
            raise SpecificationError(f"{where}: metric {metric!r} must be a list of values, got {type(values).__name__}")
        vals = [v for v in values if v is not None]
        out[metric] = [float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in vals]
    return out


def _descriptives(control: list[float], treatment: list[float]) -> dict[str, float]:
    cm, tm = _mean(control), _mean(treatment)
    return {"control_mean": cm, "treatment_mean": tm, "mean_difference": tm - cm,
            "percent_change": (tm - cm) / abs(cm) * 100 if cm else math.nan,
            "control_std": math.sqrt(_var(control)), "treatment_std": math.sqrt(_var(treatment))}


def _diff_interval(stats: Any, control: list[float], treatment: list[float], alpha: float,
                   equal: bool) -> tuple[float, float]:
    na, nb = len(control), len(treatment)
    va, vb = _var(control), _var(treatment)
    diff = _mean(treatment) - _mean(control)
    if equal:
        dof = na + nb - 2
        se = math.sqrt(((na - 1) * va + (nb - 1) * vb) / dof * (1 / na + 1 / nb)) if dof > 0 else 0.0
    else:
        se = math.sqrt(va / na + vb / nb)
        num = (va / na + vb / nb) ** 2
        den = (va / na) ** 2 / max(na - 1, 1) + (vb / nb) ** 2 / max(nb - 1, 1)
        dof = num / den if den else na + nb - 2
    half = float(stats.t.ppf(1 - alpha / 2, dof)) * se if se else 0.0
    return (diff - half, diff + half)


def _chi_square(stats: Any, control: list, treatment: list) -> dict[str, Any]:
    categories = sorted({*control, *treatment}, key=str)
    table = [[control.count(c) for c in categories], [treatment.count(c) for c in categories]]
    chi2, p, dof, _ = stats.chi2_contingency(table)
    n = len(control) + len(treatment)
    k = min(len(categories), 2) - 1
    return {"statistic": float(chi2), "chi2_statistic": float(chi2), "p_value": float(p), "dof": int(dof),
            "categories": [str(c) for c in categories], "contingency_table": table,
            "effect_size": math.sqrt(chi2 / (n * k)) if n and k else 0.0, "effect_size_name": "Cramer's V"}


def _shapiro_ok(stats: Any, xs: list[float], alpha: float) -> bool:
    if len(xs) < 3 or len(set(xs)) < 2:
        return False
    return float(stats.shapiro(xs).pvalue) >= alpha


def _spread(*groups: list[float]) -> bool:
    return all(len(set(g)) > 1 for g in groups)
