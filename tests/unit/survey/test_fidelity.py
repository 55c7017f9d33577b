"""Fidelity against real answers: the figures checked against scipy on synthetic human answers."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy import stats

from tinytroupe.errors import SpecificationError
from tinytroupe.survey.fidelity import compare_answers, fidelity, read_reference
from tinytroupe.validation import SimulationExperimentDataset, SimulationExperimentEmpiricalValidator


def synthetic(seed: int = 7):
    """Humans spread over 1-5 with many at the ends; simulated people bunched at 3-4 (the usual failure)."""
    rng = random.Random(seed)
    humans = [rng.choices([1, 2, 3, 4, 5], weights=[20, 15, 20, 20, 25])[0] for _ in range(300)]
    simulated = [rng.choices([2, 3, 4, 5], weights=[5, 45, 45, 5])[0] for _ in range(80)]
    return simulated, humans


def test_numbers_match_scipy_and_numpy():
    sim, real = synthetic()
    q = compare_answers("appeal", sim, real, scale=(1, 5))
    assert q.ks_distance == pytest.approx(stats.ks_2samp(sim, real).statistic)
    assert q.wasserstein == pytest.approx(stats.wasserstein_distance(sim, real))
    assert q.sd_ratio == pytest.approx(np.std(sim, ddof=1) / np.std(real, ddof=1))
    assert q.extreme_simulated == pytest.approx(np.mean([v in (1, 5) for v in sim]))
    assert q.extreme_real == pytest.approx(np.mean([v in (1, 5) for v in real]))
    assert q.points == ["1", "2", "3", "4", "5"]
    assert q.simulated_shares == pytest.approx([np.mean(np.array(sim) == k) for k in range(1, 6)])
    assert q.real_shares == pytest.approx([np.mean(np.array(real) == k) for k in range(1, 6)])
    assert q.sd_ratio < 0.8 and "agree with each other more" in q.sentence()


def test_score_is_the_empirical_validators():
    sim, real = synthetic()
    q = compare_answers("appeal", sim, real)  # no declared scale: the validator's own range (values seen)
    validated = SimulationExperimentEmpiricalValidator().validate(
        SimulationExperimentDataset(name="real", key_results={"appeal": real}, data_types={"appeal": "numeric"}),
        SimulationExperimentDataset(name="sim", key_results={"appeal": sim}, data_types={"appeal": "numeric"}),
        validation_types=())
    assert q.score == pytest.approx(validated.distribution_results["appeal"]["score"])
    same = compare_answers("appeal", real, real)
    assert same.score == pytest.approx(1.0) and same.ks_distance == 0 and same.wasserstein == 0
    assert q.score < 0.6


def test_categorical_answers_compare_shares_and_leave_order_figures_empty():
    q = compare_answers("would_subscribe", [True, True, False, True], ["no", "no", "yes", "no"])
    assert q.kind == "category" and q.points == ["no", "yes"]
    assert q.simulated_shares == [0.25, 0.75] and q.real_shares == [0.75, 0.25]
    assert q.ks_distance is None and q.wasserstein is None and q.sd_ratio is None
    assert q.score == pytest.approx(0.5)  # 1 - total variation distance


def test_reference_csv_and_report(tmp_path):
    sim, real = synthetic(3)
    path = tmp_path / "panel.csv"
    path.write_text("respondent,appeal,would_subscribe,comment\n" + "".join(
        f"h{i},{v},{'yes' if v > 3 else 'no'},\n" for i, v in enumerate(real)) + "h-extra,,yes,\n", encoding="utf-8")
    assert read_reference(path)["appeal"] == real
    report = fidelity({"appeal": sim, "would_subscribe": [v > 3 for v in sim], "price": [1, 2]}, path,
                      scales={"appeal": (1, 5)})
    assert [q.question for q in report.questions] == ["appeal", "would_subscribe"]
    assert report.missing == ["price"]
    html = report._repr_html_()
    assert html.count('class="tt-fidelity-question"') == 2 and "tt-paired" in html and "<script" not in html
    assert f"{stats.ks_2samp(sim, real).statistic:.3f}".rstrip("0") in html
    assert "KS" in report.to_markdown() and report.to_dataframe().shape == (2, 11)


def test_bad_references_say_what_to_do(tmp_path):
    with pytest.raises(SpecificationError, match="not found"):
        read_reference(tmp_path / "missing.csv")
    path = tmp_path / "other.csv"
    path.write_text("x,y\n1,2\n", encoding="utf-8")
    with pytest.raises(SpecificationError, match="no column matches a question.*name each column"):
        fidelity({"appeal": [1, 2]}, path)
