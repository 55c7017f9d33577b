"""Reading empirical results (CSV files, DataFrames, row dicts) into a SimulationExperimentDataset.

Three layouts, as the original names them:

- ``single_value_per_agent``: one row per person, one value column (``value_column``, else the
  column whose name says vote/score/rating/value/response/answer, else the first numeric one);
- ``ranking_per_agent``: one column per ranked item holding its rank (``ranking_columns``, else
  every numeric column but the id);
- ``ordinal_ranking_per_agent``: one column (``ordinal_ranking_column``) holding each person's
  order, e.g. ``"B-A-C"`` with ``ordinal_ranking_separator="-"``; each option becomes a
  ``<option>_rank`` ranking metric.

Optional columns: ``agent_id_column`` (names; default ``Agent_1``...), ``agent_comments_column``
(justifications) and ``agent_attributes_columns`` (kept for inspection, not compared).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.validation.dataset import SimulationExperimentDataset
from tinytroupe.validation.dataset_types import plain

__all__ = ["dataset_from_rows", "dataset_from_csv", "dataset_from_dataframe", "LAYOUTS"]

LAYOUTS = ("single_value_per_agent", "ranking_per_agent", "ordinal_ranking_per_agent")
_VALUE_WORDS = ("vote", "score", "rating", "value", "response", "answer")
_RANKING_WORDS = ("ranking", "rank", "order", "preference", "choice")


def _cell(value: Any) -> Any:
    """A cell as a number when it reads as one (whole numbers as int), else stripped text; blanks as None."""
    value = plain(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numeric_columns(rows: list[dict[str, Any]], columns: list[str], skip: set[str]) -> list[str]:
    return [c for c in columns if c not in skip
            and all(_is_number(_cell(r.get(c))) or _cell(r.get(c)) is None for r in rows)
            and any(_is_number(_cell(r.get(c))) for r in rows)]


def _pick(columns: list[str], words: tuple[str, ...]) -> str | None:
    candidates = [c for c in columns if any(w in c.lower() for w in words)]
    return min(candidates, key=len) if candidates else None


def _missing(what: str, wanted: list[str], columns: list[str]) -> SpecificationError:
    return SpecificationError(f"{what} {wanted} not found; the columns are {columns}")


def _single_value(rows: list[dict[str, Any]], columns: list[str], value_column: str | None,
                  skip: set[str]) -> dict[str, Any]:
    column = value_column or _pick([c for c in columns if c not in skip], _VALUE_WORDS)
    if column is None:
        numeric = _numeric_columns(rows, columns, skip)
        if not numeric:
            raise SpecificationError("no value column found: pass value_column='<column>'")
        column = numeric[0]
    if column not in columns:
        raise _missing("value_column", [column], columns)
    return {"key_results": {column: [_cell(r.get(column)) for r in rows]}, "result_types": {column: "per_agent"}}


def _rank(value: Any) -> int | None:
    value = _cell(value)
    return int(value) if _is_number(value) else None


def _rankings(rows: list[dict[str, Any]], columns: list[str], ranking_columns: list[str] | None,
              skip: set[str]) -> dict[str, Any]:
    chosen = list(ranking_columns) if ranking_columns else _numeric_columns(rows, columns, skip)
    if not ranking_columns and len(chosen) < 2:
        raise SpecificationError("no ranking columns found: pass ranking_columns=['<item 1>', '<item 2>', ...]")
    absent = [c for c in chosen if c not in columns]
    if absent:
        raise _missing("ranking_columns", absent, columns)
    return {"key_results": {c: [_rank(r.get(c)) for r in rows] for c in chosen},
            "result_types": dict.fromkeys(chosen, "per_agent"), "data_types": dict.fromkeys(chosen, "ranking")}


def _ordinal_rankings(rows: list[dict[str, Any]], columns: list[str], column: str | None, separator: str,
                      options: list[str] | None, skip: set[str]) -> dict[str, Any]:
    column = column or _pick([c for c in columns if c not in skip], _RANKING_WORDS) or next(
        (c for c in columns if c not in skip and any(separator in str(r.get(c) or "") for r in rows)), None)
    if column is None:
        raise SpecificationError("no ordinal ranking column found: pass ordinal_ranking_column='<column>'")
    if column not in columns:
        raise _missing("ordinal_ranking_column", [column], columns)
    orders = [[o.strip() for o in str(r.get(column) or "").split(separator)] if separator in str(r.get(column) or "")
              else None for r in rows]
    if options is None:
        options = sorted({o for order in orders if order for o in order if o})
        if not options:
            raise SpecificationError(f"no ranking options found in {column!r} with separator {separator!r}")
    out: dict[str, Any] = {"key_results": {}, "result_types": {}, "data_types": {}, "ranking_info": {}}
    for option in options:
        key = f"{option}_rank"
        ranks = [order.index(option) + 1 if order and option in order else None for order in orders]
        present = sorted({r for r in ranks if r is not None})
        out["key_results"][key] = ranks
        out["result_types"][key], out["data_types"][key] = "per_agent", "ranking"
        out["ranking_info"][key] = {"direction": "ascending", "original_options": list(options),
                                    "separator": separator, "source_column": column,
                                    "min_rank": present[0] if present else 1,
                                    "max_rank": present[-1] if present else len(options),
                                    "num_ranks": len(present), "rank_values": present}
    return out


def _people(rows: list[dict[str, Any]], agent_id_column: str | None, agent_comments_column: str | None,
            agent_attributes_columns: list[str] | None) -> dict[str, Any]:
    if agent_id_column and agent_id_column in rows[0]:
        names = [None if _cell(r.get(agent_id_column)) is None else str(_cell(r.get(agent_id_column))) for r in rows]
    else:
        names = [f"Agent_{i + 1}" for i in range(len(rows))]
    out: dict[str, Any] = {"agent_names": names, "agent_attributes": {}}
    if agent_comments_column and agent_comments_column in rows[0]:
        out["agent_justifications"] = [
            {"agent_name": names[i], "agent_index": i,
             "justification": "" if plain(r.get(agent_comments_column)) is None else str(r[agent_comments_column]).strip()}
            for i, r in enumerate(rows)]
    for column in agent_attributes_columns or []:
        if column in rows[0]:
            out["agent_attributes"][column] = [None if plain(r.get(column)) is None else str(plain(r[column])).strip()
                                               for r in rows]
    return out


def dataset_from_rows(rows: list[dict[str, Any]], experimental_data_type: str = "single_value_per_agent",
                      agent_id_column: str | None = None, agent_comments_column: str | None = None,
                      agent_attributes_columns: list[str] | None = None, value_column: str | None = None,
                      ranking_columns: list[str] | None = None, ordinal_ranking_column: str | None = None,
                      ordinal_ranking_separator: str = "-", ordinal_ranking_options: list[str] | None = None,
                      dataset_name: str | None = None, dataset_description: str | None = None,
                      name: str | None = None, description: str | None = None) -> SimulationExperimentDataset:
    """A dataset from row dicts in one of :data:`LAYOUTS` (see the module docstring)."""
    if experimental_data_type not in LAYOUTS:
        raise SpecificationError(f"experimental_data_type {experimental_data_type!r} is not one of {', '.join(LAYOUTS)}")
    if not rows:
        raise SpecificationError(f"dataset {dataset_name or name or ''!r}: no rows to read")
    columns = list(rows[0])
    skip = {c for c in (agent_id_column, agent_comments_column, *(agent_attributes_columns or [])) if c}
    if experimental_data_type == "single_value_per_agent":
        parts = _single_value(rows, columns, value_column, skip)
    elif experimental_data_type == "ranking_per_agent":
        parts = _rankings(rows, columns, ranking_columns, skip)
    else:
        parts = _ordinal_rankings(rows, columns, ordinal_ranking_column, ordinal_ranking_separator,
                                  ordinal_ranking_options, skip)
    parts.update(_people(rows, agent_id_column, agent_comments_column, agent_attributes_columns))
    return SimulationExperimentDataset(name=dataset_name or name, description=dataset_description or description,
                                       **parts)


def dataset_from_csv(file_path: str | os.PathLike, encoding: str = "utf-8", **kwargs: Any) -> SimulationExperimentDataset:
    """Read a CSV file (header row first); the other arguments are :func:`dataset_from_rows`'s."""
    path = Path(file_path)
    try:
        with open(path, newline="", encoding="utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding,
                  errors="replace") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise FileNotFoundError(f"CSV file not found: {path}") from None
    except OSError as exc:
        raise SpecificationError(f"{path}: cannot read the CSV file ({exc.strerror})") from None
    if not rows:
        raise SpecificationError(f"CSV file contains no data: {path}")
    kwargs["dataset_name"] = kwargs.get("dataset_name") or kwargs.pop("name", None) or f"Empirical_Data_{path.stem}"
    kwargs["dataset_description"] = (kwargs.get("dataset_description") or kwargs.pop("description", None)
                                     or f"Empirical data loaded from {path.name}")
    return dataset_from_rows(rows, **kwargs)


def dataset_from_dataframe(df: Any, **kwargs: Any) -> SimulationExperimentDataset:
    """Read a pandas DataFrame; the other arguments are :func:`dataset_from_rows`'s."""
    if not hasattr(df, "to_dict") or not hasattr(df, "columns"):
        raise TypeError(f"Expected pandas DataFrame, got {type(df)}")
    if len(df) == 0:
        raise SpecificationError("DataFrame contains no data")
    kwargs["dataset_name"] = kwargs.get("dataset_name") or kwargs.pop("name", None) or "Empirical_Data_from_DataFrame"
    kwargs["dataset_description"] = (kwargs.get("dataset_description") or kwargs.pop("description", None)
                                     or "Empirical data loaded from pandas DataFrame")
    return dataset_from_rows(df.to_dict(orient="records"), **kwargs)
