"""The Profiler's advanced analysis: demographics, persona facets, correlations, a text report.

Each function reads persona dicts (what :class:`~tinytroupe.profiling.Profiler` keeps in
``agents``) and returns plain data; nothing calls a model.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["demographics", "persona_facets", "correlations", "compare", "report_text", "FACETS", "value_at"]

FACETS = {"traits": "personality.traits", "interests": "preferences.interests", "likes": "preferences.likes",
          "dislikes": "preferences.dislikes", "skills": "skills", "beliefs": "beliefs", "goals": "goals",
          "behaviors": "behaviors"}
"""List-valued persona fields counted as facets: facet name -> dotted path."""

_AGE_BANDS = ((0, 18, "under 18"), (18, 25, "18-24"), (25, 35, "25-34"), (35, 45, "35-44"), (45, 55, "45-54"),
              (55, 65, "55-64"), (65, 200, "65+"))


def value_at(persona: dict[str, Any], path: str) -> Any:
    """The value at dotted ``path``; a string met before the end is the value."""
    value: Any = persona
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, str):
            break
        else:
            return None
    return value


def _items(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v.get("name") or v.get("description") or v) if isinstance(v, dict) else str(v) for v in value]
    if isinstance(value, dict):
        return [str(k) for k in value]
    return [] if value in (None, "") else [str(value)]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def _stats(numbers: Sequence[float]) -> dict[str, float]:
    return {"count": len(numbers), "mean": round(statistics.fmean(numbers), 3), "median": statistics.median(numbers),
            "min": min(numbers), "max": max(numbers),
            "stdev": round(statistics.stdev(numbers), 3) if len(numbers) > 1 else 0.0}


def _diversity(counts: Counter) -> float:
    """Simpson's diversity: the chance two people drawn at random differ (0 = all the same)."""
    total = sum(counts.values())
    return round(1.0 - sum((c / total) ** 2 for c in counts.values()), 3) if total else 0.0


def _categorical(personas: Sequence[dict[str, Any]], path: str) -> dict[str, Any]:
    counts = Counter(str(v) for v in (value_at(p, path) for p in personas) if v not in (None, ""))
    return {"distribution": dict(counts.most_common()), "distinct": len(counts), "diversity": _diversity(counts)}


def demographics(personas: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Population size, age statistics and bands, and the spread of gender, nationality, residence, occupation."""
    ages = [a for a in (_number(p.get("age")) for p in personas) if a is not None]
    out: dict[str, Any] = {"population_size": len(personas)}
    if ages:
        bands = Counter(next(label for lo, hi, label in _AGE_BANDS if lo <= a < hi) for a in ages)
        out["age"] = _stats(ages)
        out["age_groups"] = {label: bands[label] for _, _, label in _AGE_BANDS if bands[label]}
    for field in ("gender", "nationality", "residence", "education"):
        out[field] = _categorical(personas, field)
    out["occupation"] = _categorical(personas, "occupation.title")
    return out


def persona_facets(personas: Sequence[dict[str, Any]], top: int = 10) -> dict[str, Any]:
    """For each list-valued facet (traits, interests, skills...): the most common items and the mean per person."""
    out: dict[str, Any] = {}
    for facet, path in FACETS.items():
        per_person = [_items(value_at(p, path)) for p in personas]
        counts = Counter(item.strip().lower() for items in per_person for item in items if item.strip())
        if counts:
            out[facet] = {"most_common": counts.most_common(top), "distinct": len(counts),
                          "mean_per_person": round(statistics.fmean(len(i) for i in per_person), 3)}
    return out


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 3:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    if sx == 0 or sy == 0:
        return None
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (sx * sy), 3)


def _features(persona: dict[str, Any]) -> dict[str, float]:
    features = {f"{facet}_count": float(len(_items(value_at(persona, path)))) for facet, path in FACETS.items()}
    age = _number(persona.get("age"))
    if age is not None:
        features["age"] = age
    return features


def correlations(personas: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Pearson correlations between numeric features (age, number of traits, interests...): ``"a~b": r``."""
    rows = [_features(p) for p in personas]
    names = sorted({k for r in rows for k in r})
    out: dict[str, float] = {}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            pairs = [(r[a], r[b]) for r in rows if a in r and b in r]
            r_value = _pearson([x for x, _ in pairs], [y for _, y in pairs])
            if r_value is not None:
                out[f"{a}~{b}"] = r_value
    return out


def compare(first: Sequence[dict[str, Any]], second: Sequence[dict[str, Any]],
            attributes: Sequence[str]) -> dict[str, Any]:
    """Two populations side by side: per attribute, both distributions, shared values and the total
    variation distance (0 = same shares, 1 = nothing in common); mean difference for numbers."""
    out: dict[str, Any] = {"population_sizes": [len(first), len(second)], "attributes": {}}
    for attribute in attributes:
        a = Counter(str(v) for v in (value_at(p, attribute) for p in first) if v not in (None, ""))
        b = Counter(str(v) for v in (value_at(p, attribute) for p in second) if v not in (None, ""))
        ta, tb = sum(a.values()) or 1, sum(b.values()) or 1
        tv = sum(abs(a[k] / ta - b[k] / tb) for k in set(a) | set(b)) / 2
        entry: dict[str, Any] = {"first": dict(a.most_common()), "second": dict(b.most_common()),
                                 "shared_values": sorted(set(a) & set(b)), "total_variation": round(tv, 3)}
        na = [n for n in (_number(value_at(p, attribute)) for p in first) if n is not None]
        nb = [n for n in (_number(value_at(p, attribute)) for p in second) if n is not None]
        if na and nb:
            entry["mean_difference"] = round(statistics.fmean(nb) - statistics.fmean(na), 3)
        out["attributes"][attribute] = entry
    return out


def _lines_of(title: str, data: dict[str, Any]) -> list[str]:
    lines = [title, "-" * len(title)]
    for key, value in data.items():
        if isinstance(value, dict) and "distribution" in value:
            top = ", ".join(f"{k} ({n})" for k, n in list(value["distribution"].items())[:5]) or "(none)"
            lines.append(f"{key}: {value['distinct']} distinct, diversity {value['diversity']}; {top}")
        elif isinstance(value, dict) and "most_common" in value:
            top = ", ".join(f"{k} ({n})" for k, n in value["most_common"][:5])
            lines.append(f"{key}: {value['distinct']} distinct, {value['mean_per_person']} per person; {top}")
        else:
            lines.append(f"{key}: {value}")
    return lines + [""]


def report_text(results: dict[str, Any], custom: dict[str, Callable[..., Any]] | None = None) -> str:
    """The analysis results as a plain-text report."""
    lines = ["AGENT POPULATION ANALYSIS REPORT", "=" * 32, ""]
    for key, title in (("demographics", "Demographics"), ("persona_facets", "Persona facets")):
        if results.get(key):
            lines += _lines_of(title, results[key])
    strong = {k: v for k, v in (results.get("correlations") or {}).items() if abs(v) >= 0.5}
    if results.get("correlations") is not None:
        lines += _lines_of("Correlations (|r| >= 0.5)", strong or {"none": "no strong correlation"})
    for name in custom or {}:
        if name in results:
            lines += _lines_of(f"Custom analysis: {name}", {"result": results[name]})
    return "\n".join(lines).rstrip() + "\n"
