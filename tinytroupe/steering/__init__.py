"""Steering: interventions that change agents or worlds while a simulation runs."""

from tinytroupe.steering.intervention import Intervention, InterventionBatch

__all__ = ["Intervention", "InterventionBatch"]
