"""The chi-square goodness-of-fit test used to check populations against their plan."""

from __future__ import annotations

import math
import random

import pytest

from tinytroupe.errors import SpecificationError
from tinytroupe.factory.fit import chi_square_gof, chi_square_sf, regularized_gamma_q


@pytest.mark.parametrize(("stat", "dof", "p"), [
    (3.841458820694124, 1, 0.05), (5.991464547107979, 2, 0.05), (9.487729036781154, 4, 0.05),
    (13.276704135987622, 4, 0.01), (0.0, 3, 1.0), (2.0, 2, math.exp(-1.0)),
])
def test_survival_function_matches_known_values(stat, dof, p):
    assert chi_square_sf(stat, dof) == pytest.approx(p, rel=1e-9, abs=1e-12)


def test_matches_scipy_when_available():
    special = pytest.importorskip("scipy.special")
    rng = random.Random(3)
    for _ in range(300):
        dof, x = rng.randint(1, 80), rng.uniform(0, 250)
        assert chi_square_sf(x, dof) == pytest.approx(special.gammaincc(dof / 2, x / 2), rel=1e-7, abs=1e-13)


def test_gamma_q_rejects_bad_arguments():
    with pytest.raises(ValueError):
        regularized_gamma_q(0, 1)


def test_gof_from_counts_and_from_raw_values():
    fit = chi_square_gof({"a": 50, "b": 50}, {"a": 0.5, "b": 0.5})
    assert fit.statistic == 0 and fit.dof == 1 and fit.p_value == 1.0
    skewed = chi_square_gof(["a"] * 90 + ["b"] * 10, {"a": 0.5, "b": 0.5})
    assert skewed.statistic == pytest.approx(64.0) and skewed.p_value < 1e-10
    assert skewed.observed == {"a": 90, "b": 10} and skewed.expected == {"a": 50.0, "b": 50.0}


def test_gof_value_outside_plan_is_an_error():
    with pytest.raises(SpecificationError, match="'c' is not in the plan"):
        chi_square_gof(["a", "c"], {"a": 0.5, "b": 0.5})


def test_gof_observed_value_with_zero_probability_fails_the_test():
    fit = chi_square_gof({"a": 5, "b": 1}, {"a": 1.0, "b": 0.0})
    assert fit.p_value == 0.0
