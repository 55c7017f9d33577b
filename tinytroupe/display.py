"""Turning the console display on when it is wanted, without lower layers importing the UI.

Agents and worlds call :func:`request_display` when they start working. It runs the display
installer the UI layer registered (:func:`register_ui`; the package's ``__init__`` registers
:mod:`tinytroupe.ui.console`'s) once, if the ``DISPLAY`` setting is ``on``, or ``auto`` and the
process is interactive (a terminal or Jupyter). :func:`show_text` prints text the user asked
for (``pp_current_interactions``) through the UI's printer. Turning the display off globally:
``tinytroupe.ui.console.disable()`` or ``DISPLAY = off``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from tinytroupe import extensions
from tinytroupe.runtime import current_runtime

__all__ = ["request_display", "display_wanted", "is_interactive", "register_ui", "show_text"]

_lock = threading.Lock()
_KIND = "ui"  # in the extension registry: "install" (subscribe the console renderer), "print" (print text)
_REQUESTED = "display.requested"  # the runtime part set once the renderer was installed there


def register_ui(install: Callable[[], None], print_text: Callable[[str], None]) -> None:
    """The UI layer registers how to show events (``install``) and how to print text."""
    extensions.register(_KIND, "install", install)
    extensions.register(_KIND, "print", print_text)


def show_text(text: str) -> None:
    """Print ``text`` as it is, through the UI layer's printer (to standard output without one)."""
    printer = extensions.lookup(_KIND, "print")
    if printer is not None:
        printer(text)
    else:
        sys.stdout.write(text + "\n")


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
    from tinytroupe.config import config_manager  # on first use: importing this module stays free

    mode = config_manager.get("display")
    return mode == "on" or (mode == "auto" and is_interactive())


def request_display() -> None:
    """Install the console renderer once per runtime, if the configuration wants it; cheap after
    the first call."""
    runtime = current_runtime()
    if runtime.part(_REQUESTED):
        return
    with _lock:
        if runtime.part(_REQUESTED):
            return
        install = extensions.lookup(_KIND, "install")
        if not display_wanted() or install is None:
            return  # asked again later: the setting may change
        runtime.set_part(_REQUESTED, True)
    install()
