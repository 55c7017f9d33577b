"""Errors and usage crossing between workers and the driver as plain data.

A shard that fails on a worker sends its error back as a dict (type, message, fields) and the
driver raises the same tinytroupe error type with the same fields (a budget refusal stays a
:class:`~tinytroupe.llm.budget.BudgetExceededError` naming its setting). Usage snapshots of
workers are added into the driver's :class:`~tinytroupe.llm.wrappers.usage.UsageStats`.
"""

from __future__ import annotations

from typing import Any

from tinytroupe import errors
from tinytroupe.llm.budget import BudgetExceededError
from tinytroupe.llm.wrappers.usage import Tally, UsageStats

__all__ = ["error_to_data", "error_from_data", "add_usage", "WorkerError"]

_FIELDS = ("status", "retry_after", "budget", "limit", "spent", "usage", "agent", "last_text", "errors")


class WorkerError(errors.TinyTroupeError):
    """A shard failed on a worker with an error that is not one of tinytroupe's own."""


def error_to_data(exc: BaseException) -> dict[str, Any]:
    """``exc`` as plain data: its type name, message and known fields."""
    data: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    for name in _FIELDS:
        if hasattr(exc, name):
            data[name] = getattr(exc, name)
    return data


def error_from_data(data: dict[str, Any], where: str) -> BaseException:
    """The exception :func:`error_to_data` described (``where`` names the worker for others)."""
    kind, message = data.get("type"), str(data.get("message", ""))
    if kind == "BudgetExceededError":
        return BudgetExceededError(message, budget=data.get("budget", ""), limit=data.get("limit", 0),
                                   spent=data.get("spent", 0), usage=data.get("usage") or {},
                                   agent=data.get("agent"))
    cls = getattr(errors, str(kind), None)
    if isinstance(cls, type) and issubclass(cls, errors.TinyTroupeError):
        try:
            if issubclass(cls, errors.ProviderError):
                return cls(message, status=data.get("status"), retry_after=data.get("retry_after"))
            if issubclass(cls, errors.StructuredOutputError):
                return cls(message, last_text=data.get("last_text"), errors=data.get("errors"))
            return cls(message)
        except TypeError:
            pass
    return WorkerError(f"{where}: {kind}: {message}")


def _tally_from(data: dict[str, Any]) -> Tally:
    fields = {k: data.get(k, 0) or 0 for k in ("calls", "cached_calls", "retries", "repairs", "failures",
                                              "input_tokens", "output_tokens", "cached_input_tokens",
                                              "cached_output_tokens", "unpriced_calls")}
    return Tally(cost=float(data.get("cost") or 0.0), **fields)


def _add(into: Tally, other: Tally) -> None:
    for name in ("calls", "cached_calls", "retries", "repairs", "failures", "input_tokens", "output_tokens",
                 "cached_input_tokens", "cached_output_tokens", "unpriced_calls", "cost"):
        setattr(into, name, getattr(into, name) + getattr(other, name))


def add_usage(stats: UsageStats, snapshot: dict[str, Any]) -> None:
    """Add a worker's usage snapshot into ``stats`` (total, per model, per purpose, per tag)."""
    with stats._lock:
        _add(stats.total, _tally_from(snapshot.get("total") or {}))
        for table, key in ((stats.by_model, "by_model"), (stats.by_purpose, "by_purpose")):
            for name, data in (snapshot.get(key) or {}).items():
                _add(table.setdefault(name, Tally()), _tally_from(data))
        for tag, values in (snapshot.get("by_tag") or {}).items():
            slot = stats.by_tag.setdefault(tag, {})
            for value, data in values.items():
                _add(slot.setdefault(value, Tally()), _tally_from(data))
        for key, value in (snapshot.get("info") or {}).items():
            stats.info.setdefault(key, value)
