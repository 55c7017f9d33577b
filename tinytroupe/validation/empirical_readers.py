"""The validator's loaders under the original's names: empirical data from CSV files and DataFrames.

``SimulationExperimentEmpiricalValidator.read_empirical_data_from_csv(path, ...)`` returns a
:class:`~tinytroupe.validation.dataset.SimulationExperimentDataset`; ``create_from_csv`` returns
``(validator, dataset)``. The layouts and columns are described in
:mod:`tinytroupe.validation.dataset_loading`. CSV files are read without pandas.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import ValidationError

from tinytroupe.errors import SpecificationError
from tinytroupe.validation.dataset import SimulationExperimentDataset
from tinytroupe.validation.dataset_loading import dataset_from_csv, dataset_from_dataframe

__all__ = ["EmpiricalDataReaders", "as_dataset"]


def as_dataset(data: SimulationExperimentDataset | dict[str, Any], role: str) -> SimulationExperimentDataset:
    """``data`` as a dataset: a dataset as it is, a dict of its fields validated into one."""
    if isinstance(data, SimulationExperimentDataset):
        return data
    if isinstance(data, dict):
        try:
            return SimulationExperimentDataset.model_validate(data)
        except ValidationError as exc:
            raise SpecificationError(f"the {role} data is not a valid SimulationExperimentDataset: {exc}") from None
    raise SpecificationError(f"the {role} data must be a SimulationExperimentDataset or a dict of its fields, "
                             f"got {type(data).__name__}")


class EmpiricalDataReaders:
    """``read_empirical_data_from_*`` and ``create_from_*`` for the empirical validator."""

    @classmethod
    def read_empirical_data_from_csv(cls, file_path: str | os.PathLike,
                                     experimental_data_type: str = "single_value_per_agent",
                                     agent_id_column: str | None = None, agent_comments_column: str | None = None,
                                     agent_attributes_columns: list[str] | None = None,
                                     value_column: str | None = None, ranking_columns: list[str] | None = None,
                                     ordinal_ranking_column: str | None = None, ordinal_ranking_separator: str = "-",
                                     ordinal_ranking_options: list[str] | None = None,
                                     dataset_name: str | None = None, dataset_description: str | None = None,
                                     encoding: str = "utf-8") -> SimulationExperimentDataset:
        """A dataset from a CSV file of empirical results (see the module docstring)."""
        return dataset_from_csv(
            file_path, encoding=encoding, experimental_data_type=experimental_data_type,
            agent_id_column=agent_id_column, agent_comments_column=agent_comments_column,
            agent_attributes_columns=agent_attributes_columns, value_column=value_column,
            ranking_columns=ranking_columns, ordinal_ranking_column=ordinal_ranking_column,
            ordinal_ranking_separator=ordinal_ranking_separator, ordinal_ranking_options=ordinal_ranking_options,
            dataset_name=dataset_name, dataset_description=dataset_description)

    @classmethod
    def read_empirical_data_from_dataframe(cls, df: Any, experimental_data_type: str = "single_value_per_agent",
                                           agent_id_column: str | None = None,
                                           agent_comments_column: str | None = None,
                                           agent_attributes_columns: list[str] | None = None,
                                           value_column: str | None = None,
                                           ranking_columns: list[str] | None = None,
                                           ordinal_ranking_column: str | None = None,
                                           ordinal_ranking_separator: str = "-",
                                           ordinal_ranking_options: list[str] | None = None,
                                           dataset_name: str | None = None,
                                           dataset_description: str | None = None) -> SimulationExperimentDataset:
        """A dataset from a pandas DataFrame of empirical results (see the module docstring)."""
        return dataset_from_dataframe(
            df, experimental_data_type=experimental_data_type, agent_id_column=agent_id_column,
            agent_comments_column=agent_comments_column, agent_attributes_columns=agent_attributes_columns,
            value_column=value_column, ranking_columns=ranking_columns,
            ordinal_ranking_column=ordinal_ranking_column, ordinal_ranking_separator=ordinal_ranking_separator,
            ordinal_ranking_options=ordinal_ranking_options, dataset_name=dataset_name,
            dataset_description=dataset_description)

    @classmethod
    def create_from_csv(cls, file_path: str | os.PathLike, **kwargs: Any) -> tuple[Any, SimulationExperimentDataset]:
        """``(validator, dataset)``: a new validator and the CSV file's dataset (same arguments as
        :meth:`read_empirical_data_from_csv`)."""
        return cls(), cls.read_empirical_data_from_csv(file_path, **kwargs)

    @classmethod
    def create_from_dataframe(cls, df: Any, **kwargs: Any) -> tuple[Any, SimulationExperimentDataset]:
        """``(validator, dataset)`` for a DataFrame (same arguments as :meth:`read_empirical_data_from_dataframe`)."""
        return cls(), cls.read_empirical_data_from_dataframe(df, **kwargs)
