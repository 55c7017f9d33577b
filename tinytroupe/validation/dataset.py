"""Experiment results as data: what a simulation (or a real study) produced, per metric.

A :class:`SimulationExperimentDataset` holds, for each metric, its values (one per agent,
or a single aggregate), their data type (detected when not given; see
:mod:`tinytroupe.validation.dataset_types`), and the mappings that made them numbers:
text categories become 0, 1, 2... in alphabetical order of their lower-cased labels
(``categorical_mappings``), ordinal labels follow their scale (``ordinal_mappings``),
percentages become proportions, yes/no becomes 1/0. The people's justifications and
attributes ride along. Loaders for CSV files and DataFrames are in
:mod:`tinytroupe.validation.dataset_loading`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tinytroupe.errors import SpecificationError
from tinytroupe.validation.dataset_summary import consistency_problems, data_type_info, metric_summary
from tinytroupe.validation.dataset_types import (
    DATA_TYPES,
    as_list,
    detect_data_type,
    normalize_label,
    ordered_levels,
    to_binary,
)

__all__ = ["SimulationExperimentDataset", "DATA_TYPES", "detect_data_type"]


class SimulationExperimentDataset(BaseModel):
    """Results of one experiment (simulated or empirical), metric by metric."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    key_results: dict[str, Any] = Field(default_factory=dict)
    result_types: dict[str, str] = Field(default_factory=dict)  # "per_agent" | "aggregate"
    data_types: dict[str, str] = Field(default_factory=dict)
    categorical_mappings: dict[str, dict[str, int]] = Field(default_factory=dict)
    ordinal_mappings: dict[str, dict[str, Any]] = Field(default_factory=dict)
    ranking_info: dict[str, dict[str, Any]] = Field(default_factory=dict)
    agent_names: list[str | None] | None = None
    agent_justifications: list[Any] = Field(default_factory=list)
    justification_summary: str | None = None
    agent_attributes: dict[str, list[Any]] = Field(default_factory=dict)

    def model_post_init(self, _context: Any) -> None:
        self.process_data_types()

    # -- typing the values -----------------------------------------------------------------
    def process_data_types(self) -> None:
        """Detect each metric's type where not given and turn its values into numbers (idempotent)."""
        for metric, values in list(self.key_results.items()):
            kind = self.data_types.get(metric, "auto")
            if kind == "auto":
                kind = self.data_types[metric] = detect_data_type(values)
            if kind not in DATA_TYPES:
                raise SpecificationError(f"dataset {self._label()}: data type {kind!r} of {metric!r} is not one of "
                                         f"{', '.join(DATA_TYPES)}")
            self.result_types.setdefault(metric, "per_agent" if isinstance(values, (list, tuple)) else "aggregate")
            handler = getattr(self, f"_as_{kind}", None)
            if handler is not None:
                handler(metric, values)

    _process_data_types = process_data_types  # the original's name

    def _label(self) -> str:
        return repr(self.name or "dataset")

    def _convert(self, metric: str, values: Any, convert: Any) -> None:
        if isinstance(values, (list, tuple)):
            self.key_results[metric] = [None if v is None else convert(v) for v in values]
        elif values is not None:
            self.key_results[metric] = convert(values)

    def _labels_to_numbers(self, metric: str, values: Any, mapping: dict[str, int]) -> None:
        self._convert(metric, values, lambda v: mapping.get(normalize_label(v), 0) if isinstance(v, str) else v)

    def _as_categorical(self, metric: str, values: Any) -> None:
        labels = sorted({normalize_label(v) for v in as_list(values) if isinstance(v, str)})
        if not labels:
            return
        given = {normalize_label(k): int(v) for k, v in self.categorical_mappings.get(metric, {}).items()}
        mapping = given or {label: i for i, label in enumerate(labels)}
        self.categorical_mappings[metric] = mapping
        self._labels_to_numbers(metric, values, mapping)

    def _as_ordinal(self, metric: str, values: Any) -> None:
        labels = sorted({normalize_label(v) for v in as_list(values) if isinstance(v, str)})
        given = self.ordinal_mappings.get(metric, {})
        if labels:
            named = {normalize_label(k): int(v) for k, v in given.items() if isinstance(k, str)
                     and isinstance(v, (int, float)) and k not in ("min_value", "max_value", "num_levels")}
            mapping = named or {label: i for i, label in enumerate(ordered_levels(labels))}
            self.ordinal_mappings[metric] = mapping
            self._labels_to_numbers(metric, values, mapping)
            return
        levels = sorted({v for v in as_list(values) if isinstance(v, (int, float))})
        if len(levels) >= 2 and not self._has_label_mapping(metric):
            self.ordinal_mappings[metric] = {"min_value": levels[0], "max_value": levels[-1],
                                             "unique_values": levels, "num_levels": len(levels)}

    def _as_ranking(self, metric: str, values: Any) -> None:
        ranks = [v for v in as_list(values) if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if not ranks:
            return
        if min(ranks) < 1:
            raise ValueError(f"dataset {self._label()}: ranks of {metric!r} must start at 1, found {min(ranks)}")
        distinct = sorted(set(ranks))
        info = dict(self.ranking_info.get(metric, {}))
        info.update(min_rank=distinct[0], max_rank=distinct[-1], num_ranks=len(distinct), rank_values=distinct)
        info.setdefault("direction", "ascending")
        self.ranking_info[metric] = info

    def _as_count(self, metric: str, values: Any) -> None:
        for v in as_list(values):
            if v is not None and (not isinstance(v, (int, float)) or v < 0 or not float(v).is_integer()):
                raise ValueError(f"dataset {self._label()}: count data of {metric!r} must be non-negative whole "
                                 f"numbers, found {v!r}")

    def _as_proportion(self, metric: str, values: Any) -> None:
        self._convert(metric, values, lambda v: v / 100.0 if isinstance(v, (int, float)) and v > 1 else v)

    def _as_binary(self, metric: str, values: Any) -> None:
        self._convert(metric, values, to_binary)

    def _has_label_mapping(self, metric: str) -> bool:
        mapping = self.ordinal_mappings.get(metric)
        return bool(mapping) and all(isinstance(k, str) and isinstance(v, int) for k, v in mapping.items()) \
            and "min_value" not in mapping

    # -- reading values --------------------------------------------------------------------
    def get_metric_values(self, metric: str) -> list[Any]:
        """The metric's values as a list (an aggregate as a list of one)."""
        if metric not in self.key_results:
            raise SpecificationError(f"dataset {self._label()} has no metric {metric!r}; "
                                     f"it has: {', '.join(self.key_results) or 'none'}")
        return as_list(self.key_results[metric])

    def get_numeric_values(self, metric: str) -> list[float]:
        """The metric's present values as numbers (rankings given as item lists become positions)."""
        values = [v for v in self.get_metric_values(metric) if v is not None and v != ""]
        if values and all(isinstance(v, (list, tuple)) for v in values):
            return [float(x) for ranking in values for x in self._ranks(metric, ranking)]
        mapping = self.categorical_mappings.get(metric) or (self.ordinal_mappings.get(metric)
                                                            if self._has_label_mapping(metric) else None)
        out = []
        for v in values:
            if isinstance(v, str):
                if not mapping or normalize_label(v) not in mapping:
                    raise SpecificationError(f"dataset {self._label()}: value {v!r} of {metric!r} has no mapping; "
                                             "give a categorical or ordinal mapping for it")
                v = mapping[normalize_label(v)]
            out.append(float(v))
        return out

    def _ranks(self, metric: str, ranking: Sequence[Any]) -> list[int]:
        items = self.ranking_info.get(metric, {}).get("items") or sorted({str(i) for i in ranking})
        position = {str(item): rank for rank, item in enumerate(ranking, start=1)}
        return [position.get(str(item), len(ranking) + 1) for item in items]

    def labels_of(self, metric: str) -> list[str | None] | None:
        """A categorical or labelled ordinal metric's values as their labels (None for others)."""
        if not self.is_categorical_metric(metric):
            return None
        return [None if v is None else self.convert_ordinal_to_categorical(metric, v)
                for v in self.get_metric_values(metric)]

    def scale(self, metric: str) -> tuple[float, float] | None:
        """The declared range of an ordinal or ranking metric, else None."""
        mapping = self.ordinal_mappings.get(metric)
        if mapping and "min_value" in mapping:
            return (float(mapping["min_value"]), float(mapping["max_value"]))
        if mapping and self._has_label_mapping(metric):
            return (float(min(mapping.values())), float(max(mapping.values())))
        info = self.ranking_info.get(metric)
        if info and "max_rank" in info:
            return (1.0, float(info["max_rank"]))
        return None

    def get_justification_texts(self) -> list[str]:
        """Every non-empty justification text."""
        return [t for t in (self.get_justification_text(j) for j in self.agent_justifications) if t]

    # -- the original's accessors ------------------------------------------------------------
    def get_agent_name(self, index: int) -> str | None:
        """The name of the agent at ``index``, or None."""
        if self.agent_names and 0 <= index < len(self.agent_names):
            return self.agent_names[index]
        return None

    def get_agent_data(self, metric_name: str, agent_index: int) -> Any:
        """One agent's value of a per-agent metric (None when missing)."""
        values = self.key_results.get(metric_name)
        if self.result_types.get(metric_name) == "per_agent" and isinstance(values, list) \
                and 0 <= agent_index < len(values):
            return values[agent_index]
        return None

    def get_all_agent_data(self, metric_name: str) -> dict[str, Any]:
        """``{agent name (or Agent_i): value}`` of a per-agent metric; ``{"aggregate": value}`` for an aggregate."""
        values = self.key_results.get(metric_name)
        if self.result_types.get(metric_name) == "aggregate":
            return {"aggregate": values}
        if not isinstance(values, list):
            return {}
        return {(self.get_agent_name(i) or f"Agent_{i}"): v for i, v in enumerate(values) if v is not None}

    def get_valid_agent_data(self, metric_name: str) -> list[Any]:
        """The present values of a per-agent metric."""
        values = self.key_results.get(metric_name)
        if self.result_types.get(metric_name) == "per_agent" and isinstance(values, list):
            return [v for v in values if v is not None]
        return []

    def validate_data_consistency(self) -> list[str]:
        """Problems with the per-agent data's lengths and names (warnings prefixed ``WARNING:``)."""
        return consistency_problems(self)

    def get_justification_text(self, justification_item: Any) -> str:
        """The text of a justification given as a string or a ``{"justification": ...}`` dict."""
        if isinstance(justification_item, str):
            return justification_item
        if isinstance(justification_item, dict):
            return str(justification_item.get("justification") or "")
        return ""

    def get_justification_agent_reference(self, justification_item: Any) -> str | None:
        """The agent a justification dict names (``agent_name``, or ``agent_index`` looked up)."""
        if isinstance(justification_item, dict):
            if "agent_name" in justification_item:
                return justification_item["agent_name"]
            if "agent_index" in justification_item:
                return self.get_agent_name(int(justification_item["agent_index"]))
        return None

    def is_categorical_metric(self, metric_name: str) -> bool:
        """Whether the metric's numbers stand for labels (categorical, or labelled ordinal)."""
        return metric_name in self.categorical_mappings or self._has_label_mapping(metric_name)

    def get_categorical_values(self, metric_name: str) -> list[str] | None:
        """The labels of a categorical (or labelled ordinal) metric, in the order of their numbers."""
        mapping = self.categorical_mappings.get(metric_name) or (
            self.ordinal_mappings.get(metric_name) if self._has_label_mapping(metric_name) else None)
        if not mapping:
            return None
        return [label for label, _ in sorted(mapping.items(), key=lambda kv: kv[1])]

    def convert_ordinal_to_categorical(self, metric_name: str, ordinal_value: float) -> str | None:
        """The label a number stands for in a categorical or labelled ordinal metric."""
        labels = self.get_categorical_values(metric_name)
        mapping = self.categorical_mappings.get(metric_name) or self.ordinal_mappings.get(metric_name) or {}
        for label in labels or []:
            if mapping[label] == int(ordinal_value):
                return label
        return None

    def get_data_type_info(self, metric_name: str) -> dict[str, Any]:
        """The metric's data type, result type and mapping or ranking details."""
        return data_type_info(self, metric_name)

    def get_metric_summary(self, metric_name: str) -> dict[str, Any]:
        """Counts, range, type details and the distribution of one metric."""
        return metric_summary(self, metric_name)

    # -- loaders ---------------------------------------------------------------------------
    @classmethod
    def from_records(cls, rows: list[dict[str, Any]], **kwargs: Any) -> SimulationExperimentDataset:
        """A dataset from row dicts; see :func:`tinytroupe.validation.dataset_loading.dataset_from_rows`."""
        from tinytroupe.validation.dataset_loading import dataset_from_rows

        return dataset_from_rows(rows, **kwargs)

    @classmethod
    def from_csv(cls, file_path: str | os.PathLike, **kwargs: Any) -> SimulationExperimentDataset:
        """Read a CSV file (header row first); see :func:`~tinytroupe.validation.dataset_loading.dataset_from_csv`."""
        from tinytroupe.validation.dataset_loading import dataset_from_csv

        return dataset_from_csv(file_path, **kwargs)

    @classmethod
    def from_dataframe(cls, df: Any, **kwargs: Any) -> SimulationExperimentDataset:
        """Read a pandas DataFrame; same arguments as :meth:`from_csv`."""
        from tinytroupe.validation.dataset_loading import dataset_from_dataframe

        return dataset_from_dataframe(df, **kwargs)
