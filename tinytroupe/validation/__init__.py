"""Validation: judging simulated people and comparing simulated results with real ones.

- :class:`TinyPersonValidator`: interviews a (forked) person and scores it against expectations;
- :mod:`tinytroupe.validation.propositions`: ready-made propositions (persona adherence, fluency...);
- :class:`SimulationExperimentDataset`, :class:`SimulationExperimentEmpiricalValidator`,
  :func:`validate_simulation_experiment_empirically`: simulated vs empirical distributions;
- :mod:`tinytroupe.validation.distribution`: sd ratio, KS, Wasserstein and representativeness.
"""

from __future__ import annotations

from tinytroupe.experimentation.proposition import Proposition, check_proposition, compute_score
from tinytroupe.validation.dataset import SimulationExperimentDataset
from tinytroupe.validation.simulation_validator import (
    SimulationExperimentEmpiricalValidationResult,
    SimulationExperimentEmpiricalValidator,
    validate_simulation_experiment_empirically,
)
from tinytroupe.validation.tiny_person_validator import TinyPersonValidator

__all__ = ["Proposition", "check_proposition", "compute_score", "TinyPersonValidator",
           "SimulationExperimentDataset", "SimulationExperimentEmpiricalValidator",
           "SimulationExperimentEmpiricalValidationResult", "validate_simulation_experiment_empirically"]
