"""Notebook displays: a world, a survey's results, an experiment and a whole run report as HTML.

Each is an HTML fragment made of the run report's parts (its tables, SVG charts and
transcript steps) inside ``<div class="tt-nb">``, with the report's style scoped to that class
so that it does not restyle the notebook. Nothing is fetched and no script runs, so a fragment
shows the same in JupyterLab, VS Code and an untrusted notebook. Worlds, survey results and
experiment results ask for this module by name (``providers.need("html_view")``) from their
``_repr_html_``; :class:`RunReport` shows a run folder inline: ``display(RunReport("out/run"))``.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tinytroupe.report.page import PAGE_CSS, render_page, render_sections, step_html, table
from tinytroupe.report.run_data import RunData, group_steps, load_run
from tinytroupe.utils import charts

__all__ = ["RunReport", "SurveyView", "world_html", "survey_html", "experiment_html", "fragment", "ROOT_CLASS"]

ROOT_CLASS = "tt-nb"
_EXTRA_CSS = (".tt-nb{background:#f6f7f9;padding:6px 12px;border-radius:8px;color:#1d2330}"
              ".tt-nb h2{margin:6px 0}.tt-nb header{border-radius:8px 8px 0 0;padding:10px 16px}")


def _scope(css: str, root: str) -> str:
    """``css`` with every rule limited to elements inside ``.root`` (``body`` becomes the root itself)."""
    out = []
    for rule in css.split("}"):
        if "{" not in rule:
            continue
        selectors, body = rule.split("{", 1)
        scoped = []
        for sel in (s.strip() for s in selectors.split(",")):
            scoped.append(f".{root}" if sel == "body" else f".{root} {sel}")
        out.append(",".join(scoped) + "{" + body.strip() + "}")
    return "".join(out)


SCOPED_CSS = _scope(re.sub(r"\s+", " ", PAGE_CSS), ROOT_CLASS) + _EXTRA_CSS


def fragment(body: str, kind: str) -> str:
    """``body`` in a root element with the scoped style; ``kind`` names what it shows (``data-tt``)."""
    return f'<div class="{ROOT_CLASS}" data-tt="{html.escape(kind)}"><style>{SCOPED_CSS}</style>{body}</div>'


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _figures(svgs: Iterable[str]) -> str:
    items = "".join(f"<figure>{svg}</figure>" for svg in svgs if svg)
    return f'<div class="charts">{items}</div>' if items else ""


# -- a world ------------------------------------------------------------------------------
def world_html(world: Any, max_agents: int = 50) -> str:
    """A world: its name, clock and step, its agents, and the events of its latest step."""
    clock = world.current_datetime
    facts = {"step": world.simulation_step, "time": clock.isoformat(sep=" ") if clock else "",
             "agents": len(world.agents), "events": world.transcript_position}
    people = [_agent_row(a) for a in world.agents[:max_agents]]
    more = len(world.agents) - len(people)
    steps = group_steps(e.to_dict() for e in world.transcript)
    latest = step_html(steps[-1]) if steps else '<p class="muted">Nothing has happened yet: call run() or step().</p>'
    body = (f"<section><h2>{_e(world.name)} <span class=\"muted\">({_e(type(world).__name__)})</span></h2>"
            + table([facts], list(facts), cls="tt-facts")
            + (table(people, list(people[0]), "", "tt-agents") if people else '<p class="muted">No agents.</p>')
            + (f'<p class="muted">… and {more} more agents.</p>' if more > 0 else "")
            + f"<h3>Latest step</h3>{latest}</section>")
    return fragment(body, "world")


def _agent_row(agent: Any) -> dict[str, Any]:
    persona = getattr(agent, "persona", None)
    get = persona.get if hasattr(persona, "get") else (lambda key, default=None: default)
    occupation = get("occupation", None)
    if isinstance(occupation, dict):
        occupation = occupation.get("title")
    memory = getattr(agent, "episodic_memory", None)
    return {"name": agent.name, "age": get("age", None), "occupation": occupation,
            "memories": len(memory) if memory is not None else None}


# -- a survey -----------------------------------------------------------------------------
def _question_chart(result: Any, question: Any) -> str | None:
    from tinytroupe.errors import SpecificationError

    try:
        summary = result.distribution(question.name)
    except SpecificationError:
        try:
            shares = result.option_shares(question.name)
        except SpecificationError:
            return None
        return charts.bar_chart([(o, round(100 * s, 1)) for o, (s, _) in shares.items()], question.name, unit="%")
    options = getattr(question, "options", None)
    labels = [str(options[int(p) - 1]) if options and float(p).is_integer() and 0 < p <= len(options) else f"{p:g}"
              for p in summary.points]
    title = f"{question.name} (n={summary.n}, mean {summary.mean:.2f})"
    return charts.bar_chart([(lab, round(100 * s, 1)) for lab, s in zip(labels, summary.shares, strict=True)],
                            title, unit="%")


def survey_html(result: Any, by: Sequence[Any] | str | None = None, people: Any = None) -> str:
    """A survey's answers: the table, one chart per question and, for each attribute in ``by``, a breakdown."""
    rows = result.table()
    columns = ["respondent", *[q.name for q in result.questions]]
    head = (f"<h2>Survey results <span class=\"muted\">({len(result.respondents)} respondents, {_e(result.mode)} "
            "mode)</span></h2>")
    questions = "".join(f"<li><b>{_e(q.name)}</b>: {_e(q.text)}</li>" for q in result.questions)
    parts = [f"<section>{head}<ul>{questions}</ul>", table(rows, columns, "", "tt-answers"),
             _figures(_question_chart(result, q) for q in result.questions)]
    if failed := result.errors():
        parts.append(f'<p class="tt-failed">{len(failed)} answers failed (empty in the table).</p>')
    parts.append("</section>")
    for attribute in ([by] if isinstance(by, str) else list(by or [])):
        parts.append(f"<section>{result.by(attribute, people).to_html()}</section>")
    return fragment("".join(parts), "survey")


class SurveyView:
    """A survey's results for display with a segment breakdown: ``display(SurveyView(result, by="age_band"))``."""

    def __init__(self, result: Any, by: Sequence[Any] | str | None = None, people: Any = None):
        self.result, self.by, self.people = result, by, people

    def _repr_html_(self) -> str:
        return survey_html(self.result, self.by, self.people)


# -- an experiment --------------------------------------------------------------------------
def experiment_html(result: Any) -> str:
    """An experiment: arms x seeds, the comparison table against the control, and each metric's means by arm."""
    rows = result.comparison_rows()
    columns = [c for c in ("arm", "metric", "n", "mean", "sd", "difference", "p_value", "effect_size", "significant")
               if any(c in r for r in rows)]
    svgs = []
    for metric in dict.fromkeys(r["metric"] for r in rows):
        bars = [(r["arm"], round(r["mean"], 3)) for r in rows if r["metric"] == metric and r["mean"] == r["mean"]]
        svgs.append(charts.bar_chart(bars, f"{metric}: mean by arm"))
    body = (f"<section><h2>{_e(result.name)}</h2><p>{len(result.arms)} arms x {len(result.seeds)} seeds; control: "
            f"{_e(result.arms[0])}; differences and p-values are against the control.</p>"
            + table(rows, columns, "", "tt-results") + _figures(svgs) + "</section>")
    return fragment(body, "experiment")


# -- a run folder --------------------------------------------------------------------------
class RunReport:
    """The report of a run folder, shown inline in a notebook (``display(RunReport(path))``) or written as a page."""

    def __init__(self, run_dir: str | os.PathLike):
        self.folder = Path(run_dir)
        self.run: RunData = load_run(self.folder)

    def __repr__(self) -> str:
        return f"RunReport({str(self.folder)!r})"

    def html(self) -> str:
        """The report as a whole page (what ``report.html`` holds)."""
        return render_page(self.run)

    def write(self, output: str | os.PathLike | None = None) -> Path:
        """Write the page to ``output`` (default ``RUN_DIR/report.html``)."""
        from tinytroupe.report import write_run_report

        return write_run_report(self.folder, output)

    def _repr_html_(self) -> str:
        run = self.run
        steps = sum(1 for s in run.steps if s.number)
        subtitle = " · ".join(str(x) for x in (run.model, f"{len(run.personas)} people" if run.personas else "",
                                                 f"{steps} step{'' if steps == 1 else 's'}") if x)
        header = f"<header><h1>{_e(run.title)}</h1><p>{_e(subtitle)}</p></header>"
        return fragment(header + "".join(render_sections(run, search=False)), "report")
