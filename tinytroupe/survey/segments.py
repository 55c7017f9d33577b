"""Answers broken down by a persona attribute: counts, means and 95% intervals per segment, with charts.

::

    result.by("age_band")                 # a SurveyResult: one row per question and age band
    result.by("occupation").to_dataframe()
    breakdown(answers, personas, "nationality")    # any {respondent: {question: answer}}

The attribute is a persona key (``nationality``), a dotted path (``occupation.title``),
``age_band`` (from ``age``) or a function of the persona (a custom field). Each question
gets one row per segment and one for everyone (``(all)``):

- numbers (ratings, amounts): n, mean, sd and the mean's 95% interval by Student's t
  (``scipy.stats.t`` where scipy is installed; else the normal approximation, and
  :attr:`SegmentBreakdown.method` says so);
- yes/no: the share of yes as the mean, with its Wilson score interval;
- choices (a few distinct texts, or lists of options): the share of each answer in
  :meth:`SegmentBreakdown.counts`, with Wilson intervals;
- free text: only n.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tinytroupe.extraction.people import AGE_BANDS, persona_value
from tinytroupe.survey.html_parts import escape, figures, html_table
from tinytroupe.utils import charts
from tinytroupe.validation.distribution import Z95, sd, wilson_interval

__all__ = ["SegmentBreakdown", "breakdown", "answer_kind", "mean_interval", "UNKNOWN", "ALL"]

UNKNOWN, ALL = "(unknown)", "(all)"
_MAX_CHOICES = 10
SUMMARY_COLUMNS = ("attribute", "segment", "question", "kind", "n", "mean", "sd", "ci_low", "ci_high")
COUNT_COLUMNS = ("attribute", "segment", "question", "answer", "count", "share", "ci_low", "ci_high")


def _t_quantile(n: int) -> tuple[float, bool]:
    try:
        from scipy import stats
    except ImportError:
        return Z95, False
    return float(stats.t.ppf(0.975, n - 1)), True


def mean_interval(values: Sequence[float]) -> tuple[float | None, float | None]:
    """The 95% interval of the mean of ``values`` (Student's t with scipy, else normal); None below 2 values."""
    n = len(values)
    if n < 2:
        return None, None
    m, q = sum(values) / n, _t_quantile(n)[0]
    half = q * sd(values) / math.sqrt(n)
    return m - half, m + half


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not (isinstance(v, float) and math.isnan(v))


def answer_kind(values: Sequence[Any]) -> str:
    """``yes/no``, ``number``, ``multiple`` (lists of options), ``choice`` (a few texts) or ``text``."""
    present = [v for v in values if v is not None and v != ""]
    if present and all(isinstance(v, bool) for v in present):
        return "yes/no"
    if present and all(_is_number(v) for v in present):
        return "number"
    if present and all(isinstance(v, list) for v in present):
        return "multiple"
    distinct = {str(v) for v in present}
    return "choice" if present and len(distinct) <= _MAX_CHOICES and len(distinct) < max(2, len(present)) else "text"


@dataclass
class SegmentBreakdown:
    """Every question's answers per segment of one attribute (see the module docstring)."""

    attribute: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    count_rows: list[dict[str, Any]] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    method: str = ""

    def summary(self, question: str | None = None) -> list[dict[str, Any]]:
        """One row per question and segment: n, mean, sd, 95% interval (columns: ``SUMMARY_COLUMNS``)."""
        return [r for r in self.rows if question is None or r["question"] == question]

    def counts(self, question: str | None = None) -> list[dict[str, Any]]:
        """One row per question, segment and answer: count, share and its 95% interval."""
        return [r for r in self.count_rows if question is None or r["question"] == question]

    def to_dataframe(self, counts: bool = False) -> Any:
        """The summary (or, with ``counts=True``, the answer counts) as a pandas DataFrame."""
        from tinytroupe.extraction.tables import to_dataframe

        return to_dataframe(self.counts() if counts else self.summary(), COUNT_COLUMNS if counts else SUMMARY_COLUMNS)

    def charts(self) -> list[str]:
        """One SVG chart per question: segment means, or each segment's shares of each answer."""
        out = []
        for question in dict.fromkeys(r["question"] for r in self.rows):
            rows = [r for r in self.summary(question) if r["segment"] != ALL]
            if rows and rows[0]["kind"] in ("number", "yes/no"):
                bars = [(f"{r['segment']} (n={r['n']})", round(r["mean"], 3)) for r in rows if r["mean"] is not None]
                label = "share of yes" if rows[0]["kind"] == "yes/no" else "mean"
                out.append(charts.bar_chart(bars, f"{question}: {label} by {self.attribute}"))
            elif rows and rows[0]["kind"] in ("choice", "multiple"):
                bars = [(f"{c['segment']} · {c['answer']}", round(100 * c["share"], 1))
                        for c in self.counts(question) if c["segment"] != ALL][:24]
                out.append(charts.bar_chart(bars, f"{question}: answers by {self.attribute}", unit="%"))
        return out

    def to_markdown(self) -> str:
        lines = [f"Answers by {self.attribute} ({self.method})", "",
                 "| question | segment | n | mean | sd | 95% CI |", "|---|---|---|---|---|---|"]
        for r in self.rows:
            ci = f"{r['ci_low']:.2f}-{r['ci_high']:.2f}" if r["ci_low"] is not None else "–"
            mean = f"{r['mean']:.2f}" if r["mean"] is not None else "–"
            spread = f"{r['sd']:.2f}" if r["sd"] is not None else "–"
            lines.append(f"| {r['question']} | {r['segment']} | {r['n']} | {mean} | {spread} | {ci} |")
        return "\n".join(lines)

    def to_html(self) -> str:
        """A self-contained HTML fragment: the summary, the answer shares, the charts and the method."""
        parts = [f'<div class="tt-segments"><h3>Answers by {escape(self.attribute)}</h3>',
                 html_table(self.rows, SUMMARY_COLUMNS[1:], "tt-segment-table")]
        if self.count_rows:
            parts.append("<details><summary>Share of each answer</summary>"
                         + html_table(self.count_rows, COUNT_COLUMNS[1:], "tt-segment-counts") + "</details>")
        parts.append(figures(self.charts()))
        parts.append(f'<p class="muted">{escape(self.method)}</p></div>')
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()


def _label(value: Any) -> str:
    if value is None or value == "":
        return UNKNOWN
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _order(attribute: str, labels: Sequence[str]) -> list[str]:
    count = {label: labels.count(label) for label in labels}
    if attribute == "age_band":
        rank = {band[2]: i for i, band in enumerate(AGE_BANDS)}
        return sorted(count, key=lambda s: rank.get(s, len(rank)))
    return sorted(count, key=lambda s: (s == UNKNOWN, -count[s], s))


def _summary_row(kind: str, values: list[Any]) -> dict[str, Any]:
    n = len(values)
    if kind == "number":
        nums = [float(v) for v in values]
        mean = sum(nums) / n if n else None
        low, high = mean_interval(nums)
        return {"n": n, "mean": mean, "sd": sd(nums) if n > 1 else None, "ci_low": low, "ci_high": high}
    if kind == "yes/no":
        yes = sum(1 for v in values if v)
        low, high = wilson_interval(yes, n) if n else (None, None)
        return {"n": n, "mean": yes / n if n else None, "sd": None, "ci_low": low, "ci_high": high}
    return {"n": n, "mean": None, "sd": None, "ci_low": None, "ci_high": None}


def _count_rows(kind: str, values: list[Any], options: list[str]) -> list[dict[str, Any]]:
    n = len(values)
    out = []
    for option in options:
        k = sum(1 for v in values if (option in map(str, v) if kind == "multiple" else _answer_label(v) == option))
        low, high = wilson_interval(k, n)
        out.append({"answer": option, "count": k, "share": k / n if n else 0.0, "ci_low": low, "ci_high": high})
    return out


def _answer_label(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if _is_number(v) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _options(kind: str, values: list[Any], scale: tuple[float, float] | None) -> list[str]:
    if kind == "multiple":
        return sorted({str(x) for v in values for x in v})
    if kind == "yes/no":
        return ["yes", "no"]
    if kind == "number" and scale and all(float(v).is_integer() for v in values) and scale[1] - scale[0] <= 10:
        return [str(k) for k in range(int(scale[0]), int(scale[1]) + 1)]
    if kind == "number":
        distinct = sorted({float(v) for v in values})
        return [_answer_label(v) for v in distinct] if len(distinct) <= _MAX_CHOICES else []
    if kind == "choice":
        return sorted({str(v) for v in values}, key=lambda o: -sum(1 for v in values if str(v) == o))
    return []


def breakdown(answers: Mapping[str, Mapping[str, Any]], personas: Mapping[str, Mapping[str, Any]],
              attribute: str | Callable[[Mapping[str, Any]], Any], questions: Sequence[str] | None = None,
              scales: Mapping[str, tuple[float, float]] | None = None) -> SegmentBreakdown:
    """Break ``answers`` (``{respondent: {question: answer}}``) down by ``attribute`` of each
    respondent's persona (``personas``: ``{respondent: persona}``); ``scales``: a question's
    lowest and highest points, so that unused points show as zero counts."""
    name = attribute if isinstance(attribute, str) else getattr(attribute, "__name__", "custom")
    read = (lambda p: persona_value(p, attribute)) if isinstance(attribute, str) else attribute
    segment_of = {who: _label(read(personas.get(who) or {})) for who in answers}
    questions = list(questions) if questions is not None else list(dict.fromkeys(q for a in answers.values() for q in a))
    order = _order(name, list(segment_of.values()))
    quantile_ok = _t_quantile(3)[1]
    result = SegmentBreakdown(name, segments=order, method=(
        "95% intervals: means by Student's t (scipy.stats.t); shares and yes/no by the Wilson score interval"
        if quantile_ok else "95% intervals: means by the normal approximation (scipy is not installed: "
        'pip install "tinytroupe[analysis]" for Student\'s t); shares and yes/no by the Wilson score interval'))
    for question in questions:
        given = {who: a.get(question) for who, a in answers.items() if a.get(question) not in (None, "")}
        kind = answer_kind(list(given.values()))
        options = _options(kind, list(given.values()), (scales or {}).get(question))
        for segment in [ALL, *order]:
            values = [v for who, v in given.items() if segment == ALL or segment_of[who] == segment]
            base = {"attribute": name, "segment": segment, "question": question, "kind": kind}
            result.rows.append({**base, **_summary_row(kind, values)})
            if options and kind != "text":
                result.count_rows += [{**base, **c} for c in _count_rows(kind, values, options)]
    for row in result.count_rows:
        row.pop("kind", None)
    return result
