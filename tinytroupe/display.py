"""Turning the console display on when it is wanted, without lower layers importing the UI.

Agents and worlds call :func:`request_display` when they start working. It installs the
console renderer (:mod:`tinytroupe.ui.console`) once, if the ``DISPLAY`` setting is ``on``,
or ``auto`` and the process is interactive (a terminal or Jupyter). Turning it off globally:
``tinytroupe.ui.console.disable()`` or ``DISPLAY = off``.
"""

from __future__ import annotations

import sys
import threading

from tinytroupe.config import config_manager

__all__ = ["request_display", "display_wanted", "is_interactive"]

_lock = threading.Lock()
_requested = False


def is_interactive() -> bool:
    """True in Jupyter/IPython or when standard output is a terminal."""
    ipython = sys.modules.get("IPython")
    if ipython is not None and getattr(ipython, "get_ipython", lambda: None)() is not None:
        return True
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def display_wanted() -> bool:
    """What the DISPLAY setting asks for in this process."""
    mode = config_manager.get("display")
    return mode == "on" or (mode == "auto" and is_interactive())


def request_display() -> None:
    """Install the console renderer once, if the configuration wants it; cheap after the first call."""
    global _requested
    if _requested:
        return
    with _lock:
        if _requested:
            return
        if not display_wanted():
            return  # asked again later: the setting may change
        _requested = True
    from tinytroupe.ui import console

    console.install_default_renderer()
