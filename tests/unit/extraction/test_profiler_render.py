"""Profiler.render() shows the distributions and returns nothing, as the original's did;
to_html() and to_text() return them."""

from __future__ import annotations

import pytest

from tinytroupe.profiling import Profiler

PEOPLE = [{"name": "A", "age": 30, "nationality": "Brazilian"}, {"name": "B", "age": 30, "nationality": "Chilean"},
          {"name": "C", "age": 41, "nationality": "Brazilian"}]


def test_render_prints_text_bars_outside_jupyter(capsys):
    profiler = Profiler(["age", "nationality"])
    profiler.profile(PEOPLE, plot=False)
    assert profiler.render() is None
    out = capsys.readouterr().out
    assert "nationality distribution" in out and "Brazilian" in out
    block = profiler.to_text().split("\n\n")[1].splitlines()
    assert block[1].strip().startswith("Brazilian") and block[1].rstrip().endswith(" 2")
    assert block[1].count("#") == 2 * block[2].count("#")  # bars scale with the counts
    assert profiler.to_html().count("<figure") == 2 and "<svg" in profiler.to_html()


def test_render_before_profile_says_what_to_do():
    with pytest.raises(ValueError, match="profile\\(agents\\) first"):
        Profiler().render()
