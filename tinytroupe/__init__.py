"""tinytroupe: simulate people with LLM-driven agents, for productive work.

The public API is listed in ``__all__``. Names are resolved on first use, so importing the
package is quick and has no side effects: it prints nothing, writes nothing and opens no
connection.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_PUBLIC: dict[str, str] = {
    "config_manager": "tinytroupe.config",
    "TinyTroupeError": "tinytroupe.errors",
}

__all__ = ["__version__", *sorted(_PUBLIC)]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'tinytroupe' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
