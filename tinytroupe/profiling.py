"""Profiler: what a population looks like, attribute by attribute.

``Profiler(["age", "occupation.title", "nationality"]).profile(agents)`` counts each
attribute's values (a list-valued attribute counts each element), adds summary statistics
for numeric ones, and draws inline-SVG charts. Agents may be TinyPersons or persona dicts.
Results are plain data; :meth:`Profiler.to_dataframe` gives pandas (the ``analysis`` extra).

With ``advanced_analysis`` (the default, as in the original) ``analysis_results`` also holds
the population's demographics, persona facets and correlations
(:mod:`tinytroupe.profiling_analysis`), plus any :meth:`Profiler.add_custom_analysis`;
:meth:`Profiler.generate_analysis_report` writes them as text and
:meth:`Profiler.export_analysis_report` saves that text. :meth:`Profiler.compare_populations`
sets the profiled agents beside another population.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from tinytroupe import contracts, events, profiling_analysis
from tinytroupe.display import show_text
from tinytroupe.extraction import trajectory
from tinytroupe.utils import charts

__all__ = ["Profiler", "attribute_value"]

_MISSING = "(unknown)"


def _persona(agent: Any) -> dict[str, Any]:
    if isinstance(agent, dict):
        return agent.get("persona", agent) if isinstance(agent.get("persona"), dict) else agent
    return trajectory.agent_persona(agent)


def attribute_value(agent: Any, path: str) -> Any:
    """The value at dotted ``path`` in an agent's persona (``"occupation.title"``); a plain
    string met before the end of the path is the value (``occupation: "nurse"``)."""
    return profiling_analysis.value_at(_persona(agent), path)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Profiler:
    """Distributions of a population's attributes (the original's interface, plain data first)."""

    def __init__(self, attributes: Sequence[str] = ("age", "occupation.title", "nationality")):
        self.attributes = list(attributes)
        self.attributes_distributions: dict[str, dict[str, int]] = {}
        self.summary: dict[str, dict[str, float]] = {}
        self._values: dict[str, list[Any]] = {}
        self.agents: list[dict[str, Any]] = []  # the profiled personas, as plain dicts
        self.analysis_results: dict[str, Any] = {}
        self._custom: dict[str, Callable[[list[dict[str, Any]]], Any]] = {}

    def profile(self, agents: Iterable[Any], plot: bool = True, advanced_analysis: bool = True) -> dict[str, dict[str, int]]:
        """Count every attribute over ``agents``; returns ``{attribute: {value: count}}``, most
        frequent first. With ``plot`` a ``profile.charts`` event carries the SVG charts."""
        agents = list(agents)
        self.agents = [_persona(a) for a in agents]
        self.attributes_distributions, self.summary, self._values, self.analysis_results = {}, {}, {}, {}
        for attribute in self.attributes:
            raw = [attribute_value(a, attribute) for a in agents]
            flat: list[Any] = []
            for value in raw:
                flat.extend(value if isinstance(value, list) else [value])
            self._values[attribute] = flat
            counts = Counter(_MISSING if v is None or v == "" else str(v) for v in flat)
            self.attributes_distributions[attribute] = dict(sorted(counts.items(), key=lambda t: (-t[1], t[0])))
            numbers = [float(v) for v in flat if _is_number(v)]
            if advanced_analysis and numbers:
                self.summary[attribute] = _summary(numbers)
        if advanced_analysis:
            self.analysis_results.update(demographics=profiling_analysis.demographics(self.agents),
                                         persona_facets=profiling_analysis.persona_facets(self.agents),
                                         correlations=profiling_analysis.correlations(self.agents))
            for name, function in self._custom.items():
                self.analysis_results[name] = function(self.agents)
        if plot:
            events.emit(contracts.ProfileCharts(self.charts()))
        return self.attributes_distributions

    # -- the original's analysis API ---------------------------------------------------------
    def add_custom_analysis(self, name: str, analysis_function: Callable[[list[dict[str, Any]]], Any]) -> None:
        """Run ``analysis_function(agents)`` (persona dicts) in every advanced profile, under ``name``
        in ``analysis_results``; it runs at once on the agents already profiled."""
        if not callable(analysis_function):
            raise ValueError(f"add_custom_analysis: {name!r} needs a function of the agents, got {analysis_function!r}")
        self._custom[name] = analysis_function
        if self.agents:
            self.analysis_results[name] = analysis_function(self.agents)

    def generate_analysis_report(self) -> str:
        """The advanced analysis as a plain-text report (profile the agents first)."""
        if not self.analysis_results:
            raise ValueError("no analysis yet: call profile(agents, advanced_analysis=True) first")
        return profiling_analysis.report_text(self.analysis_results, self._custom)

    def export_analysis_report(self, filename: str | os.PathLike = "agent_population_analysis.txt") -> str:
        """Write :meth:`generate_analysis_report` to ``filename``; returns the path written."""
        path = Path(filename)
        if path.parent != Path():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.generate_analysis_report(), encoding="utf-8")
        return str(path)

    def compare_populations(self, other_agents: Iterable[Any], attributes: Sequence[str] | None = None
                            ) -> dict[str, Any]:
        """The profiled agents against ``other_agents``, attribute by attribute (default: this
        profiler's attributes): both distributions, shared values, total variation distance, and
        the mean difference of numeric attributes."""
        if not self.agents:
            raise ValueError("compare_populations: profile(agents) first, then compare them with other agents")
        others = [_persona(a) for a in other_agents]
        return profiling_analysis.compare(self.agents, others, list(attributes or self.attributes))

    def distribution(self, attribute: str) -> list[tuple[str, int]]:
        """``(value, count)`` pairs of one attribute, most frequent first."""
        return list(self.attributes_distributions.get(attribute, {}).items())

    def records(self) -> list[dict[str, Any]]:
        """Every count as a row: attribute, value, count, share."""
        rows = []
        for attribute, counts in self.attributes_distributions.items():
            total = sum(counts.values()) or 1
            rows += [{"attribute": attribute, "value": v, "count": c, "share": round(c / total, 4)}
                     for v, c in counts.items()]
        return rows

    def to_dataframe(self, attribute: str | None = None) -> Any:
        """The counts as a pandas DataFrame (one attribute, or all with an ``attribute`` column)."""
        from tinytroupe.extraction.tables import to_dataframe

        rows = [r for r in self.records() if attribute is None or r["attribute"] == attribute]
        return to_dataframe(rows, ["attribute", "value", "count", "share"])

    def dataframes(self) -> dict[str, Any]:
        """``{attribute: DataFrame of value and count}``, values in order (the original's shape)."""
        from tinytroupe.extraction.tables import to_dataframe

        return {a: to_dataframe(sorted(counts.items(), key=lambda t: _order(t[0])), [a, "count"])
                for a, counts in self.attributes_distributions.items()}

    def charts(self, top: int = 12) -> dict[str, str]:
        """One inline-SVG chart per attribute: a histogram for numbers, else the top values."""
        out = {}
        for attribute, counts in self.attributes_distributions.items():
            numbers = [v for v in self._values.get(attribute, []) if _is_number(v)]
            if numbers and len(numbers) == len(self._values[attribute]):
                out[attribute] = charts.histogram(numbers, attribute)
            else:
                out[attribute] = charts.bar_chart(list(counts.items())[:top], attribute)
        return out

    def to_html(self) -> str:
        """The charts as one HTML fragment (inline SVG)."""
        return "\n".join(f'<figure class="tt-profile">{svg}</figure>' for svg in self.charts().values())

    def to_text(self, top: int = 12, width: int = 30) -> str:
        """The distributions as text bars, one block per attribute (the ``top`` values)."""
        blocks = []
        for attribute, counts in self.attributes_distributions.items():
            items = list(counts.items())[:top]
            most = max((c for _, c in items), default=1) or 1
            label = max((len(v) for v, _ in items), default=0)
            lines = [f"{v:<{label}}  {'#' * max(1, round(width * c / most))} {c}" for v, c in items]
            blocks.append(f"{attribute} distribution\n" + "\n".join(f"  {line}" for line in lines))
        return "\n\n".join(blocks)

    def render(self) -> None:
        """Show the distributions, as the original's ``render()`` did (it returns nothing): the
        charts in Jupyter, text bars elsewhere. :meth:`to_html` and :meth:`to_text` return them."""
        if not self.attributes_distributions:
            raise ValueError("Profiler.render(): nothing profiled yet; call profile(agents) first")
        if not _show_html(self.to_html()):
            show_text(self.to_text())


def _show_html(html: str) -> bool:
    """Display ``html`` in a running Jupyter/IPython kernel; False when there is none."""
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython is not None else None
    if shell is None or type(shell).__name__ == "TerminalInteractiveShell":
        return False
    from IPython.display import HTML, display

    display(HTML(html))
    return True


def _order(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def _summary(numbers: list[float]) -> dict[str, float]:
    return {"count": len(numbers), "mean": round(statistics.fmean(numbers), 3),
            "median": statistics.median(numbers), "min": min(numbers), "max": max(numbers),
            "stdev": round(statistics.stdev(numbers), 3) if len(numbers) > 1 else 0.0}
