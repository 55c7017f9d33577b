"""``@config_defaults(param="setting")``: a parameter left at None takes a setting's current value.

The decorator users of TinyTroupe know (``@config_manager.config_defaults(...)`` there)::

    @config_defaults(max_content_length="max_content_display_length")
    def show(text, max_content_length=None): ...

The value is read at each call, so ``config_manager.update`` is seen by later calls; an
argument given explicitly (anything but None) wins. Works on plain and ``async`` functions and
methods. A mapping that names an unknown setting or parameter is an error at decoration time.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from tinytroupe.errors import ConfigError

__all__ = ["config_defaults"]

F = TypeVar("F", bound=Callable[..., Any])


def _check(func: Callable[..., Any], mappings: dict[str, str], signature: inspect.Signature) -> None:
    from tinytroupe.config import SETTINGS

    known = {s.name for s in SETTINGS}
    for param, setting in mappings.items():
        if param not in signature.parameters:
            raise ConfigError(f"config_defaults on {func.__qualname__}: it has no parameter {param!r}.")
        if setting.lower() not in known:
            raise ConfigError(f"config_defaults on {func.__qualname__}: {setting!r} is not a setting; "
                              "see the config.ini reference in README.md.")


def config_defaults(**mappings: str) -> Callable[[F], F]:
    """Fill each parameter named in ``mappings`` from its setting when the caller leaves it None."""

    def decorate(func: F) -> F:
        signature = inspect.signature(func)
        _check(func, mappings, signature)

        def filled(args: tuple, kwargs: dict) -> inspect.BoundArguments:
            from tinytroupe.config import config_manager

            bound = signature.bind(*args, **kwargs)
            for param, setting in mappings.items():
                if bound.arguments.get(param) is None:
                    bound.arguments[param] = config_manager.get(setting)
            return bound

        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                bound = filled(args, kwargs)
                return await func(*bound.args, **bound.kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = filled(args, kwargs)
            return func(*bound.args, **bound.kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
