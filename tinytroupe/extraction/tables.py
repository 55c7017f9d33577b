"""Results as tables: plain records first, CSV and JSON files, pandas DataFrames on request.

Every CSV cell we write is safe to open in a spreadsheet: a text that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return (which a spreadsheet would run as a formula) gets a
leading single quote (the OWASP rule); numbers, and texts that are plain numbers (``-3``), stay
as they are.

pandas is in the ``analysis`` extra; without it, :func:`require_pandas` raises
:class:`~tinytroupe.errors.MissingExtraError` naming the install.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tinytroupe.errors import MissingExtraError

__all__ = ["require_pandas", "records_from_extractions", "columns_of", "to_dataframe", "write_csv", "write_json", "write_text",
           "csv_text", "neutralise_formula"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

ANALYSIS_INSTALL = 'pip install "tinytroupe[analysis]"'


def require_pandas() -> Any:
    """The pandas module, or a :class:`MissingExtraError` that says how to install it."""
    try:
        import pandas
    except ImportError:
        raise MissingExtraError(f"this returns a pandas DataFrame, and pandas is not installed: run {ANALYSIS_INSTALL} "
                                "(or use the plain-data twin, which returns a list of dicts)") from None
    return pandas


def records_from_extractions(extractions: Mapping[str, Any], name_column: str = "name") -> list[dict[str, Any]]:
    """One row per agent from ``{agent name: result}`` (results that are not objects go in ``value``)."""
    rows = []
    for name, result in extractions.items():
        row: dict[str, Any] = {name_column: name}
        if isinstance(result, Mapping):
            row.update({k: v for k, v in result.items() if k != name_column})
        else:
            row["value"] = result
        rows.append(row)
    return rows


def columns_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every key that appears in ``rows``, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(str(key), None)
    return list(seen)


def _is_number(text: str) -> bool:
    if text != text.strip():
        return False
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def neutralise_formula(value: Any) -> Any:
    """``value`` as a spreadsheet will not run it: a text starting like a formula gets a leading
    ``'``; numbers, and texts that are numbers (``"-3"``), are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return neutralise_formula(json.dumps(value, ensure_ascii=False))
    return "" if value is None else neutralise_formula(value)


def csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """The rows as CSV text (lists and objects as JSON in their cell)."""
    columns = list(columns or columns_of(rows))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writerow({c: neutralise_formula(c) for c in columns})  # a header can come from a model too
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return out.getvalue()


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` (UTF-8) atomically: a crash leaves the old file or the new one."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_csv(rows: Sequence[Mapping[str, Any]], path: str | os.PathLike, columns: Sequence[str] | None = None) -> Path:
    """Write the rows to ``path`` as CSV, atomically."""
    return write_text(path, csv_text(rows, columns))


def write_json(data: Any, path: str | os.PathLike) -> Path:
    """Write ``data`` to ``path`` as indented JSON, atomically."""
    return write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def to_dataframe(rows: Sequence[Any], columns: Sequence[str] | None = None) -> Any:
    """A pandas DataFrame of ``rows`` (dicts, or sequences matching ``columns``)."""
    pandas = require_pandas()
    return pandas.DataFrame(list(rows), columns=list(columns) if columns is not None else None)
