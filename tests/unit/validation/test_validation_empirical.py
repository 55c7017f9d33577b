"""Empirical validation: spread and shape count, not only the mean; datasets from CSV and DataFrames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tinytroupe.validation import (
    SimulationExperimentDataset,
    SimulationExperimentEmpiricalValidator,
    validate_simulation_experiment_empirically,
)
from tinytroupe.validation.simulation_validator import agreement


def expand(counts):
    return [point for point, n in zip(range(1, 6), counts, strict=True) for _ in range(n)]


# humans: n = 50, mean 3, sd 1.36; simulation: n = 50, mean 3, sd 0.64, not one 1 or 5
HUMANS = expand([9, 9, 14, 9, 9])
NARROW = expand([0, 10, 30, 10, 0])
LIKERT = {str(i): i for i in range(1, 6)}


def dataset(name, values):
    return SimulationExperimentDataset(name=name, key_results={"liking": values},
                                       ordinal_mappings={"liking": LIKERT})


def test_the_fixture_has_the_stated_spreads():
    assert np.mean(HUMANS) == np.mean(NARROW) == 3.0
    assert np.std(HUMANS, ddof=1) == pytest.approx(1.355, abs=0.005)
    assert np.std(NARROW, ddof=1) == pytest.approx(0.639, abs=0.005)


def test_equal_means_with_half_the_spread_score_clearly_lower_than_a_match():
    validator = SimulationExperimentEmpiricalValidator()
    narrow = validator.validate(dataset("humans", HUMANS), dataset("simulation", NARROW))
    matching = validator.validate(dataset("humans", HUMANS), dataset("simulation", list(reversed(HUMANS))))
    near = validator.validate(dataset("humans", HUMANS), dataset("simulation", expand([8, 10, 14, 10, 8])))
    d = narrow.distribution_results["liking"]
    # the numbers, computed independently
    assert d["sd_ratio"] == pytest.approx(np.std(NARROW, ddof=1) / np.std(HUMANS, ddof=1))
    assert d["ks_distance"] == pytest.approx(stats.ks_2samp(HUMANS, NARROW).statistic)
    assert d["wasserstein"] == pytest.approx(stats.wasserstein_distance(HUMANS, NARROW))
    expected = 1.0 * (0.639 / 1.355) * (1 - 0.18) * (1 - 0.68 / 4)
    assert narrow.overall_score == pytest.approx(expected, abs=0.01)
    assert narrow.overall_score == pytest.approx(0.321, abs=0.005)
    assert matching.overall_score == pytest.approx(1.0)
    assert near.overall_score > 0.9
    assert narrow.overall_score < 0.5 * matching.overall_score
    # the t-test does not see the difference: it is reported, not scored
    assert narrow.statistical_results["test_results"]["treatment"]["liking"]["significant"] is False
    assert narrow.statistical_results["common_metrics"] == ["liking"]


def test_a_shifted_mean_is_penalised_too():
    shifted = agreement(HUMANS, [v + 1 if v < 5 else 5 for v in HUMANS], (1, 5))
    assert shifted["location"] < 1 and shifted["score"] < 0.7


def test_report_states_the_formula_and_the_numbers():
    report = validate_simulation_experiment_empirically(dataset("humans", HUMANS), dataset("simulation", NARROW),
                                                        output_format="report")
    assert "location x spread x (1 - KS) x (1 - W/range)" in report
    assert "| liking | 3.00 | 3.00 | 1.36 | 0.64 | 0.47 |" in report
    assert "not scored" in report


def test_dataset_detects_types_and_maps_categories():
    ds = SimulationExperimentDataset(key_results={"rating": [1, 2, 5], "price": [3.5, 12.25, 8.0],
                                                  "share": [0.2, 0.5], "choice": ["A", "B", "A"],
                                                  "likert": [1, 2, 2, 3], "ok": [True, False],
                                                  "ranking": [["x", "y"], ["y", "x"]]})
    assert ds.data_types == {"rating": "count", "price": "numeric", "share": "proportion", "choice": "categorical",
                             "likert": "ranking", "ok": "binary", "ranking": "ranking"}
    assert ds.key_results["choice"] == [0, 1, 0] and ds.categorical_mappings["choice"] == {"a": 0, "b": 1}
    assert ds.key_results["ok"] == [1, 0]
    assert ds.get_numeric_values("choice") == [0.0, 1.0, 0.0]
    assert ds.get_numeric_values("ranking") == [1.0, 2.0, 2.0, 1.0]
    assert ds.ranking_info["likert"]["max_rank"] == 3


def test_loaders_from_csv_and_dataframe(tmp_path):
    path = tmp_path / "humans.csv"
    path.write_text("id,liking,comment,age\np1,agree,tasty,30\np2,disagree,too salty,41\np3,agree,,52\n")
    ds = SimulationExperimentDataset.from_csv(path, value_column="liking", agent_id_column="id",
                                              agent_comments_column="comment", agent_attributes_columns=["age"])
    assert ds.name == "Empirical_Data_humans" and ds.agent_names == ["p1", "p2", "p3"]
    assert ds.get_numeric_values("liking") == [0.0, 1.0, 0.0]  # categorical: agree=0, disagree=1
    assert ds.get_justification_texts() == ["tasty", "too salty"]
    assert ds.agent_attributes["age"] == ["30", "41", "52"]
    frame = pd.DataFrame({"who": ["a", "b"], "order": ["x-y-z", "z-x-y"]})
    ordered = SimulationExperimentDataset.from_dataframe(frame, agent_id_column="who",
                                                         experimental_data_type="ordinal_ranking_per_agent")
    assert ordered.key_results == {"x_rank": [1, 2], "y_rank": [2, 3], "z_rank": [3, 1]}
    ranked = SimulationExperimentDataset.from_dataframe(pd.DataFrame({"x": [1, 2], "y": [2, 1]}),
                                                        experimental_data_type="ranking_per_agent")
    assert ranked.data_types == {"x": "ranking", "y": "ranking"}
    nan_frame = pd.DataFrame({"v": [1.0, math.nan, 3.0]})
    assert SimulationExperimentDataset.from_dataframe(nan_frame).get_numeric_values("v") == [1.0, 3.0]


def test_categorical_metrics_compare_shares():
    real = SimulationExperimentDataset(key_results={"pick": ["A"] * 6 + ["B"] * 4})
    sim = SimulationExperimentDataset(key_results={"pick": ["A"] * 9 + ["B"] * 1})
    r = SimulationExperimentEmpiricalValidator().validate(real, sim)
    assert r.distribution_results["pick"]["score"] == pytest.approx(0.7)


def test_semantic_validation_compares_the_justifications():
    real = SimulationExperimentDataset(key_results={"liking": HUMANS[:3]},
                                       agent_justifications=["too salty", "fresh taste", {"justification": "pricey"}])
    close = SimulationExperimentDataset(key_results={"liking": NARROW[:3]},
                                        agent_justifications=["salty", "fresh", "pricey"])
    far = SimulationExperimentDataset(key_results={"liking": NARROW[:3]}, agent_justifications=["blue car"])
    vocab = ["too", "salty", "fresh", "taste", "pricey", "blue", "car"]

    def embed(texts):
        return [[t.split().count(w) for w in vocab] for t in texts]

    validator = SimulationExperimentEmpiricalValidator()
    near = validator.validate(real, close, validation_types=("statistical", "semantic"), embed=embed)
    away = validator.validate(real, far, validation_types=("semantic",), embed=embed)
    assert near.semantic_results["similarity"] > 0.7 > away.semantic_results["similarity"] == 0.0
    assert "Mean similarity of the two sides' justifications" in near.to_markdown()
