"""Tolerant JSON extraction from model text."""

import pytest

from tinytroupe.llm.json_extract import JSONExtractionError, extract_json


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"a": 1}', {"a": 1}),
        ('Sure! Here it is: {"a": 1} hope that helps', {"a": 1}),
        ('```json\n{"a": 1}\n```', {"a": 1}),
        ('Text before\n```\n{"a": [1, 2]}\n```\nafter', {"a": [1, 2]}),
        ('{"a": 1, "b": [1, 2,],}', {"a": 1, "b": [1, 2]}),
        ('{"a": "line one\nline two"}', {"a": "line one\nline two"}),
        ("{'a': True, 'b': None}", {"a": True, "b": None}),
        ('[{"x": 1}]', [{"x": 1}]),
        ('prefix {"a": "has } brace"} suffix', {"a": "has } brace"}),
    ],
)
def test_llm_extracts_json_from_varied_replies(text, expected):
    assert extract_json(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "no json at all here"])
def test_llm_extraction_fails_with_a_reason(text):
    with pytest.raises(JSONExtractionError) as info:
        extract_json(text)
    assert str(info.value)


def test_llm_truncated_json_is_reported_as_cut_off():
    with pytest.raises(JSONExtractionError, match="cut off"):
        extract_json('{"name": "Lisa", "age": 3')
