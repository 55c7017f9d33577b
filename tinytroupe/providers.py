"""What a lower layer uses and a higher layer provides, so that imports only point down.

An agent's quality checks score with propositions (``validation``), an intervention judges a
text precondition with a ``Proposition`` (``experimentation``), a restored tool rebuilds its
exporter and enricher (``extraction``, ``enrichment``). The lower layer asks for the thing by
name (:func:`need`); the package's ``__init__``, which sits above every layer, registers where
each one comes from (:func:`provide`), as a function called on first use, so nothing heavy is
imported before it is needed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tinytroupe.errors import TinyTroupeError

__all__ = ["provide", "need", "provided"]

_lock = threading.Lock()
_makers: dict[str, Callable[[], Any]] = {}
_made: dict[str, Any] = {}


def provide(name: str, maker: Callable[[], Any]) -> None:
    """Register ``maker()`` as what :func:`need` returns for ``name`` (called once, on first need)."""
    with _lock:
        _makers[name] = maker
        _made.pop(name, None)


def need(name: str) -> Any:
    """What was provided as ``name``; a clear error when nothing was."""
    try:
        return _made[name]
    except KeyError:
        pass
    with _lock:
        maker = _makers.get(name)
    if maker is None:
        raise TinyTroupeError(f"nothing provides {name!r}: import tinytroupe (the package registers it) or "
                              f"call tinytroupe.providers.provide({name!r}, ...)")
    value = maker()
    with _lock:
        _made[name] = value
    return value


def provided() -> list[str]:
    """The names registered so far."""
    with _lock:
        return sorted(_makers)
