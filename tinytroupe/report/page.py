"""The run report as one self-contained HTML page: inline CSS, inline SVG, a few lines of
inline script for the transcript search; nothing is fetched when it is viewed (the page's
content security policy forbids it)."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

from tinytroupe.extraction.tables import columns_of
from tinytroupe.llm.bill import HEADER as BILL_HEADER
from tinytroupe.llm.bill import bill_rows
from tinytroupe.profiling import Profiler
from tinytroupe.report.charts_for_results import extraction_charts
from tinytroupe.report.run_data import RunData, Step
from tinytroupe.report.survey_sections import fidelity_section, segments_section

__all__ = ["render_page", "render_sections", "table", "step_html", "PAGE_CSS"]

_PROFILE = ("age", "gender", "nationality", "occupation.title")
_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'")
PAGE_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#243447;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;opacity:.85}nav{padding:8px 28px;background:#e8ecf1;font-size:14px}nav a{margin-right:16px;color:#243447}
main{padding:8px 28px 40px;max-width:1150px}section{background:#fff;border-radius:8px;padding:14px 20px;margin:16px 0;
box-shadow:0 1px 2px rgba(0,0,0,.08)}h2{margin:4px 0 10px;font-size:19px}h3{font-size:16px;margin:14px 0 6px}
table{border-collapse:collapse;margin:8px 0;font-size:14px}th,td{border:1px solid #d7dce3;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#eef1f5}td.num{text-align:right}.charts{display:flex;flex-wrap:wrap;gap:14px}
figure{margin:6px 0}pre{white-space:pre-wrap;background:#f3f4f6;padding:10px;border-radius:6px;font-size:13px}
details.tt-step{border-top:1px solid #e3e6ea;padding:4px 0}details.tt-step>summary{cursor:pointer;font-weight:600}
ol.events{margin:4px 0 8px;padding-left:22px}li.tt-event{margin:2px 0}.kind{font-size:11px;padding:1px 5px;border-radius:4px;
background:#e8ecf1;color:#334}.who{font-weight:600}.muted{color:#667}input[type=search]{padding:6px 10px;width:320px;
border:1px solid #c4cad3;border-radius:6px}li.hidden,details.hidden{display:none}.tt-failed{color:#8a4b00}
"""
_SCRIPT = """
(function(){
  var box=document.getElementById('tt-search');
  function filter(){
    var q=box.value.toLowerCase();
    document.querySelectorAll('details.tt-step').forEach(function(step){
      var shown=0;
      step.querySelectorAll('li.tt-event').forEach(function(li){
        var hit=!q||li.textContent.toLowerCase().indexOf(q)>=0;
        li.classList.toggle('hidden',!hit); if(hit){shown++;}
      });
      step.classList.toggle('hidden',q&&!shown); if(q&&shown){step.open=true;}
    });
  }
  if(box){box.addEventListener('input',filter);}
  document.body.setAttribute('data-ready','1');
})();
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "<td>yes</td>" if value else "<td>no</td>"
    if isinstance(value, (int, float)):
        return f'<td class="num">{value:g}</td>'
    if isinstance(value, (list, dict)):
        return f"<td>{_e(', '.join(map(str, value)) if isinstance(value, list) else json.dumps(value))}</td>"
    return f"<td>{_e(value)}</td>"


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], table_id: str = "", cls: str = "") -> str:
    """An HTML table of ``rows`` (numbers right-aligned)."""
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_cell(r.get(c)) for c in columns) + "</tr>" for r in rows)
    ident = f' id="{table_id}"' if table_id else ""
    return f'<table{ident} class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _scenario(run: RunData) -> str:
    parts = ['<section id="scenario"><h2>Scenario</h2>']
    if run.description:
        parts.append(f"<p>{_e(run.description)}</p>")
    facts = [("model", run.model), ("seed", run.seed), ("steps", sum(1 for s in run.steps if s.number)),
             ("events", run.event_count), ("people", len(run.personas))]
    parts.append(table([{k: v for k, v in facts if v not in (None, "")}], [k for k, v in facts if v not in (None, "")],
                        cls="tt-facts"))
    if run.scenario_text:
        label = _e(run.scenario_file or "scenario file")
        parts.append(f"<details><summary>{label}</summary><pre>{_e(run.scenario_text)}</pre></details>")
    parts.append("</section>")
    return "".join(parts)


def _results(run: RunData) -> str:
    if not run.results:
        return ('<section id="results"><h2>Results</h2><p class="muted">This run extracted no results: add '
                '[[extract]] sections to the scenario file to get a table here.</p></section>')
    parts = ['<section id="results"><h2>Results</h2>']
    rows = run.results.get("rows") or []
    if rows:
        parts.append(table(rows, columns_of(rows), "results-table", "tt-results"))
    for extraction in run.results.get("extractions") or []:
        parts.append(f"<h3>{_e(extraction.get('name'))} <span class=\"muted\">({_e(extraction.get('scope'))})</span></h3>")
        parts.append(f"<p>{_e(extraction.get('objective'))}</p>")
        if extraction.get("scope") == "world":
            group = {k: v for k, v in (extraction.get("results") or {}).items() if k != "per_agent"}
            if group:
                parts.append(table([group], list(group), cls="tt-group"))
        failures = extraction.get("failures") or {}
        if failures:
            parts.append(f'<p class="tt-failed">Not extracted for {len(failures)}:</p><ul class="tt-failed">'
                         + "".join(f"<li><b>{_e(who)}</b>: {_e(reason)}</li>" for who, reason in failures.items())
                         + "</ul>")
        charts = extraction_charts(extraction)
        if charts:
            parts.append('<div class="charts">' + "".join(f"<figure>{svg}</figure>" for svg in charts) + "</div>")
    parts.append("</section>")
    return "".join(parts)


def _failures(run: RunData) -> str:
    """Every per-person step that failed (extractions and turns), with its reason."""
    if not run.failures:
        return ""
    rows = [{"step": f.get("step", ""), "who": f.get("who", ""), "reason": f.get("reason", "")} for f in run.failures]
    people = len({r["who"] for r in rows})
    return (f'<section id="failures"><h2>Not completed</h2><p class="tt-failed">A partial result: a step failed '
            f'for {people} of {max(len(run.personas), people)}; the run went on without it.</p>'
            + table(rows, ["step", "who", "reason"], "failures-table") + "</section>")


def _experiment(run: RunData) -> str:
    if not run.experiment:
        return ""
    exp = run.experiment
    rows = [{k: r.get(k) for k in ("arm", "metric", "n", "mean", "sd", "difference", "p_value", "effect_size",
                                   "significant")} for r in exp.get("comparison") or []]
    return (f'<section id="experiment"><h2>Experiment</h2><p>{_e(len(exp.get("arms") or []))} arms x '
            f'{_e(len(exp.get("seeds") or []))} seeds; control: {_e((exp.get("arms") or ["?"])[0])}; '
            'differences and p-values are against the control.</p>'
            + table(rows, list(rows[0]) if rows else [], "experiment-table", "tt-results") + "</section>")


def _population(run: RunData) -> str:
    if not run.personas:
        return ""
    people = [{"name": p.get("name"), "age": p.get("age"), "nationality": p.get("nationality"),
               "occupation": (p.get("occupation") or {}).get("title") if isinstance(p.get("occupation"), dict)
               else p.get("occupation")} for p in run.personas]
    profiler = Profiler(_PROFILE)
    profiler.profile(run.personas, plot=False)
    charts = "".join(f"<figure>{svg}</figure>" for svg in profiler.charts().values())
    stats = "".join(f"<p class=\"muted\">{_e(a)}: mean {s['mean']:g}, median {s['median']:g}, "
                    f"range {s['min']:g}–{s['max']:g}</p>" for a, s in profiler.summary.items())
    return (f'<section id="population"><h2>Population</h2>{table(people, list(people[0]), "people-table")}'
            f'{stats}<div class="charts">{charts}</div></section>')


def _event_line(event: Mapping[str, Any]) -> str:
    data = event.get("data") or {}
    kind = str(data.get("type") or event.get("kind", ""))
    who = data.get("agent") or event.get("source") or ""
    if event.get("kind") == "agent.stimulus":
        sender = data.get("sender") or ""
        head = f'<span class="who">{_e(sender or "world")}</span> → {_e(who)}'
    elif event.get("kind") == "agent.action":
        target = data.get("target") or ""
        head = f'<span class="who">{_e(who)}</span>' + (f" → {_e(target)}" if target else "")
    else:
        head = f'<span class="who">{_e(event.get("source") or "")}</span> <span class="muted">{_e(event.get("kind"))}</span>'
    content = data.get("content")
    if not isinstance(content, str):
        content = json.dumps(content, ensure_ascii=False) if content else ""
    return (f'<li class="tt-event" data-kind="{_e(kind)}">{head} <span class="kind">{_e(kind)}</span> '
            f"{_e(content)}</li>")


def step_html(step: Step) -> str:
    """One step of a transcript, collapsible, with its events."""
    shown = [e for e in step.events if (e.get("data") or {}).get("type") != "DONE"]
    label = f"Step {step.number}" if step.number else "Before the first step"
    when = f" · {_e(step.time)}" if step.time else ""
    lines = "".join(_event_line(e) for e in shown)
    return (f'<details class="tt-step" open><summary>{label}{when} · {len(shown)} events</summary>'
            f'<ol class="events">{lines}</ol></details>')


def _transcript(run: RunData, search: bool = True) -> str:
    steps = "".join(step_html(s) for s in run.steps)
    box = ('<p><input id="tt-search" type="search" placeholder="Search the transcript" '
           'aria-label="Search the transcript"></p>') if search else ""
    return '<section id="transcript"><h2>Transcript</h2>' + box + steps + "</section>"


def _usage(run: RunData) -> str:
    usage = run.usage
    rows = []
    if usage:
        rows.append({"part": "simulation", "calls": usage.get("calls", 0), "tokens in": usage.get("input_tokens", 0),
                     "tokens out": usage.get("output_tokens", 0), "cost": usage.get("cost_text", "")})
    for purpose, u in sorted(run.extraction_usage.items()):
        rows.append({"part": purpose, "calls": u.get("calls", 0), "tokens in": u.get("input_tokens", 0),
                     "tokens out": u.get("output_tokens", 0), "cost": f"${float(u.get('cost') or 0):.4f}"})
    if not rows:
        return ""
    return (f'<section id="usage"><h2>Usage and cost</h2>{table(rows, list(rows[0]), "usage-table")}'
            f"{_bill(usage)}</section>")


def _bill(usage: Mapping[str, Any]) -> str:
    """The simulation's calls by model and by purpose, as in the CLI's bill and ``summary.md``."""
    rows = bill_rows(dict(usage))
    if not rows:
        return ""
    head = "".join(f"<th>{_e(h or 'by')}</th>" for h in BILL_HEADER)
    body = "".join("<tr>" + f"<td>{_e(row[0])}</td>" + "".join(f'<td class="num">{_e(v)}</td>' for v in row[1:])
                   + "</tr>" for row in rows)
    return ('<h3>By model and by purpose</h3><p class="muted">Calls of the simulation that reached the provider; '
            "calls answered by the call cache are counted apart and cost nothing.</p>"
            f'<table id="bill-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def render_sections(run: RunData, search: bool = True) -> list[str]:
    """The report's sections in order (empty ones left out); ``search=False`` drops the transcript's search box."""
    sections = [_scenario(run), _failures(run), _experiment(run), _results(run), segments_section(run),
                fidelity_section(run), _population(run), _transcript(run, search), _usage(run)]
    return [s for s in sections if s]


def render_page(run: RunData) -> str:
    """The whole report page for ``run``."""
    sections = render_sections(run)
    segments = any(s.startswith('<section id="segments"') for s in sections)
    fidelity = any(s.startswith('<section id="fidelity"') for s in sections)
    nav = "".join(f'<a href="#{k}">{label}</a>' for k, label in (
        ("scenario", "Scenario"), *((("failures", "Not completed"),) if run.failures else ()),
        *((("experiment", "Experiment"),) if run.experiment else ()),
        ("results", "Results"), *((("segments", "Segments"),) if segments else ()),
        *((("fidelity", "Fidelity"),) if fidelity else ()),
        ("population", "Population"), ("transcript", "Transcript"), ("usage", "Usage")))
    steps = sum(1 for s in run.steps if s.number)
    subtitle = " · ".join(str(x) for x in (run.model, f"{len(run.personas)} people" if run.personas else "",
                                             f"{steps} step{'' if steps == 1 else 's'}") if x)
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(run.title)}</title><style>{PAGE_CSS}</style></head><body>"
            f"<header><h1>{_e(run.title)}</h1><p>{_e(subtitle)}</p></header><nav>{nav}</nav>"
            f"<main>{''.join(sections)}</main><script>{_SCRIPT}</script></body></html>\n")
