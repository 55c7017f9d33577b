"""``tinytroupe report RUN_DIR``: one self-contained HTML report of a run, viewable offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tinytroupe.cli.output import Output

__all__ = ["report"]


def report(
    ctx: typer.Context,
    run_dir: Annotated[Path, typer.Argument(metavar="RUN_DIR", help="The output folder of a `tinytroupe run`.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the HTML file here instead of RUN_DIR/report.html.")] = None,
) -> None:
    """Write an HTML report of a run: scenario, results with charts, population, transcript, cost."""
    from tinytroupe.report import write_run_report

    output: Output = ctx.obj
    if out is not None and out.is_dir():
        raise typer.BadParameter(f"{out} is a folder; name the HTML file to write, e.g. {out / 'report.html'}",
                                 param_hint="--out")
    path = write_run_report(run_dir, out)
    if output.json:
        output.emit_json({"report": str(path)})
        return
    output.result(f"Report saved to {path}")
