"""Experiments: propositions, blind A/B presentation, statistics, and runners for control and treatment arms.

Names as in TinyTroupe (``Proposition``, ``check_proposition``, ``compute_score``,
``ABRandomizer``, ``InPlaceExperimentRunner``, ``StatisticalTester``), plus
:class:`ExperimentRunner`, which forks a world or population into arms and runs them
concurrently in one process, over several seeds, resumably.
"""

from __future__ import annotations

from typing import Any

from tinytroupe.experimentation.in_place_experiment_runner import InPlaceExperimentRunner
from tinytroupe.experimentation.judge import reset_default_judge, resolve_judge, set_default_judge
from tinytroupe.experimentation.proposition import (
    Proposition,
    acheck_proposition,
    acompute_score,
    check_proposition,
    compute_score,
)
from tinytroupe.experimentation.randomization import ABRandomizer
from tinytroupe.experimentation.statistical_tests import StatisticalTester

__all__ = ["Proposition", "check_proposition", "compute_score", "acheck_proposition", "acompute_score",
           "ABRandomizer", "InPlaceExperimentRunner", "StatisticalTester", "ExperimentRunner", "Arm",
           "ExperimentResult", "set_default_judge", "reset_default_judge", "resolve_judge"]

_LAZY = {"ExperimentRunner": "tinytroupe.experimentation.runner", "Arm": "tinytroupe.experimentation.runner",
         "ExperimentResult": "tinytroupe.experimentation.runner"}


def __getattr__(name: str) -> Any:
    # the runner builds worlds; imported on first use so agents can import propositions cheaply
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tinytroupe.experimentation' has no attribute {name!r}")
