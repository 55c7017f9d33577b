"""Experiment results as data: what a simulation (or a real study) produced, per metric.

A :class:`SimulationExperimentDataset` holds, for each metric, the values (one per agent or
person, or aggregates), their data type (detected when not given), mappings that turn
categories or ordinal labels into numbers, rankings, and the people's justifications.
Loaders read CSV files and pandas DataFrames in three layouts: one value per person, a
ranking per person (a list of items), or ordinal rankings (one column per item).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from tinytroupe.errors import SpecificationError

__all__ = ["SimulationExperimentDataset", "DATA_TYPES", "detect_data_type"]

DATA_TYPES = ("numeric", "ordinal", "categorical", "ranking", "count", "proportion")
LAYOUTS = ("single_value_per_agent", "ranking_per_agent", "ordinal_ranking_per_agent")


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).strip())
    except (TypeError, ValueError):
        return None


def detect_data_type(values: Sequence[Any]) -> str:
    """``ranking`` for lists, ``proportion`` for numbers in [0, 1] with a fraction, ``ordinal`` for
    few whole numbers (at most 11 distinct, range under 11), ``numeric`` for other numbers,
    ``categorical`` for text."""
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return "numeric"
    if all(isinstance(v, (list, tuple)) for v in present):
        return "ranking"
    numbers = [_number(v) for v in present]
    if any(n is None for n in numbers):
        return "categorical"
    nums = [n for n in numbers if n is not None]
    whole = all(n.is_integer() for n in nums)
    if not whole and all(0.0 <= n <= 1.0 for n in nums):
        return "proportion"
    if whole and len(set(nums)) <= 11 and max(nums) - min(nums) <= 10:
        return "ordinal"
    return "numeric"


class SimulationExperimentDataset(BaseModel):
    """Results of one experiment (simulated or empirical), metric by metric."""

    name: str = "dataset"
    description: str = ""
    key_results: dict[str, list[Any]] = Field(default_factory=dict)
    result_types: dict[str, str] = Field(default_factory=dict)  # "per_agent" | "aggregate"
    data_types: dict[str, str] = Field(default_factory=dict)
    categorical_mappings: dict[str, dict[str, int]] = Field(default_factory=dict)
    ordinal_mappings: dict[str, dict[str, int]] = Field(default_factory=dict)
    ranking_info: dict[str, dict[str, Any]] = Field(default_factory=dict)
    agent_names: list[str | None] = Field(default_factory=list)
    agent_justifications: list[Any] = Field(default_factory=list)
    justification_summary: str | None = None
    agent_attributes: dict[str, list[Any]] = Field(default_factory=dict)

    def model_post_init(self, _context: Any) -> None:
        for metric, values in self.key_results.items():
            if metric not in self.data_types:
                self.data_types[metric] = detect_data_type(values)
            self.result_types.setdefault(metric, "per_agent")
            if self.data_types[metric] == "categorical" and metric not in self.categorical_mappings \
                    and metric not in self.ordinal_mappings:
                labels = sorted({str(v) for v in values if v is not None})
                self.categorical_mappings[metric] = {label: i for i, label in enumerate(labels)}
        for metric, kind in self.data_types.items():
            if kind not in DATA_TYPES:
                raise SpecificationError(f"dataset {self.name!r}: data type {kind!r} of {metric!r} is not one of "
                                         f"{', '.join(DATA_TYPES)}")

    # -- reading values --------------------------------------------------------------------
    def get_metric_values(self, metric: str) -> list[Any]:
        if metric not in self.key_results:
            raise SpecificationError(f"dataset {self.name!r} has no metric {metric!r}; "
                                     f"it has: {', '.join(self.key_results) or 'none'}")
        return self.key_results[metric]

    def get_numeric_values(self, metric: str) -> list[float]:
        """The metric's values as numbers: through the ordinal or categorical mapping where one is set,
        rankings as the position of each ranked item (``ranking_info[metric]['items']`` order)."""
        values = [v for v in self.get_metric_values(metric) if v is not None and v != ""]
        mapping = self.ordinal_mappings.get(metric) or self.categorical_mappings.get(metric)
        if self.data_types.get(metric) == "ranking":
            return [float(x) for ranking in values for x in self._ranks(metric, ranking)]
        out = []
        for v in values:
            n = _number(v)
            if n is None and mapping is not None:
                key = str(v)
                if key not in mapping:
                    raise SpecificationError(f"dataset {self.name!r}: value {key!r} of {metric!r} has no mapping; "
                                             f"known: {', '.join(mapping)}")
                n = float(mapping[key])
            if n is None:
                raise SpecificationError(f"dataset {self.name!r}: value {v!r} of {metric!r} is not a number; "
                                         "give a categorical or ordinal mapping for it")
            out.append(n)
        return out

    def _ranks(self, metric: str, ranking: Sequence[Any]) -> list[int]:
        items = self.ranking_info.get(metric, {}).get("items") or sorted({str(i) for i in ranking})
        position = {str(item): rank for rank, item in enumerate(ranking, start=1)}
        return [position.get(str(item), len(ranking) + 1) for item in items]

    def scale(self, metric: str) -> tuple[float, float] | None:
        """The declared scale of an ordinal metric (its mapping's lowest and highest numbers)."""
        mapping = self.ordinal_mappings.get(metric)
        if mapping:
            return (float(min(mapping.values())), float(max(mapping.values())))
        return None

    def get_justification_texts(self) -> list[str]:
        texts = []
        for item in self.agent_justifications:
            text = item.get("justification") if isinstance(item, dict) else item
            if text:
                texts.append(str(text))
        return texts

    # -- loaders ---------------------------------------------------------------------------
    @classmethod
    def from_records(cls, rows: list[dict[str, Any]], *, name: str = "dataset", value_column: str | None = None,
                     agent_id_column: str | None = None, agent_comments_column: str | None = None,
                     agent_attributes_columns: list[str] | None = None, experimental_data_type: str =
                     "single_value_per_agent", ordinal_mappings: dict[str, dict[str, int]] | None = None,
                     description: str = "") -> SimulationExperimentDataset:
        """A dataset from row dicts (what the CSV and DataFrame loaders produce)."""
        if experimental_data_type not in LAYOUTS:
            raise SpecificationError(f"experimental_data_type {experimental_data_type!r} is not one of {', '.join(LAYOUTS)}")
        if not rows:
            raise SpecificationError(f"dataset {name!r}: no rows to read")
        columns = list(rows[0])
        special = {agent_id_column, agent_comments_column, *(agent_attributes_columns or [])}
        key_results: dict[str, list[Any]] = {}
        data_types: dict[str, str] = {}
        if experimental_data_type == "single_value_per_agent":
            for col in [value_column] if value_column else [c for c in columns if c not in special]:
                _require_column(col, columns, name)
                key_results[col] = [_cell(r.get(col)) for r in rows]
        elif experimental_data_type == "ranking_per_agent":
            col = value_column or next(c for c in columns if c not in special)
            _require_column(col, columns, name)
            key_results[col] = [_split_ranking(r.get(col)) for r in rows]
            data_types[col] = "ranking"
        else:  # ordinal_ranking_per_agent: one column per ranked item, the cell is its rank
            for col in [c for c in columns if c not in special]:
                key_results[col] = [_cell(r.get(col)) for r in rows]
                data_types[col] = "ordinal"
        attrs = {c: [r.get(c) for r in rows] for c in agent_attributes_columns or []}
        return cls(name=name, description=description, key_results=key_results, data_types=data_types,
                   ordinal_mappings=dict(ordinal_mappings or {}),
                   agent_names=[r.get(agent_id_column) for r in rows] if agent_id_column else [],
                   agent_justifications=[r.get(agent_comments_column) for r in rows] if agent_comments_column else [],
                   agent_attributes=attrs)

    @classmethod
    def from_csv(cls, file_path: str | os.PathLike, **kwargs: Any) -> SimulationExperimentDataset:
        """Read a CSV file (header row first); see :meth:`from_records` for the arguments."""
        try:
            with open(file_path, newline="", encoding="utf-8-sig") as fh:
                rows = list(csv.DictReader(fh))
        except OSError as exc:
            raise SpecificationError(f"{file_path}: cannot read the CSV file ({exc.strerror})") from None
        kwargs.setdefault("name", os.path.splitext(os.path.basename(file_path))[0])
        return cls.from_records(rows, **kwargs)

    @classmethod
    def from_dataframe(cls, df: Any, **kwargs: Any) -> SimulationExperimentDataset:
        """Read a pandas DataFrame; see :meth:`from_records` for the arguments."""
        return cls.from_records(df.to_dict(orient="records"), **kwargs)


def _require_column(col: str | None, columns: list[str], name: str) -> None:
    if col not in columns:
        raise SpecificationError(f"dataset {name!r}: no column {col!r}; columns are {', '.join(columns)}")


def _cell(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and v != v:  # NaN from pandas
        return None
    if isinstance(v, str):
        v = v.strip()
        if v == "":
            return None
        n = _number(v)
        return int(n) if n is not None and n.is_integer() else (n if n is not None else v)
    return v


def _split_ranking(v: Any) -> list[str]:
    if isinstance(v, (list, tuple)):
        return [str(x).strip() for x in v]
    sep = ">" if ">" in str(v) else ("," if "," in str(v) else ";")
    return [x.strip() for x in str(v or "").split(sep) if x.strip()]
