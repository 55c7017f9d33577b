"""StatisticalTester agrees with scipy called directly; ABRandomizer; InPlaceExperimentRunner."""

from __future__ import annotations

import json
import random

import pytest
from scipy import stats

from tinytroupe.errors import SpecificationError
from tinytroupe.experimentation import ABRandomizer, InPlaceExperimentRunner, StatisticalTester

rng = random.Random(7)
CONTROL = [round(rng.gauss(5.0, 1.0), 3) for _ in range(30)]
TREATMENT = [round(rng.gauss(5.8, 1.6), 3) for _ in range(25)]


def make_tester():
    return StatisticalTester({"rating": CONTROL}, {"new_ad": {"rating": TREATMENT}})


@pytest.mark.parametrize("test_type,direct", [
    ("t_test", lambda: stats.ttest_ind(TREATMENT, CONTROL, equal_var=True)),
    ("welch_t_test", lambda: stats.ttest_ind(TREATMENT, CONTROL, equal_var=False)),
    ("mann_whitney", lambda: stats.mannwhitneyu(TREATMENT, CONTROL, alternative="two-sided")),
    ("anova", lambda: stats.f_oneway(CONTROL, TREATMENT)),
    ("ks_test", lambda: stats.ks_2samp(CONTROL, TREATMENT)),
])
def test_results_agree_with_scipy(test_type, direct):
    result = make_tester().run_test(test_type)["new_ad"]["rating"]
    expected = direct()
    assert result["statistic"] == pytest.approx(float(expected.statistic))
    assert result["p_value"] == pytest.approx(float(expected.pvalue))
    assert result["significant"] == (float(expected.pvalue) < 0.05)


def test_welch_interval_and_effect_size():
    r = make_tester().run_test("welch_t_test")["new_ad"]["rating"]
    diff = sum(TREATMENT) / len(TREATMENT) - sum(CONTROL) / len(CONTROL)
    assert r["mean_difference"] == pytest.approx(diff)
    lo, hi = r["confidence_interval"]
    assert lo < diff < hi
    # scipy >= 1.11 gives the interval too
    ci = stats.ttest_ind(TREATMENT, CONTROL, equal_var=False).confidence_interval(0.95)
    assert (lo, hi) == pytest.approx((ci.low, ci.high))
    import numpy as np
    pooled = np.sqrt(((len(CONTROL) - 1) * np.var(CONTROL, ddof=1) + (len(TREATMENT) - 1) * np.var(TREATMENT, ddof=1))
                     / (len(CONTROL) + len(TREATMENT) - 2))
    assert r["effect_size"] == pytest.approx(diff / pooled)


def test_chi_square_on_categories_agrees_with_scipy():
    a = ["yes"] * 30 + ["no"] * 20
    b = ["yes"] * 18 + ["no"] * 32
    r = StatisticalTester({"buy": a}, {"t": {"buy": b}}).run_test("chi_square")["t"]["buy"]
    chi2, p, dof, _ = stats.chi2_contingency([[20, 30], [32, 18]])
    assert r["statistic"] == pytest.approx(chi2) and r["p_value"] == pytest.approx(p) and r["dof"] == dof


def test_assumption_checks_recommend_a_test():
    checks = make_tester().check_assumptions("rating")["new_ad"]
    assert checks["recommended_test"] in ("t_test", "welch_t_test", "mann_whitney")
    assert checks["levene_p_value"] == pytest.approx(float(stats.levene(CONTROL, TREATMENT).pvalue))
    skewed = StatisticalTester({"x": [1, 1, 1, 1, 1, 1, 2, 9, 30]}, {"t": {"x": [1, 2, 1, 1, 1, 40, 1, 1, 1]}})
    assert skewed.check_assumptions("x")["t"]["recommended_test"] == "mann_whitney"


def test_unknown_test_is_a_clear_error():
    with pytest.raises(SpecificationError, match="welch_t_test"):
        make_tester().run_test("z_test")


def test_ab_randomizer_orders_differ_across_items_and_derandomize_back():
    r = ABRandomizer(random_seed=3)
    orders = [r.randomize(i, "control text", "treatment text") for i in range(40)]
    assert len({o[0] for o in orders}) == 2  # both orders occur
    swapped = sum(o[0] == "treatment text" for o in orders)
    assert 8 <= swapped <= 32
    for i, (first, second) in enumerate(orders):
        assert r.derandomize(i, first, second) == ("control text", "treatment text")
        assert r.derandomize_name(i, "A") == ("treatment" if first == "treatment text" else "control")
        assert r.derandomize_name(i, "B") == ("control" if first == "treatment text" else "treatment")
    again = ABRandomizer(random_seed=3)
    assert [again.randomize(i, "control text", "treatment text") for i in range(40)] == orders
    other = ABRandomizer(random_seed=4)
    assert [other.randomize(i, "control text", "treatment text") for i in range(40)] != orders


def test_ab_randomizer_pass_through_and_errors():
    r = ABRandomizer(passtrough_name=["neither"])
    r.randomize(0, 1, 2)
    assert r.derandomize_name(0, "neither") == "neither"
    with pytest.raises(SpecificationError):
        r.derandomize_name(0, "C")
    with pytest.raises(SpecificationError, match="never randomized"):
        r.derandomize(5, 1, 2)


def test_in_place_runner_keeps_the_original_json_state(tmp_path):
    path = tmp_path / "experiment_config.json"
    runner = InPlaceExperimentRunner(path)
    runner.add_experiment("control")
    runner.add_experiment("treatment")
    runner.activate_next_experiment()
    assert runner.get_active_experiment() == "control"
    runner.add_experiment_results({"rating": [1, 2, 3, 2, 3]})
    runner.add_experiment_results({"rating": [2, 3]})
    runner.activate_next_experiment()
    # a later run of the same script finds its place in the file
    again = InPlaceExperimentRunner(path)
    assert again.get_active_experiment() == "treatment"
    assert again.get_unfinished_experiments() == ["treatment"]
    again.add_experiment_results({"rating": [4, 5, 4, 5, 4, 5, 3]})
    again.finish_active_experiment()
    assert again.has_finished_all_experiments()
    doc = json.loads(path.read_text())
    assert set(doc) >= {"experiments", "active_experiment", "finished_all_experiments", "finished_experiments"}
    assert doc["experiments"]["control"]["results"]["rating"] == [1, 2, 3, 2, 3, 2, 3]
    results = again.run_statistical_tests("control")
    direct = stats.ttest_ind([4, 5, 4, 5, 4, 5, 3], [1, 2, 3, 2, 3, 2, 3], equal_var=False)
    assert results["treatment"]["rating"]["p_value"] == pytest.approx(float(direct.pvalue))
    assert "statistical_test_results_vs_others" in json.loads(path.read_text())["experiments"]["control"]
