"""tinytroupe: simulate people with LLM-driven agents, for productive work.

The public API is listed in ``__all__``. Names are resolved on first use, so importing the
package is quick and has no side effects: it prints nothing, writes nothing and opens no
connection.
"""

from __future__ import annotations

import importlib
from typing import Any

from tinytroupe import wiring as _wiring  # noqa: F401 - the higher layers register with the lower ones

__version__ = "0.1.0"

# public name -> module that defines it
_PUBLIC: dict[str, str] = {
    "config_manager": "tinytroupe.config",
    "TinyTroupeError": "tinytroupe.errors",
    "TinyPerson": "tinytroupe.agent",
    "TinyWorld": "tinytroupe.environment",
    "TinySocialNetwork": "tinytroupe.environment",
    "Intervention": "tinytroupe.steering",
    "TinyPersonFactory": "tinytroupe.factory",
    "ScriptedModel": "tinytroupe.llm",
    "default_model": "tinytroupe.llm",
    "set_default_model": "tinytroupe.llm",
    "usage_stats": "tinytroupe.llm",
}

# subpackages users of TinyTroupe reach as attributes (``tinytroupe.control.begin()``)
_SUBMODULES = {"control", "events", "llm", "openai_utils", "examples", "agent", "environment",
               "factory", "steering", "config", "errors", "utils", "extraction", "profiling", "report",
               "validation", "experimentation", "enrichment", "tools", "clients", "ui", "story"}

__all__ = ["__version__", *sorted(_PUBLIC)]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"tinytroupe.{name}")
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'tinytroupe' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
