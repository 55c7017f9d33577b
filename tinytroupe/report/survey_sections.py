"""The run report's survey sections: answers by segment, and fidelity against real answers.

Both read the run's ``results.json`` (agent-scope extractions) and the people of its final
state. Segments: the extracted fields that are numbers, yes/no or a few choices, broken down
by each of :data:`SEGMENT_ATTRIBUTES` that splits the people into groups (at least two, and
fewer groups than people). Fidelity: for every extraction with a ``reference`` (real answers
kept in ``results.json`` by the run), the figures of :mod:`tinytroupe.survey.fidelity`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.extraction.people import persona_value
from tinytroupe.report.run_data import RunData
from tinytroupe.survey.fidelity import FidelityReport, fidelity
from tinytroupe.survey.html_parts import escape
from tinytroupe.survey.segments import SegmentBreakdown, answer_kind, breakdown

__all__ = ["SEGMENT_ATTRIBUTES", "run_segments", "run_fidelity", "segments_section", "fidelity_section"]

SEGMENT_ATTRIBUTES = ("age_band", "gender", "nationality", "occupation")


def _agent_extractions(run: RunData) -> list[Mapping[str, Any]]:
    return [ex for ex in (run.results or {}).get("extractions") or []
            if ex.get("scope", "agent") == "agent" and isinstance(ex.get("results"), Mapping)]


def _scales(extraction: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    from tinytroupe.extraction.fields import parse_hint

    out = {}
    for name, hint in (extraction.get("hints") or {}).items():
        try:
            spec = parse_hint(name, hint)
        except SpecificationError:
            continue
        if spec.minimum is not None and spec.maximum is not None:
            out[name] = (float(spec.minimum), float(spec.maximum))
    return out


def run_segments(run: RunData, attributes: tuple[str, ...] = SEGMENT_ATTRIBUTES) -> list[SegmentBreakdown]:
    """One breakdown per attribute that splits the run's people into groups."""
    profiles = {str(p.get("name")): p for p in run.personas if p.get("name")}
    out = []
    for ex in _agent_extractions(run):
        answers = {who: a for who, a in ex["results"].items() if isinstance(a, Mapping)}
        fields = list(ex.get("fields") or dict.fromkeys(k for a in answers.values() for k in a))
        fields = [f for f in fields if answer_kind([a.get(f) for a in answers.values()]) != "text"]
        if not answers or not fields:
            continue
        for attribute in attributes:
            groups = {persona_value(profiles.get(who) or {}, attribute) for who in answers}
            if 2 <= len(groups) < len(answers):
                out.append(breakdown(answers, profiles, attribute, fields, _scales(ex)))
    return out


def run_fidelity(run: RunData) -> list[tuple[str, FidelityReport]]:
    """``(extraction name, report)`` for every extraction that has real answers."""
    out = []
    for ex in _agent_extractions(run):
        reference = ex.get("reference") or {}
        real = reference.get("answers") or {}
        simulated = {f: [a.get(f) for a in ex["results"].values() if isinstance(a, Mapping)] for f in real}
        simulated = {f: [v for v in values if v is not None] for f, values in simulated.items()}
        if not any(simulated.values()):
            continue
        report = fidelity({f: v for f, v in simulated.items() if v}, real, _scales(ex))
        report.reference = str(reference.get("file") or "the reference answers")
        out.append((str(ex.get("name")), report))
    return out


def segments_section(run: RunData) -> str:
    """The "Segments" section (empty when no attribute splits the people into groups)."""
    found = run_segments(run)
    if not found:
        return ""
    return ('<section id="segments"><h2>Answers by segment</h2><p class="muted">The extracted answers of each '
            "group of people who share an attribute; (all) is everyone.</p>"
            + "".join(b.to_html() for b in found) + "</section>")


def fidelity_section(run: RunData) -> str:
    """The "Fidelity" section (empty when no extraction has real answers)."""
    found = run_fidelity(run)
    if not found:
        return ""
    parts = ['<section id="fidelity"><h2>Fidelity against real answers</h2><p class="muted">Each question\'s '
             "simulated answers beside real people's answers to it. sd ratio: spread of the simulated answers over "
             "the real ones' (below 1: too alike); KS distance: the largest gap between the two cumulative "
             "distributions (0 = same, 1 = disjoint); Wasserstein: how far answers must move, in scale points, to "
             "turn one distribution into the other; extremes: the share of answers at either end of the scale; "
             "score: the empirical validator's agreement score (0 = none, 1 = identical).</p>"]
    for name, report in found:
        parts.append(f"<h3>{escape(name)}</h3>{report.to_html()}")
    return "".join(parts) + "</section>"
