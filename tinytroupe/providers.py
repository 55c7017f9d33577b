"""What a lower layer uses and a higher layer provides, so that imports only point down.

An agent's quality checks score with propositions (``validation``), an intervention judges a
text precondition with a ``Proposition`` (``experimentation``), a restored tool rebuilds its
exporter and enricher (``extraction``, ``enrichment``). The lower layer asks for the thing by
name (:func:`need`); the package's ``__init__``, which sits above every layer, registers where
each one comes from (:func:`provide`), as a function called on first use, so nothing heavy is
imported before it is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tinytroupe import extensions
from tinytroupe.errors import TinyTroupeError

__all__ = ["provide", "need", "provided"]

_MAKER, _MADE = "provider", "provided"  # kinds in the extension registry: the maker, what it made
_NOTHING = object()


def provide(name: str, maker: Callable[[], Any]) -> None:
    """Register ``maker()`` as what :func:`need` returns for ``name`` (called once, on first need)."""
    extensions.register(_MAKER, name, maker)
    extensions.unregister(_MADE, name)


def need(name: str) -> Any:
    """What was provided as ``name``; a clear error when nothing was."""
    value = extensions.lookup(_MADE, name, _NOTHING)
    if value is not _NOTHING:
        return value
    maker = extensions.lookup(_MAKER, name)
    if maker is None:
        raise TinyTroupeError(f"nothing provides {name!r}: import tinytroupe (the package registers it) or "
                              f"call tinytroupe.providers.provide({name!r}, ...)")
    return extensions.register(_MADE, name, maker())


def provided() -> list[str]:
    """The names registered so far."""
    return sorted(extensions.table(_MAKER))
