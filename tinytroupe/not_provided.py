"""Names of TinyTroupe's API that this library leaves out on purpose, and what to use instead.

A module lists its missing names with :func:`module_getattr`; importing one then fails with an
``ImportError`` whose message says why and names the replacement, e.g.::

    >>> from tinytroupe.control import Transaction
    ImportError: Transaction is not part of tinytroupe: top-level calls are recorded by the running simulation...
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from tinytroupe import log_setup


def warn_once(key: str, message: str) -> None:
    """A ``UserWarning`` for an original call that works here a little differently, once per process."""
    if log_setup.first_time(("not_provided", key)):
        warnings.warn(message, UserWarning, stacklevel=3)

__all__ = ["NOT_PROVIDED", "module_getattr", "warn_once"]

NOT_PROVIDED: dict[str, dict[str, str]] = {
    "tinytroupe.control": {
        "Transaction": "top-level calls are recorded by the running simulation; mark your own methods with "
                       "@tinytroupe.control.transactional() instead of building transactions",
    },
}


def module_getattr(module_name: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` that explains the module's missing names (AttributeError otherwise)."""
    notes = NOT_PROVIDED.get(module_name, {})

    def __getattr__(name: str) -> Any:
        if name in notes:
            raise ImportError(f"{name} is not part of tinytroupe: {notes[name]}.", name=module_name)
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__
