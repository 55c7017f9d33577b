"""Details of the report and usage tables that a reader notices: labels, world values, plurals, rows."""

from __future__ import annotations

import re

from tinytroupe.llm.wrappers.usage import UsageStats
from tinytroupe.report.charts_for_results import extraction_charts
from tinytroupe.report.page import render_page
from tinytroupe.report.run_data import RunData, Step
from tinytroupe.utils.charts import bar_chart


def test_a_long_bar_label_starts_inside_the_chart_and_is_shortened_at_its_end():
    svg = bar_chart([("Unemployed (former warehouse worker)", 3), ("Nurse", 1)], "occupation")
    labels = re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-size="12">([^<]*)</text>', svg)
    assert ("4", "Unemployed (former wa…") in labels and ("4", "Nurse") in labels
    assert 'text-anchor="end"' not in svg  # nothing is drawn leftwards past the edge


def test_a_world_level_value_is_not_charted_per_person():
    world = {"scope": "world", "fields": ["interested"], "hints": {"interested": "an integer from 0 to 5"},
             "results": {"interested": 3, "per_agent": {"Lisa": {"interested": 3}, "Oscar": {"interested": 3}}}}
    person = {**world, "scope": "agent", "results": {"Lisa": {"interested": 3}, "Oscar": {"interested": 1}}}
    assert extraction_charts(world) == [] and len(extraction_charts(person)) == 1


def test_one_step_is_one_step():
    page = render_page(RunData(folder=None, title="t", model="m", steps=[Step(1)]))  # type: ignore[arg-type]
    assert "1 step<" in page.replace(" · ", "<") or "1 step</p>" in page
    assert "1 steps" not in page


def test_the_usage_summary_lists_each_purpose_once():
    stats = UsageStats()
    stats.record_call("m", {"purpose": "extraction", "agent": "Lisa"}, input_tokens=3, output_tokens=2,
                      cached=False, cost=None)
    text = stats.summary()
    assert text.count("extraction") == 1 and "agent Lisa" in text
