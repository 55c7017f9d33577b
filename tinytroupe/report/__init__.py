"""The run report: one self-contained HTML file for a run folder, viewable offline.

``write_run_report("examples/scenarios/out/product_survey")`` (or ``tinytroupe report
RUN_DIR``) reads what the run wrote (see :mod:`tinytroupe.report.run_data`) and writes
``report.html`` beside it: the scenario, the extracted results as a table with charts of
their distributions, the population's profile, the transcript step by step (collapsible and
searchable) and the model usage and cost, by model and by purpose with cached calls apart.
In a notebook, ``RunReport(RUN_DIR)`` shows the same report inline (see :mod:`tinytroupe.report.notebook`).
"""

from __future__ import annotations

import os
from pathlib import Path

from tinytroupe.report.notebook import RunReport, SurveyView
from tinytroupe.report.page import render_page
from tinytroupe.report.run_data import RunData, load_run

__all__ = ["write_run_report", "render_run_report", "load_run", "RunData", "REPORT_NAME", "RunReport", "SurveyView"]

REPORT_NAME = "report.html"


def render_run_report(run_dir: str | os.PathLike) -> str:
    """The report page of the run in ``run_dir``, as HTML text."""
    return render_page(load_run(run_dir))


def write_run_report(run_dir: str | os.PathLike, output: str | os.PathLike | None = None) -> Path:
    """Write the report of the run in ``run_dir`` to ``output`` (default ``RUN_DIR/report.html``)."""
    from tinytroupe.extraction.tables import write_text

    target = Path(output) if output is not None else Path(run_dir) / REPORT_NAME
    return write_text(target, render_run_report(run_dir))
