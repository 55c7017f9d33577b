"""TinyTroupe's action generator module: here each turn is one structured call (:mod:`tinytroupe.agent.turn`).

Importing ``ActionGenerator`` or ``ActionRefusedException`` from here explains what to use instead.
"""

from tinytroupe.not_provided import module_getattr

__all__: list[str] = []

__getattr__ = module_getattr(__name__)
