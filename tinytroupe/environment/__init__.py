"""Environments: worlds where agents meet, act in steps under a clock, and hear each other."""

from typing import Any

from tinytroupe import providers
from tinytroupe.environment.tiny_social_network import TinySocialNetwork
from tinytroupe.environment.tiny_world import TinyWorld

__all__ = ["TinyWorld", "TinySocialNetwork", "Intervention"]


def __getattr__(name: str) -> Any:
    # ``Intervention`` lives in tinytroupe.steering (above this layer); this path is kept for scripts
    if name == "Intervention":
        return providers.need("Intervention")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
