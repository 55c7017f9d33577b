"""User interfaces over events: the rich console renderer and Jupyter display helpers.

Names load on first use, so ``from tinytroupe.ui import AgentChatJupyterWidget`` works without
the console's or the notebook's optional packages; the widget names the install it needs
(``pip install "tinytroupe[jupyter]"``) only when it is built.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["ConsoleRenderer", "enable", "disable", "install_default_renderer", "is_enabled", "AgentChatJupyterWidget"]

_HOMES = {"ConsoleRenderer": "console", "enable": "console", "disable": "console",
          "install_default_renderer": "console", "is_enabled": "console",
          "AgentChatJupyterWidget": "jupyter_widgets"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'tinytroupe.ui' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"tinytroupe.ui.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
