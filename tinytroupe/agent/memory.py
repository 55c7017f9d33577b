"""The original's module path for an agent's memory, ``tinytroupe.agent.memory``.

The classes live in :mod:`tinytroupe.memory` (episodic store, semantic memory, the base class,
memory processors); this module names them where TinyTroupe's users import them from.
``logger`` is the one its scripts patch to watch memory warnings.
"""

from __future__ import annotations

import logging

from tinytroupe import utils  # noqa: F401  (the original module namespace: tinytroupe.agent.memory.utils)
from tinytroupe.memory.base import TinyMemory
from tinytroupe.memory.episodic import OMISSION_NOTE, EpisodicMemory, MemoryEvent, Role, shared_event
from tinytroupe.memory.processors import EpisodicConsolidator, MemoryProcessor, ReflectionConsolidator
from tinytroupe.memory.semantic import SemanticMemory

logger = logging.getLogger("tinytroupe")

__all__ = ["MemoryEvent", "shared_event", "TinyMemory", "EpisodicMemory", "SemanticMemory", "EpisodicConsolidator",
           "ReflectionConsolidator", "MemoryProcessor", "Role", "OMISSION_NOTE"]
