"""Descriptions of a dataset's metrics: type details, summaries, distributions, consistency."""

from __future__ import annotations

from typing import Any

__all__ = ["data_type_info", "metric_summary", "consistency_problems"]


def data_type_info(ds: Any, metric: str) -> dict[str, Any]:
    """The metric's data and result types, with its categories, ordinal levels or ranking details."""
    kind = ds.data_types.get(metric, "numeric")
    info: dict[str, Any] = {"data_type": kind, "result_type": ds.result_types.get(metric, "unknown")}
    if kind == "categorical" and metric in ds.categorical_mappings:
        info["categories"] = ds.get_categorical_values(metric)
        info["category_mapping"] = dict(ds.categorical_mappings[metric])
    elif kind == "ordinal" and metric in ds.ordinal_mappings:
        mapping = ds.ordinal_mappings[metric]
        if ds.is_categorical_metric(metric):
            info["ordinal_categories"] = ds.get_categorical_values(metric)
            info["ordinal_mapping"] = dict(mapping)
        else:
            info["ordinal_info"] = dict(mapping)
    elif kind == "ranking" and metric in ds.ranking_info:
        info["ranking_info"] = dict(ds.ranking_info[metric])
    return info


def _distribution(ds: Any, metric: str, values: list[Any], summary: dict[str, Any]) -> None:
    kind = summary["data_type"]
    present = [v for v in values if v is not None]
    if kind in ("categorical", "ordinal") and summary["is_categorical"]:
        counts: dict[str, int] = {}
        for v in present:
            label = ds.convert_ordinal_to_categorical(metric, v)
            if label:
                counts[label] = counts.get(label, 0) + 1
        summary["category_distribution"] = counts
    elif kind == "ranking":
        ranks: dict[Any, int] = {}
        for v in present:
            key = tuple(v) if isinstance(v, list) else v
            ranks[key] = ranks.get(key, 0) + 1
        summary["rank_distribution"] = ranks
    elif kind == "binary":
        summary["binary_distribution"] = {"true": sum(1 for v in present if v == 1),
                                          "false": sum(1 for v in present if v == 0)}


def metric_summary(ds: Any, metric: str) -> dict[str, Any]:
    """Name, types, value counts, range, type details and (per agent) the distribution of a metric."""
    summary: dict[str, Any] = {"metric_name": metric, "result_type": ds.result_types.get(metric, "unknown"),
                               "data_type": ds.data_types.get(metric, "numeric"),
                               "is_categorical": ds.is_categorical_metric(metric)}
    if metric not in ds.key_results:
        return summary
    data = ds.key_results[metric]
    summary["data_type_name"] = type(data).__name__
    if isinstance(data, list):
        present = [v for v in data if v is not None]
        summary.update(total_values=len(data), valid_values=len(present), missing_values=len(data) - len(present))
        if present and not any(isinstance(v, list) for v in present):
            summary.update(min_value=min(present), max_value=max(present))
    summary.update(data_type_info(ds, metric))
    if isinstance(data, list) and summary["result_type"] == "per_agent":
        _distribution(ds, metric, data, summary)
    return summary


def consistency_problems(ds: Any) -> list[str]:
    """Errors (unequal per-agent lengths, names not matching) then ``WARNING:`` lines (missing values)."""
    errors: list[str] = []
    warnings: list[str] = []
    lengths: dict[str, int] = {}
    for metric, kind in ds.result_types.items():
        if kind != "per_agent" or metric not in ds.key_results:
            continue
        values = ds.key_results[metric]
        if not isinstance(values, list):
            errors.append(f"Metric '{metric}' marked as per_agent but is not a list")
            continue
        lengths[metric] = len(values)
        missing = [i for i, v in enumerate(values) if v is None]
        if missing:
            warnings.append(f"Metric '{metric}' has missing data (None) at indices: {missing}")
    if len(set(lengths.values())) > 1:
        errors.append(f"Per-agent metrics have inconsistent lengths: {lengths}")
    if ds.agent_names and lengths:
        first = next(iter(lengths.values()))
        if len(ds.agent_names) != first:
            errors.append(f"agent_names length ({len(ds.agent_names)}) doesn't match per-agent data length ({first})")
    if ds.agent_names:
        unnamed = [i for i, n in enumerate(ds.agent_names) if n is None]
        if unnamed:
            warnings.insert(0, f"agent_names contains None values at indices: {unnamed}")
    return errors + [f"WARNING: {w}" for w in warnings]
