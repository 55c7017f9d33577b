"""A run as four tables with fixed columns: transcript, actions, people, results.

::

    frames = to_frames("examples/scenarios/out/product_survey")   # {"transcript": DataFrame, ...}
    frames = to_frames(world, results=survey_result)                # a live world, a survey's answers
    write_tables(run_folder, run_folder / "tables", "parquet")     # transcript.parquet, ...

A source is a world (its transcript and agents), a run folder (``transcript.jsonl``,
``state.json``, ``results.json``, as ``tinytroupe run`` writes them) or results alone
(a :class:`~tinytroupe.survey.SurveyResult`, a ``results.json`` document or its list of
extractions). Columns and their types are in :data:`TABLES` and README ("Tables of a run");
they are the same whatever the run, so a notebook or a warehouse load keeps working from
one run to the next. Results are in long form (one row per respondent and field): pivot on
``field`` for one column per field.

Writing: ``parquet`` needs the ``parquet`` extra (pyarrow); DataFrames need the ``analysis``
extra (pandas); CSV and JSON need nothing. CSV cells that start like a formula are
neutralised (:mod:`tinytroupe.extraction.tables`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tinytroupe.errors import MissingExtraError, SpecificationError
from tinytroupe.extraction import tables
from tinytroupe.extraction.people import person_record, personas_of

__all__ = ["TABLES", "FORMATS", "PARQUET_INSTALL", "run_tables", "to_frames", "write_tables", "require_pyarrow",
           "transcript_records", "action_records", "people_records", "result_records"]

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "transcript": (("seq", "int"), ("step", "int"), ("sim_time", "text"), ("kind", "text"), ("agent", "text"),
                   ("type", "text"), ("content", "text"), ("sender", "text"), ("target", "text"),
                   ("world", "text"), ("data", "text")),
    "actions": (("seq", "int"), ("step", "int"), ("sim_time", "text"), ("agent", "text"), ("type", "text"),
                ("content", "text"), ("target", "text"), ("world", "text")),
    "people": (("name", "text"), ("age", "int"), ("age_band", "text"), ("gender", "text"), ("nationality", "text"),
               ("occupation", "text"), ("residence", "text"), ("persona", "text")),
    "results": (("extraction", "text"), ("scope", "text"), ("respondent", "text"), ("field", "text"),
                ("value", "text"), ("number", "float")),
}
"""Each table's columns and their types (``int``: whole numbers or empty; ``float``; ``text``)."""

FORMATS = ("parquet", "csv", "json")
PARQUET_INSTALL = 'pip install "tinytroupe[parquet]"'
_SUFFIX = {"parquet": ".parquet", "csv": ".csv", "json": ".json"}


def require_pyarrow() -> Any:
    """The pyarrow module, or a :class:`MissingExtraError` that says how to install it."""
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401 - the writer lives in a submodule
    except ImportError:
        raise MissingExtraError(f"writing Parquet needs pyarrow, which is not installed: run {PARQUET_INSTALL} "
                                "(or write csv or json, which need nothing)") from None
    return pyarrow


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def transcript_records(events: Iterable[Any]) -> list[dict[str, Any]]:
    """One row per transcript event (events or their dicts); ``step``: the world step it happened in (0: before)."""
    rows, step = [], 0
    for event in events:
        e = event.to_dict() if hasattr(event, "to_dict") else dict(event)
        data = e.get("data") or {}
        if e.get("kind") == "world.step":
            step = int(data.get("step") or step + 1)
        agent = data.get("agent") or (e.get("source") if str(e.get("kind", "")).startswith("agent.") else None)
        rows.append({"seq": e.get("seq"), "step": step, "sim_time": _text(e.get("sim_time")), "kind": e.get("kind"),
                     "agent": agent, "type": data.get("type"), "content": _text(data.get("content")),
                     "sender": data.get("sender"), "target": data.get("target"),
                     "world": e.get("world_id") or data.get("world"), "data": _text(data)})
    return rows


def action_records(events: Iterable[Any]) -> list[dict[str, Any]]:
    """One row per agent action (``DONE`` markers left out)."""
    columns = [c for c, _ in TABLES["actions"]]
    return [{c: row[c] for c in columns} for row in transcript_records(events)
            if row["kind"] == "agent.action" and row["type"] != "DONE"]


def people_records(people: Any) -> list[dict[str, Any]]:
    """One row per person of a world, agents or personas."""
    return [person_record(p) for p in personas_of(people)]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _result_row(extraction: str, scope: str, respondent: str, field: str, value: Any) -> dict[str, Any]:
    return {"extraction": extraction, "scope": scope, "respondent": respondent, "field": field,
            "value": _text(value), "number": _number(value)}


def _extraction_rows(ex: Mapping[str, Any]) -> list[dict[str, Any]]:
    name, results = str(ex.get("name") or "extract"), ex.get("results") or {}
    rows = []
    if ex.get("scope") == "world":
        world = str(ex.get("world") or "(everyone)")
        rows += [_result_row(name, "world", world, k, v) for k, v in results.items() if k != "per_agent"]
        for who, answer in (results.get("per_agent") or {}).items():
            rows += [_result_row(name, "per_agent", who, k, v) for k, v in (answer or {}).items()]
        return rows
    for who, answer in results.items():
        if isinstance(answer, Mapping):
            rows += [_result_row(name, "agent", who, k, v) for k, v in answer.items()]
        else:
            rows.append(_result_row(name, "agent", who, "value", answer))
    return rows


def result_records(results: Any) -> list[dict[str, Any]]:
    """One row per respondent and field, from a survey's result, a ``results.json`` document or
    its extractions."""
    if results is None:
        return []
    if hasattr(results, "responses") and hasattr(results, "questions"):  # a SurveyResult
        return [_result_row("survey", "agent", r.respondent, r.question, r.answer) for r in results.responses]
    if isinstance(results, Mapping):
        results = results.get("extractions")
    if not isinstance(results, Sequence) or isinstance(results, str):
        raise SpecificationError("results must be a SurveyResult, a results.json document or its list of "
                                 f"extractions; got {type(results).__name__}")
    return [row for ex in results if isinstance(ex, Mapping) for row in _extraction_rows(ex)]


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SpecificationError(f"{path}: the {what} cannot be read ({exc})") from None


def _read_lines(path: Path) -> list[dict[str, Any]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except ValueError:
                    raise SpecificationError(f"{path}, line {number}: not a JSON event; the transcript is "
                                             "damaged") from None
    return out


def _from_folder(root: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
    manifest = _read_json(root / "run.json", "run manifest") if (root / "run.json").is_file() else {}
    files = {"transcript": "transcript.jsonl", "state": "state.json", "results": "results.json",
             **(manifest.get("files") or {})}
    transcript, state, results = root / files["transcript"], root / files["state"], root / files["results"]
    if not transcript.is_file() and not state.is_file() and not results.is_file():
        raise SpecificationError(f"{root} holds no transcript.jsonl, state.json or results.json; give the output "
                                 "folder of a `tinytroupe run`")
    events = _read_lines(transcript) if transcript.is_file() else []
    agents = ((_read_json(state, "final state").get("world") or {}).get("agents") or []) if state.is_file() else []
    return events, agents, _read_json(results, "results file") if results.is_file() else None


def run_tables(source: Any, results: Any = None) -> dict[str, list[dict[str, Any]]]:
    """The four tables of ``source`` as plain rows (see the module docstring)."""
    if isinstance(source, (str, os.PathLike)):
        root = Path(source)
        if not root.is_dir():
            raise SpecificationError(f"{root} is not a folder; give the output folder of a `tinytroupe run`")
        events, people, found = _from_folder(root)
        results = results if results is not None else found
    elif hasattr(source, "transcript") and hasattr(source, "agents"):
        events, people = source.transcript, source
    else:  # results alone
        events, people, results = [], [], source
    return {"transcript": transcript_records(events), "actions": action_records(events),
            "people": people_records(people), "results": result_records(results)}


def _typed(value: Any, kind: str) -> Any:
    if value is None or (kind != "text" and value == ""):
        return None
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return value if isinstance(value, str) else _text(value)


def _typed_rows(name: str, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{c: _typed(r.get(c), kind) for c, kind in TABLES[name]} for r in rows]


def to_frames(source: Any, results: Any = None) -> dict[str, Any]:
    """The four tables of ``source`` as pandas DataFrames with the documented columns and types."""
    pandas = tables.require_pandas()
    dtypes = {"int": "Int64", "float": "Float64", "text": "string"}
    out = {}
    for name, rows in run_tables(source, results).items():
        columns = [c for c, _ in TABLES[name]]
        frame = pandas.DataFrame(_typed_rows(name, rows), columns=columns)
        out[name] = frame.astype({c: dtypes[kind] for c, kind in TABLES[name]})
    return out


def _write_parquet(name: str, rows: Sequence[Mapping[str, Any]], path: Path) -> Path:
    pyarrow = require_pyarrow()
    kinds = {"int": pyarrow.int64(), "float": pyarrow.float64(), "text": pyarrow.string()}
    schema = pyarrow.schema([(c, kinds[kind]) for c, kind in TABLES[name]])
    table = pyarrow.Table.from_pylist(_typed_rows(name, rows), schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pyarrow.parquet.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_tables(source: Any, folder: str | os.PathLike, fmt: str = "parquet", results: Any = None) -> dict[str, Path]:
    """Write the four tables of ``source`` into ``folder`` as ``NAME.parquet`` (or ``.csv``,
    ``.json``: a list of rows); returns table name -> path."""
    if fmt not in FORMATS:
        raise SpecificationError(f"table format {fmt!r} unknown; use one of: {', '.join(FORMATS)}")
    if fmt == "parquet":
        require_pyarrow()  # before anything is written
    target = Path(folder)
    written = {}
    for name, rows in run_tables(source, results).items():
        path = target / f"{name}{_SUFFIX[fmt]}"
        if fmt == "parquet":
            written[name] = _write_parquet(name, rows, path)
        elif fmt == "csv":
            written[name] = tables.write_csv(_typed_rows(name, rows), path, [c for c, _ in TABLES[name]])
        else:
            written[name] = tables.write_json(_typed_rows(name, rows), path)
    return written
