"""Profiling a population with TinyTroupe's Profiler, its advanced analysis and report."""

import os

from tinytroupe.examples import (
    create_lila_the_linguist,
    create_lisa_the_data_scientist,
    create_marcos_the_physician,
    create_oscar_the_architect,
)
from tinytroupe.factory import TinyPersonFactory
from tinytroupe.profiling import Profiler

agents = [create_lisa_the_data_scientist(), create_oscar_the_architect(), create_marcos_the_physician(),
          create_lila_the_linguist()]
generated = TinyPersonFactory(context="Young professionals in Berlin.").generate_people(2)

profiler = Profiler(attributes=["age", "nationality", "occupation.title"])
profiler.profile(agents, plot=False, advanced_analysis=True)
print(profiler.attributes_distributions)
assert len(profiler.agents) == 4
assert profiler.analysis_results["demographics"]["population_size"] == 4
assert "persona_facets" in profiler.analysis_results and "correlations" in profiler.analysis_results

profiler.add_custom_analysis("adults", lambda people: sum(1 for p in people if (p.get("age") or 0) >= 18))
assert profiler.analysis_results["adults"] == 4

path = profiler.export_analysis_report("population_report.txt")
assert os.path.exists(path)
print(open(path, encoding="utf-8").read())

comparison = profiler.compare_populations(generated, attributes=["nationality", "age"])
print(comparison["attributes"]["nationality"])
assert comparison["population_sizes"] == [4, len(generated)]
print("profiler analyses: ok")
