"""Statistics and empirical validation with the data shapes of TinyTroupe's documentation."""

import csv

from tinytroupe.examples import (
    create_lisa_the_data_scientist,
    create_marcos_the_physician,
    create_oscar_the_architect,
)
from tinytroupe.experimentation import StatisticalTester
from tinytroupe.utils import LLMChat
from tinytroupe.validation import (
    SimulationExperimentDataset,
    SimulationExperimentEmpiricalValidator,
    validate_simulation_experiment_empirically,
)

# the control is one named experiment; treatments are keyed by name
control = {"control_exp": {"purchase_intent": [5.0, 6.0, 5.5, 6.5, 5.2, 5.8],
                           "satisfaction": [3.1, 3.4, 2.9, 3.3, 3.0, 3.2]}}
treatments = {"new_packaging": {"purchase_intent": [6.8, 7.2, 6.9, 7.5, 7.1, 6.7],
                                "satisfaction": [3.2, 3.3, 3.0, 3.4, 3.1, 3.1]}}
tester = StatisticalTester(control, treatments)
results = tester.run_test(test_type="welch_t_test", alpha=0.05)
intent = results["new_packaging"]["purchase_intent"]
print(f"purchase intent: p={intent['p_value']:.4f}, effect size={intent['effect_size']:.2f}")
assert intent["significant"] and not results["new_packaging"]["satisfaction"]["significant"]

keyed = StatisticalTester({"control_exp": {"results": control["control_exp"]}},
                          {"new_packaging": {"results": treatments["new_packaging"]}}, results_key="results")
assert keyed.run_test()["new_packaging"]["purchase_intent"]["p_value"] == intent["p_value"]

# empirical data from a survey file, as a researcher would export it
with open("survey.csv", "w", newline="", encoding="utf-8") as fh:
    writer = csv.writer(fh)
    writer.writerow(["respondent_id", "rating", "comment", "age", "ranking"])
    for i, (rating, comment, age, order) in enumerate([(4, "good value", 31, "Price-Taste-Brand"),
                                                       (5, "love it", 42, "Taste-Price-Brand"),
                                                       (3, "too sweet", 27, "Brand-Taste-Price"),
                                                       (4, "nice", 55, "Taste-Brand-Price"),
                                                       (2, "pricey", 38, "Price-Brand-Taste")]):
        writer.writerow([f"R{i + 1}", rating, comment, age, order])

empirical = SimulationExperimentEmpiricalValidator.read_empirical_data_from_csv(
    "survey.csv", experimental_data_type="single_value_per_agent", agent_id_column="respondent_id",
    agent_comments_column="comment", agent_attributes_columns=["age"], value_column="rating",
    dataset_name="Human survey")
print(empirical.get_metric_summary("rating"))
assert empirical.get_agent_name(0) == "R1" and empirical.key_results["rating"] == [4, 5, 3, 4, 2]

validator, rankings = SimulationExperimentEmpiricalValidator.create_from_csv(
    "survey.csv", experimental_data_type="ordinal_ranking_per_agent", ordinal_ranking_column="ranking")
assert sorted(rankings.key_results) == ["Brand_rank", "Price_rank", "Taste_rank"]

# simulated ratings: each person rates the product on the same 1-5 scale
ratings = []
for person in (create_lisa_the_data_scientist(), create_oscar_the_architect(), create_marcos_the_physician()):
    chat = LLMChat(system_prompt=f"You are {person.minibio()}", output_type=int,
                   user_prompt="On a scale of 1 to 5, how much would you like a bottled gazpacho?")
    value = chat.call()
    ratings.append(min(5, max(1, value)) if isinstance(value, int) else 3)
simulated = SimulationExperimentDataset(name="Simulation", key_results={"rating": ratings},
                                        result_types={"rating": "per_agent"})
result = validator.validate(empirical, simulated, validation_types=["statistical"])
print(f"overall score: {result.overall_score:.3f}")
assert 0.0 <= result.overall_score <= 1.0 and "rating" in result.statistical_results["common_metrics"]

report = validate_simulation_experiment_empirically(
    {"name": "Human survey", "key_results": {"would_buy": ["Yes", "No", "Yes", "Yes"]}},
    {"name": "Simulation", "key_results": {"would_buy": ["yes", "yes", "no", "yes"]}},
    validation_types=["statistical"], output_format="report")
assert "would_buy" in report
print("statistics and empirical validation: ok")
