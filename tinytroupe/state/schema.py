"""Schemas of the documents tinytroupe reads back, checked before anything is restored.

Each kind of document (a saved world, an agent's state, an agent specification, a fragment,
a factory state, a checkpoint) has one schema here: the fields its loader reads, their types
and ranges. :func:`check_document` walks a loaded document against it and raises the
library's error naming the file, the field path (``world.agents[2].persona.name``) and what
was expected, before any object is changed, so a damaged or hand-edited file is refused whole
instead of half-loaded. :func:`loading` is the safety net around the restoring code itself: a
raw exception there still becomes a :class:`~tinytroupe.errors.StateError` naming the file.

Schemas are lenient where the format is open (extra keys are allowed; a persona holds any
fields) and strict where a loader indexes into a value.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinytroupe import extensions
from tinytroupe.errors import SpecificationError, StateError, TinyTroupeError

__all__ = ["Schema", "Mismatch", "FieldPath", "Str", "Int", "Num", "Bool", "Null", "AnyValue", "Enum", "Maybe", "ListOf", "Fixed",
           "MapOf", "Obj", "DOCUMENTS", "register_document", "check_document", "loading"]

FieldPath = tuple[str | int, ...]


class Mismatch(Exception):
    """Raised by :meth:`Schema.check` (and caught by :func:`check_document`): where and what was wrong."""

    def __init__(self, path: FieldPath, expected: str, value: Any):
        super().__init__(expected)
        self.path, self.expected, self.value = path, expected, value


def _got(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return {dict: "an object"}.get(type(value), type(value).__name__)


class Schema:
    """What one value must be; ``expected`` says it in words for messages."""

    expected = "a value"

    def check(self, value: Any, path: FieldPath) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass(frozen=True)
class AnyValue(Schema):
    expected: str = "any value"

    def check(self, value: Any, path: FieldPath) -> None:
        return None


@dataclass(frozen=True)
class Str(Schema):
    nonempty: bool = False

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "a non-empty string" if self.nonempty else "a string"

    def check(self, value: Any, path: FieldPath) -> None:
        if not isinstance(value, str) or (self.nonempty and not value.strip()):
            raise Mismatch(path, self.expected, value)


@dataclass(frozen=True)
class Int(Schema):
    low: int | None = None

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "a whole number" + (f" of at least {self.low}" if self.low is not None else "")

    def check(self, value: Any, path: FieldPath) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or (self.low is not None and value < self.low):
            raise Mismatch(path, self.expected, value)


@dataclass(frozen=True)
class Num(Schema):
    expected: str = "a finite number"

    def check(self, value: Any, path: FieldPath) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise Mismatch(path, self.expected, value)


@dataclass(frozen=True)
class Bool(Schema):
    expected: str = "true or false"

    def check(self, value: Any, path: FieldPath) -> None:
        if not isinstance(value, bool):
            raise Mismatch(path, self.expected, value)


@dataclass(frozen=True)
class Null(Schema):
    expected: str = "null"

    def check(self, value: Any, path: FieldPath) -> None:
        if value is not None:
            raise Mismatch(path, self.expected, value)


@dataclass(frozen=True)
class Enum(Schema):
    values: tuple[Any, ...] = ()

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(repr(v) for v in self.values)

    def check(self, value: Any, path: FieldPath) -> None:
        if isinstance(value, bool) or value not in self.values:
            raise Mismatch(path, self.expected, value)


@dataclass(frozen=True)
class Maybe(Schema):
    """``inner`` or null."""

    inner: Schema = field(default_factory=AnyValue)

    @property
    def expected(self) -> str:  # type: ignore[override]
        return f"{self.inner.expected} or null"

    def check(self, value: Any, path: FieldPath) -> None:
        if value is not None:
            self.inner.check(value, path)


@dataclass(frozen=True)
class ListOf(Schema):
    item: Schema = field(default_factory=AnyValue)
    what: str = ""

    @property
    def expected(self) -> str:  # type: ignore[override]
        return self.what or f"a list of {self.item.expected.removeprefix('a ').removeprefix('an ')}s"

    def check(self, value: Any, path: FieldPath) -> None:
        if not isinstance(value, list):
            raise Mismatch(path, self.expected, value)
        for i, item in enumerate(value):
            self.item.check(item, (*path, i))


@dataclass(frozen=True)
class Fixed(Schema):
    """A list of exactly these items, in order (a tuple stored as a list)."""

    items: tuple[Schema, ...] = ()
    what: str = "a fixed-length list"

    @property
    def expected(self) -> str:  # type: ignore[override]
        return f"{self.what} ({len(self.items)} items)"

    def check(self, value: Any, path: FieldPath) -> None:
        if not isinstance(value, list) or len(value) != len(self.items):
            raise Mismatch(path, self.expected, value)
        for i, (item, schema) in enumerate(zip(value, self.items, strict=True)):
            schema.check(item, (*path, i))


@dataclass(frozen=True)
class MapOf(Schema):
    """An object whose keys are any names and whose values all match ``value``."""

    value: Schema = field(default_factory=AnyValue)
    expected: str = "an object"

    def check(self, value: Any, path: FieldPath) -> None:
        if not isinstance(value, dict):
            raise Mismatch(path, self.expected, value)
        for key, item in value.items():
            self.value.check(item, (*path, str(key)))


@dataclass(frozen=True)
class Obj(Schema):
    """An object with ``required`` and ``optional`` fields (extra keys are allowed)."""

    required: Mapping[str, Schema] = field(default_factory=dict)
    optional: Mapping[str, Schema] = field(default_factory=dict)
    expected: str = "an object"

    def check(self, value: Any, path: FieldPath) -> None:
        if not isinstance(value, dict):
            raise Mismatch(path, self.expected, value)
        for name, schema in self.required.items():
            if name not in value:
                raise Mismatch((*path, name), f"{schema.expected} (the field is missing)", _MISSING)
            schema.check(value[name], (*path, name))
        for name, schema in self.optional.items():
            if name in value:
                schema.check(value[name], (*path, name))


_MISSING = object()


@dataclass(frozen=True)
class Document:
    """One kind of document: its schema, how to name it, what to do about a bad one."""

    schema: Schema
    what: str
    fix: str
    error: type[TinyTroupeError] = StateError


DOCUMENTS: dict[str, Document] = extensions.table("document")
"""Document kind -> :class:`Document`; :func:`register_document` adds one (the table lives in
:mod:`tinytroupe.extensions`)."""


def register_document(kind: str, schema: Schema, what: str, fix: str,
                      error: type[TinyTroupeError] = StateError) -> None:
    """Declare (or replace) the schema of document ``kind``."""
    extensions.register("document", kind, Document(schema, what, fix, error))


def format_path(path: FieldPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out or "(top level)"


def check_document(doc: Any, kind: str, source: str | Path | None = None, *, base: FieldPath = ()) -> None:
    """Raise the document kind's error (naming ``source``, the field and what was expected)
    unless ``doc`` matches the schema of ``kind``; ``base`` prefixes the field paths."""
    spec = DOCUMENTS[kind]  # the library's own kinds are declared when the package loads (state/documents.py)
    try:
        spec.schema.check(doc, base)
    except Mismatch as bad:
        where = f"{source}: " if source is not None else ""
        got = "nothing" if bad.value is _MISSING else _got(bad.value)
        raise spec.error(f"{where}the {spec.what} is not valid: field '{format_path(bad.path)}' is {got}, "
                         f"expected {bad.expected}; {spec.fix}") from None
    except RecursionError:
        raise spec.error(f"{source}: the {spec.what} is nested too deeply; {spec.fix}") from None


def _renamed(exc: TinyTroupeError, message: str) -> TinyTroupeError:
    """``exc``'s kind of error with ``message`` (a StateError where that kind takes more arguments)."""
    try:
        return type(exc)(message)
    except TypeError:
        return SpecificationError(message) if isinstance(exc, SpecificationError) else StateError(message)


_RAW = (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError, RecursionError)


@contextlib.contextmanager
def loading(source: str | Path | None, what: str, *, undo: Callable[[], None] | None = None,
            fix: str = "restore it from an unmodified copy") -> Iterator[None]:
    """Around code that restores objects from a document: on any failure, ``undo()`` runs (so
    nothing stays half-loaded) and the error names ``source``; raw exceptions become StateError."""
    try:
        yield
    except BaseException as exc:
        if undo is not None:
            undo()
        if not isinstance(exc, Exception):
            raise
        where = str(source) if source is not None else ""
        if isinstance(exc, TinyTroupeError):
            if not where or where in str(exc):
                raise
            raise _renamed(exc, f"{where}: {exc}") from None
        if isinstance(exc, _RAW):
            raise StateError(f"{where + ': ' if where else ''}the {what} cannot be restored "
                             f"({type(exc).__name__}: {exc}); {fix}") from None
        raise
