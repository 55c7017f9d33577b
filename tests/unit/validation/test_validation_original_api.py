"""The original's validation and experiment shapes: loaders, dataset accessors, dict input, nested tester."""

from __future__ import annotations

import pandas as pd
import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.experimentation import InPlaceExperimentRunner, Proposition, StatisticalTester
from tinytroupe.validation import (
    SimulationExperimentDataset,
    SimulationExperimentEmpiricalValidator,
    validate_simulation_experiment_empirically,
)

V = SimulationExperimentEmpiricalValidator


@pytest.fixture
def votes_csv(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text("respondent,vote,why,age,order\n"
                    "r1,Yes,cheap,31,A-B-C\nr2,No,too sweet,45,B-A-C\nr3,Yes,,52,A-C-B\nr4,yes,tasty,23,C-A-B\n")
    return path


def test_read_empirical_data_from_csv_single_value(votes_csv):
    ds = V.read_empirical_data_from_csv(votes_csv, agent_id_column="respondent", agent_comments_column="why",
                                        agent_attributes_columns=["age"])
    assert ds.name == "Empirical_Data_votes" and "votes.csv" in ds.description
    assert list(ds.key_results) == ["vote"]  # found by its name
    assert ds.data_types["vote"] == "categorical" and ds.key_results["vote"] == [1, 0, 1, 1]
    assert ds.get_categorical_values("vote") == ["no", "yes"]
    assert ds.get_agent_name(1) == "r2" and ds.get_agent_name(9) is None
    assert ds.agent_justifications[1] == {"agent_name": "r2", "agent_index": 1, "justification": "too sweet"}
    assert ds.agent_attributes == {"age": ["31", "45", "52", "23"]}
    summary = ds.get_metric_summary("vote")
    assert summary["category_distribution"] == {"yes": 3, "no": 1} and summary["valid_values"] == 4
    assert summary["is_categorical"] and summary["categories"] == ["no", "yes"]


def test_ordinal_ranking_column_becomes_one_ranking_per_option(votes_csv):
    ds = V.read_empirical_data_from_csv(votes_csv, experimental_data_type="ordinal_ranking_per_agent",
                                        ordinal_ranking_column="order", agent_id_column="respondent")
    assert ds.key_results == {"A_rank": [1, 2, 1, 2], "B_rank": [2, 1, 3, 3], "C_rank": [3, 3, 2, 1]}
    assert set(ds.data_types.values()) == {"ranking"}
    assert ds.ranking_info["A_rank"]["original_options"] == ["A", "B", "C"]
    assert ds.get_metric_summary("C_rank")["rank_distribution"] == {3: 2, 2: 1, 1: 1}


def test_ranking_columns_and_create_from_dataframe():
    frame = pd.DataFrame({"who": ["a", "b", "c"], "tea": [1, 2, 1], "coffee": [2, 1, 2]})
    validator, ds = V.create_from_dataframe(frame, experimental_data_type="ranking_per_agent",
                                            ranking_columns=["tea", "coffee"], agent_id_column="who")
    assert isinstance(validator, V) and ds.name == "Empirical_Data_from_DataFrame"
    assert ds.key_results == {"tea": [1, 2, 1], "coffee": [2, 1, 2]}
    assert ds.ranking_info["tea"]["max_rank"] == 2
    with pytest.raises(ValueError, match="not found"):
        V.read_empirical_data_from_dataframe(frame, experimental_data_type="ranking_per_agent",
                                             ranking_columns=["juice"])
    with pytest.raises(TypeError):
        V.read_empirical_data_from_dataframe({"not": "a frame"})


def test_create_from_csv_returns_the_validator_and_the_data(votes_csv):
    validator, ds = V.create_from_csv(votes_csv, value_column="age", dataset_name="panel")
    assert isinstance(validator, V) and ds.name == "panel" and ds.key_results["age"] == [31, 45, 52, 23]
    with pytest.raises(FileNotFoundError):
        V.read_empirical_data_from_csv(votes_csv.with_name("absent.csv"))


def test_scalars_binary_and_proportions():
    ds = SimulationExperimentDataset(key_results={"share": 45, "liked": [True, False, True],
                                                  "conversion": [12.5, 40, 0.3], "answer": ["Agree", "agree"]},
                                     data_types={"share": "proportion", "conversion": "proportion"})
    assert ds.key_results["share"] == 0.45 and ds.result_types["share"] == "aggregate"
    assert ds.key_results["liked"] == [1, 0, 1] and ds.data_types["liked"] == "binary"
    assert ds.key_results["conversion"] == [0.125, 0.4, 0.3]
    assert ds.key_results["answer"] == [0, 0]
    yes_no = SimulationExperimentDataset(key_results={"buy": ["yes", "no", "Yes"]}, data_types={"buy": "binary"})
    assert yes_no.key_results["buy"] == [1, 0, 1]
    assert yes_no.get_metric_summary("buy")["binary_distribution"] == {"true": 2, "false": 1}
    ordinal = SimulationExperimentDataset(key_results={"q": ["good", "poor", "excellent"]}, data_types={"q": "ordinal"})
    assert ordinal.get_categorical_values("q") == ["poor", "good", "excellent"]
    with pytest.raises(ValueError):
        SimulationExperimentDataset(key_results={"n": [1, -2]}, data_types={"n": "count"})


def test_consistency_report():
    ds = SimulationExperimentDataset(key_results={"a": [1, None, 3], "b": [1, 2]}, agent_names=["x", None, "z"])
    problems = ds.validate_data_consistency()
    assert any("inconsistent lengths" in p for p in problems)
    assert any(p.startswith("WARNING:") and "None" in p for p in problems)


def test_validate_takes_plain_dicts():
    control = {"name": "humans", "key_results": {"liking": [5.0, 6.0, 5.5, 6.5, 5.2, 4.8]}}
    treatment = {"name": "sim", "key_results": {"liking": [5.1, 6.2, 5.4, 6.1, 5.0, 4.9]}}
    result = validate_simulation_experiment_empirically(control, treatment)
    assert result.control_name == "humans" and 0.5 < result.overall_score <= 1.0
    tests = result.statistical_results["test_results"]["treatment"]["liking"]
    assert tests["significant"] is False and result.statistical_results["test_type"] == "welch_t_test"
    report = validate_simulation_experiment_empirically(control, treatment, output_format="report")
    assert "liking" in report


def test_categorical_comparison_uses_labels_not_each_sides_numbers():
    real = SimulationExperimentDataset(key_results={"pick": ["A", "B", "C", "C"]})
    sim = SimulationExperimentDataset(key_results={"pick": ["C", "C", "A", "B"]})  # same shares
    only_c = SimulationExperimentDataset(key_results={"pick": ["C", "C", "C", "C"]})  # "c" -> 0 on its side
    validator = V()
    assert validator.validate(real, sim).distribution_results["pick"]["score"] == pytest.approx(1.0)
    assert validator.validate(real, only_c).distribution_results["pick"]["score"] == pytest.approx(0.5)


def test_statistical_tester_takes_the_originals_nested_form_and_results_key():
    control = {"control_exp": {"m": [5.0, 6.0, 5.5, 6.5, 5.2]}}
    treatments = {"t1": {"m": [6.8, 7.2, 6.9, 7.5, 7.1]}}
    nested = StatisticalTester(control, treatments).run_test("welch_t_test")
    flat = StatisticalTester({"m": control["control_exp"]["m"]}, treatments).run_test("welch_t_test")
    assert nested["t1"]["m"]["p_value"] == flat["t1"]["m"]["p_value"] < 0.05
    assert nested["t1"]["m"]["control_sample_size"] == 5 and "t-test" in nested["t1"]["m"]["test_type"]
    keyed = StatisticalTester({"control_exp": {"results": control["control_exp"]}},
                              {"t1": {"results": treatments["t1"]}}, results_key="results").run_test()
    assert keyed["t1"]["m"]["p_value"] == nested["t1"]["m"]["p_value"]
    with pytest.raises(ValueError, match="exactly one experiment"):
        StatisticalTester({"a": {"m": [1.0]}, "b": {"m": [2.0]}}, treatments)


def test_in_place_runner_config_path_is_a_string(tmp_path):
    runner = InPlaceExperimentRunner(tmp_path / "exp.json")
    assert isinstance(runner.config_file_path, str) and (tmp_path / "exp.json").exists()


def test_recommendations_for_improvement_continues_the_judges_conversation(scripted):
    agent = TinyPerson("Rita")
    agent.think("I will praise the product.")
    proposition = Proposition("Rita is critical of the product.", target=agent)
    with pytest.raises(ValueError, match="check\\(\\) or score\\(\\)"):
        proposition.recommendations_for_improvement()
    scripted.queue({"reasoning": "r", "value": False, "justification": "she praised it", "confidence": 0.9},
                   "Point out one weakness of the product.")
    assert proposition.check() is False
    advice = proposition.recommendations_for_improvement()
    assert advice == "Point out one weakness of the product."
    assert "recommendations" in scripted.last_prompt()
