"""How far simulated answers are from real (human) answers to the same questions, question by question.

::

    report = result.fidelity("panel.csv")         # a SurveyResult against a CSV of human answers
    report = fidelity({"appeal": [2, 4, 4]}, "panel.csv", scales={"appeal": (1, 5)})
    report.to_markdown(); report.to_html()        # or display(report) in a notebook

The reference is a CSV with one column per question (named as the question or extracted
field) and one row per real respondent; empty cells are skipped, other columns ignored.
For each question found in both, on the raw answers of each side:

- the two distributions (share of each answer), side by side;
- ``sd_ratio``: sd(simulated) / sd(real), sample sds; below 1, simulated people agree more
  with each other than real ones do (the usual failure), above 1 they disagree more;
- ``ks_distance``: the two-sample Kolmogorov-Smirnov statistic (largest gap between the
  cumulative distributions; 0 same, 1 disjoint), as ``scipy.stats.ks_2samp`` computes it;
- ``wasserstein``: the earth mover's distance in scale units, as ``scipy.stats.wasserstein_distance``;
- ``extreme_simulated`` / ``extreme_real``: the share of answers at either end of the scale
  (the question's scale where known, else the lowest and highest answer seen on either side);
- ``score``: the empirical validator's agreement score (0 none, 1 identical; see
  :mod:`tinytroupe.validation.simulation_validator` for its formula).

Answers that are not numbers (yes/no, choices) get the shares side by side and the
validator's categorical score (1 - total variation distance); KS, Wasserstein and the sd
ratio need an order and are left empty.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.survey.html_parts import escape, figures, html_table
from tinytroupe.utils.paired_chart import paired_bar_chart
from tinytroupe.validation.dataset import SimulationExperimentDataset
from tinytroupe.validation.distribution import sd
from tinytroupe.validation.simulation_validator import (
    SimulationExperimentEmpiricalValidator,
    agreement,
    ecdf_ks,
    ecdf_wasserstein,
)

__all__ = ["QuestionFidelity", "FidelityReport", "fidelity", "compare_answers", "read_reference"]

FIDELITY_COLUMNS = ("question", "n_simulated", "n_real", "simulated_mean", "real_mean", "sd_ratio", "ks_distance",
                    "wasserstein", "extreme_simulated", "extreme_real", "score")

_HEADINGS = {"n_simulated": "n simulated", "n_real": "n real", "simulated_mean": "mean simulated",
             "real_mean": "mean real", "sd_ratio": "sd ratio", "ks_distance": "KS distance",
             "wasserstein": "Wasserstein", "extreme_simulated": "extremes simulated", "extreme_real": "extremes real",
             "score": "validator score"}


def _cell(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return {"true": True, "false": False}.get(text.lower(), text)
    return int(number) if number.is_integer() else number


def read_reference(path: str | os.PathLike) -> dict[str, list[Any]]:
    """The real answers in the CSV at ``path``: ``{column: [answers]}`` (numbers as numbers, blanks left out)."""
    source = Path(path)
    if not source.is_file():
        raise SpecificationError(f"{source}: reference answers not found; give a CSV with one column per question "
                                 "and one row per real respondent")
    try:
        with open(source, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip() for c in reader.fieldnames or []]
            out: dict[str, list[Any]] = {c: [] for c in columns}
            for row in reader:
                for raw, value in row.items():
                    cell = _cell(value) if isinstance(value, str) and raw is not None else None
                    if cell is not None:
                        out[raw.strip()].append(cell)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SpecificationError(f"{source}: the reference answers cannot be read ({exc}); save them as UTF-8 CSV") \
            from None
    if not columns:
        raise SpecificationError(f"{source}: no header row; the first line must name the questions")
    return out


def _label(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, str) and v.strip().lower() in ("yes", "no", "true", "false"):
        return "yes" if v.strip().lower() in ("yes", "true") else "no"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _numeric(values: Sequence[Any]) -> bool:
    return bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


@dataclass
class QuestionFidelity:
    """One question: the two distributions and the figures that compare them (see the module docstring)."""

    question: str
    kind: str  # "number" or "category"
    n_simulated: int
    n_real: int
    points: list[str]
    simulated_shares: list[float]
    real_shares: list[float]
    simulated_mean: float | None = None
    real_mean: float | None = None
    simulated_sd: float | None = None
    real_sd: float | None = None
    sd_ratio: float | None = None
    ks_distance: float | None = None
    wasserstein: float | None = None
    extreme_simulated: float | None = None
    extreme_real: float | None = None
    score: float = 0.0
    scale: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sentence(self) -> str:
        """What the numbers mean, in words."""
        score = (f"The empirical validator scores the agreement {self.score:.2f} (0 = none, 1 = identical "
                 "distributions).")
        if self.kind != "number":
            return "These answers have no order, so only the shares compare. " + score
        if self.sd_ratio is None or math.isinf(self.sd_ratio):
            spread = "The real answers do not vary, so the spread cannot be compared"
        elif self.sd_ratio < 0.8:
            spread = (f"Simulated answers spread {self.sd_ratio:.2f} times as widely as real ones: simulated people "
                      "agree with each other more than real people do")
        elif self.sd_ratio > 1.25:
            spread = f"Simulated answers spread {self.sd_ratio:.2f} times as widely as real ones: more varied"
        else:
            spread = f"Simulated and real answers spread about as widely (sd ratio {self.sd_ratio:.2f})"
        return (f"{spread}. The largest gap between the two cumulative distributions is {self.ks_distance:.2f} "
                f"(KS; 0 = same, 1 = disjoint) and turning one distribution into the other moves answers "
                f"{self.wasserstein:.2f} scale points on average (Wasserstein). "
                f"{self.extreme_simulated:.0%} of simulated answers are at an end of the scale, against "
                f"{self.extreme_real:.0%} of real ones. " + score)


def _shares(values: Sequence[Any], points: Sequence[str]) -> list[float]:
    labels = [_label(v) for v in values]
    return [labels.count(p) / len(labels) if labels else 0.0 for p in points]


def _validator_score(question: str, simulated: Sequence[Any], real: Sequence[Any], numeric: bool,
                     scale: tuple[float, float] | None) -> float:
    """The empirical validator's score: its per-metric agreement for numbers (on ``scale``), its
    categorical agreement (through :meth:`SimulationExperimentEmpiricalValidator.validate`) otherwise."""
    if numeric:
        return agreement([float(v) for v in real], [float(v) for v in simulated], scale)["score"]
    kinds = {"data_types": {question: "categorical"}}
    human = SimulationExperimentDataset(name="real", key_results={question: [_label(v) for v in real]}, **kinds)
    sim = SimulationExperimentDataset(name="simulated", key_results={question: [_label(v) for v in simulated]},
                                      **kinds)
    result = SimulationExperimentEmpiricalValidator().validate(human, sim, validation_types=())
    return float(result.distribution_results[question]["score"])


def compare_answers(question: str, simulated: Sequence[Any], real: Sequence[Any],
                    scale: tuple[float, float] | None = None) -> QuestionFidelity:
    """Compare the simulated and real answers to one question (``scale``: its lowest and highest points)."""
    simulated = [v for v in simulated if v is not None and v != ""]
    real = [v for v in real if v is not None and v != ""]
    if not simulated or not real:
        raise SpecificationError(f"question {question!r}: fidelity needs answers on both sides "
                                 f"({len(simulated)} simulated, {len(real)} real)")
    numeric = _numeric(simulated) and _numeric(real)
    if numeric:
        sim, ref = [float(v) for v in simulated], [float(v) for v in real]
        low = scale[0] if scale else min(*sim, *ref)
        high = scale[1] if scale else max(*sim, *ref)
        whole = all(v.is_integer() for v in (*sim, *ref)) and high - low <= 20
        values = sorted({*sim, *ref} | (set(map(float, range(int(low), int(high) + 1))) if whole else set()))
        points = [_label(v) for v in values]
        sd_s, sd_r = sd(sim), sd(ref)
        out = QuestionFidelity(
            question, "number", len(sim), len(ref), points, _shares(sim, points), _shares(ref, points),
            simulated_mean=sum(sim) / len(sim), real_mean=sum(ref) / len(ref), simulated_sd=sd_s, real_sd=sd_r,
            sd_ratio=sd_s / sd_r if sd_r > 0 else (1.0 if sd_s == 0 else math.inf),
            ks_distance=ecdf_ks(sim, ref), wasserstein=ecdf_wasserstein(sim, ref),
            extreme_simulated=sum(1 for v in sim if v in (low, high)) / len(sim),
            extreme_real=sum(1 for v in ref if v in (low, high)) / len(ref), scale=(low, high))
    else:
        points = sorted({_label(v) for v in (*simulated, *real)})
        out = QuestionFidelity(question, "category", len(simulated), len(real), points,
                               _shares(simulated, points), _shares(real, points))
    out.score = _validator_score(question, simulated, real, numeric, scale)
    return out


@dataclass
class FidelityReport:
    """Every question's fidelity against the real answers in ``reference``."""

    reference: str
    questions: list[QuestionFidelity] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # questions the reference has no answers for

    def rows(self) -> list[dict[str, Any]]:
        """One row per question with the figures (columns: ``FIDELITY_COLUMNS``)."""
        return [{c: getattr(q, c) for c in FIDELITY_COLUMNS} for q in self.questions]

    def to_dict(self) -> dict[str, Any]:
        return {"reference": self.reference, "questions": [q.to_dict() for q in self.questions],
                "missing": list(self.missing)}

    def to_dataframe(self) -> Any:
        from tinytroupe.extraction.tables import to_dataframe

        return to_dataframe(self.rows(), FIDELITY_COLUMNS)

    def to_markdown(self) -> str:
        lines = [f"Fidelity against the real answers in {self.reference}", ""]
        for q in self.questions:
            lines += [f"## {q.question}", "", "| answer | simulated | real |", "|---|---|---|"]
            lines += [f"| {p} | {s:.0%} | {r:.0%} |" for p, s, r in zip(q.points, q.simulated_shares, q.real_shares,
                                                                       strict=True)]
            lines += ["", q.sentence(), ""]
        if self.missing:
            lines.append(f"No real answers for: {', '.join(self.missing)}.")
        return "\n".join(lines)

    def to_html(self) -> str:
        """An HTML fragment: per question, the distributions side by side, the figures and what they mean."""
        parts = [f'<div class="tt-fidelity"><p>Real answers: {escape(self.reference)}.</p>']
        for q in self.questions:
            shares = [{"answer": p, "simulated": f"{s:.0%}", "real": f"{r:.0%}"}
                      for p, s, r in zip(q.points, q.simulated_shares, q.real_shares, strict=True)]
            figures_row = {_HEADINGS.get(c, c): getattr(q, c) for c in FIDELITY_COLUMNS[1:]}
            chart = paired_bar_chart(q.points, [round(100 * s, 1) for s in q.simulated_shares],
                                     [round(100 * r, 1) for r in q.real_shares], title=q.question, unit="%")
            parts.append(f'<div class="tt-fidelity-question" data-question="{escape(q.question)}">'
                         f"<h3>{escape(q.question)}</h3>{figures([chart])}"
                         f"{html_table(shares, ['answer', 'simulated', 'real'], 'tt-fidelity-shares')}"
                         f"{html_table([figures_row], list(figures_row), 'tt-fidelity-figures')}"
                         f"<p>{escape(q.sentence())}</p></div>")
        if self.missing:
            parts.append(f'<p class="muted">No real answers for: {escape(", ".join(self.missing))}.</p>')
        return "".join(parts) + "</div>"

    def _repr_html_(self) -> str:
        return self.to_html()


def _converted(real: dict[str, list[Any]], converters: Mapping[str, Callable[[Any], Any]], label: str) -> None:
    for question, convert in converters.items():
        try:
            real[question] = [convert(v) for v in real.get(question) or []]
        except ValueError as exc:
            raise SpecificationError(f"{label}: column {question!r} has an answer the question does not take "
                                     f"({exc}); write answers as the question expects them") from None


def fidelity(simulated: Mapping[str, Sequence[Any]], reference: str | os.PathLike | Mapping[str, Sequence[Any]],
             scales: Mapping[str, tuple[float, float]] | None = None,
             converters: Mapping[str, Callable[[Any], Any]] | None = None) -> FidelityReport:
    """Compare each question's simulated answers (``{question: answers}``) with the real ones
    (a CSV path or ``{question: answers}``); ``converters`` normalise a question's real answers
    (a scale label to its point, say)."""
    from_file = isinstance(reference, (str, os.PathLike))
    label = str(reference) if from_file else "the reference given"
    real = read_reference(reference) if from_file else {k: list(v) for k, v in reference.items()}
    _converted(real, converters or {}, label)
    shared = [q for q in simulated if real.get(q)]
    if not shared:
        raise SpecificationError(f"{label}: no column matches a question; its columns are "
                                 f"{', '.join(real) or '(none)'}, the questions are {', '.join(simulated)}; "
                                 "name each column after a question")
    report = FidelityReport(Path(label).name if from_file else label, missing=[q for q in simulated if not real.get(q)])
    for q in shared:
        report.questions.append(compare_answers(q, simulated[q], real[q], (scales or {}).get(q)))
    return report
