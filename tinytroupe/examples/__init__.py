"""Example personas, fragments and demography files written for this project, shipped as package data.

The builder and loader names are TinyTroupe's: ``create_lisa_the_data_scientist()`` (and
Oscar, Marcos, Lila, each with a ``_2`` variant built by ``define`` calls),
``load_example_agent_specification("Lisa")`` and ``load_example_fragment_specification(...)``
(dicts for ``TinyPerson.load_specification`` / ``import_fragment``), ``list_example_agents()``
and ``list_example_fragments()``. ``load_example_agent`` builds any example by short name;
``example_population_path("usa")`` gives a demography file for the factory.
"""

from tinytroupe.examples.builders import (
    create_lila_the_linguist,
    create_lila_the_linguist_2,
    create_lisa_the_data_scientist,
    create_lisa_the_data_scientist_2,
    create_marcos_the_physician,
    create_marcos_the_physician_2,
    create_oscar_the_architect,
    create_oscar_the_architect_2,
    load_example_agent,
)
from tinytroupe.examples.loaders import (
    example_agent_path,
    example_fragment_path,
    example_population_path,
    list_example_agents,
    list_example_fragments,
    list_example_populations,
    load_example_agent_specification,
    load_example_fragment_specification,
)

__all__ = [
    "list_example_agents",
    "list_example_fragments",
    "list_example_populations",
    "load_example_agent",
    "load_example_agent_specification",
    "load_example_fragment_specification",
    "example_agent_path",
    "example_fragment_path",
    "example_population_path",
    "create_lisa_the_data_scientist",
    "create_lisa_the_data_scientist_2",
    "create_oscar_the_architect",
    "create_oscar_the_architect_2",
    "create_marcos_the_physician",
    "create_marcos_the_physician_2",
    "create_lila_the_linguist",
    "create_lila_the_linguist_2",
]
