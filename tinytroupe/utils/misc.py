"""Small helpers under the names users of TinyTroupe import from ``tinytroupe.utils``.

``dedent``, ``fresh_id``/``reset_fresh_id``, ``name_or_empty``, ``pretty_datetime``,
``break_text_at_length``, ``merge_dicts``, ``custom_hash``, ``repeat_on_error``,
``read_config_file`` and ``start_logger``; the RAI
helper ``add_rai_template_variables_if_enabled`` lives in :mod:`tinytroupe.prompts.rai`.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import textwrap
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from tinytroupe.errors import SpecificationError
from tinytroupe.runtime import current_runtime

__all__ = ["dedent", "fresh_id", "reset_fresh_id", "name_or_empty", "pretty_datetime", "break_text_at_length",
           "merge_dicts", "custom_hash", "repeat_on_error", "try_function"]

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

_lock = threading.Lock()


def _counters() -> dict[str, itertools.count]:
    """Scope -> the counter of :func:`fresh_id` (in the current runtime)."""
    return current_runtime().part("utils.counters", dict)


def dedent(text: str) -> str:
    """``text`` without its common indentation and surrounding blank lines."""
    return textwrap.dedent(text).strip()


def fresh_id(scope: str = "default") -> int:
    """1, 2, 3... for each ``scope`` (a class name, say), in the current runtime."""
    with _lock:
        return next(_counters().setdefault(scope, itertools.count(1)))


def reset_fresh_id() -> None:
    """Start every :func:`fresh_id` scope from 1 again."""
    with _lock:
        _counters().clear()


def name_or_empty(named_entity: Any) -> str:
    """The ``name`` of an agent or world, or ``""`` for None."""
    return "" if named_entity is None else named_entity.name


def pretty_datetime(dt: datetime | None) -> str:
    """``2024-10-01 09:30``; empty for None."""
    return "" if dt is None else dt.strftime("%Y-%m-%d %H:%M")


def break_text_at_length(text: Any, max_length: int | None = None) -> str:
    """``text`` (a dict or list is shown as JSON-like text) cut to ``max_length`` characters,
    with an ellipsis where it was cut."""
    if isinstance(text, (dict, list)):
        import json

        text = json.dumps(text, indent=2, ensure_ascii=False)
    text = str(text)
    if max_length is None or len(text) <= max_length:
        return text
    return text[:max_length] + " (...)"


def merge_dicts(current: dict, additions: dict, overwrite: bool = False, error_on_conflict: bool = True) -> dict:
    """A new dict: ``additions`` merged into ``current``; nested dicts merge, lists are joined
    without duplicates. Different scalars at the same place: replaced with ``overwrite``, else an
    error with ``error_on_conflict``, else the current value is kept."""
    out = dict(current or {})
    for key, value in (additions or {}).items():
        old = out.get(key)
        if old is None:
            out[key] = value
        elif isinstance(old, dict) and isinstance(value, dict):
            out[key] = merge_dicts(old, value, overwrite, error_on_conflict)
        elif isinstance(old, list) or isinstance(value, list):
            joined = list(old) if isinstance(old, list) else [old]
            joined += [v for v in (value if isinstance(value, list) else [value]) if v not in joined]
            out[key] = joined
        elif old != value:
            if overwrite:
                out[key] = value
            elif error_on_conflict:
                raise SpecificationError(f"merge_dicts: {key!r} is {old!r} in one dict and {value!r} in the other; "
                                         "pass overwrite=True or error_on_conflict=False")
    return out


def custom_hash(obj: Any) -> str:
    """A deterministic hex digest of ``str(obj)`` (unlike ``hash()``, the same in every process)."""
    return hashlib.sha256(str(obj).encode("utf-8")).hexdigest()


def repeat_on_error(retries: int, exceptions: Iterable[type[BaseException]]) -> Callable[[F], F]:
    """Retry the decorated function up to ``retries`` times when it raises one of ``exceptions``;
    the last failure propagates."""
    caught = tuple(exceptions)

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(1, max(1, retries) + 1):
                try:
                    return func(*args, **kwargs)
                except caught as exc:
                    if attempt >= retries:
                        raise
                    logger.debug("%s failed (%s); attempt %d of %d", func.__qualname__, exc, attempt + 1, retries)
            return None

        return wrapper  # type: ignore[return-value]

    return decorate


def try_function(func: Callable[[], Any], postcond_func: Callable[[Any], bool] | None = None, retries: int = 5,
                 exceptions: Iterable[type[BaseException]] = (Exception,)) -> Any:
    """``func()``, called again (up to ``retries`` times in all) while it raises one of ``exceptions``
    or its result fails ``postcond_func``; the last error propagates, or a ``ValueError`` when the
    condition never held."""
    caught = tuple(exceptions)
    for attempt in range(1, max(1, retries) + 1):
        try:
            result = func()
        except caught:
            if attempt >= retries:
                raise
            continue
        if postcond_func is None or postcond_func(result):
            return result
        logger.debug("try_function: result failed its postcondition (attempt %d of %d)", attempt, retries)
    raise ValueError(f"try_function: no result met the postcondition after {retries} attempts")
