"""Restoring saved memory safely: anything malformed becomes a StateError that names the part."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from tinytroupe.errors import StateError

__all__ = ["restores"]

F = TypeVar("F", bound=Callable[..., Any])


def restores(what: str) -> Callable[[F], F]:
    """Decorate a ``from_state``/``load_state``: malformed data raises :class:`StateError` naming ``what``."""
    def wrap(method: F) -> F:
        @functools.wraps(method)
        def restore(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except StateError:
                raise
            except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
                raise StateError(f"{what} state is not valid ({type(exc).__name__}: {exc}); restore it from an "
                                 "unmodified saved agent.") from None
        return restore  # type: ignore[return-value]
    return wrap
