"""Steering: interventions and stories that change agents or worlds while a simulation runs."""

from tinytroupe.steering.intervention import Intervention, InterventionBatch
from tinytroupe.steering.story import TinyStory

__all__ = ["Intervention", "InterventionBatch", "TinyStory"]
