"""Environments: worlds where agents meet, act in steps under a clock, and hear each other."""

from tinytroupe.environment.tiny_social_network import TinySocialNetwork
from tinytroupe.environment.tiny_world import TinyWorld
from tinytroupe.steering.intervention import Intervention

__all__ = ["TinyWorld", "TinySocialNetwork", "Intervention"]
