"""Profiler over real example agents and persona dicts; the inline-SVG charts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from tinytroupe import events
from tinytroupe.agent import TinyPerson
from tinytroupe.profiling import Profiler, attribute_value
from tinytroupe.utils import charts

AGENTS = Path(__file__).resolve().parents[3] / "tinytroupe" / "examples" / "agents"
SVG = "{http://www.w3.org/2000/svg}"


def people():
    return [TinyPerson.load_specification(p) for p in sorted(AGENTS.glob("*.agent.json"))]


def test_profile_counts_the_example_agents():
    agents = people()
    profiler = Profiler(["age", "nationality", "occupation.title"])
    with events.collect(["profile.charts"]) as seen:
        dist = profiler.profile(agents)
    assert sum(dist["age"].values()) == len(agents) >= 3
    ages = [a.get("age") for a in agents]
    assert profiler.summary["age"]["mean"] == round(sum(ages) / len(ages), 3)
    assert profiler.summary["age"]["min"] == min(ages) and profiler.summary["age"]["max"] == max(ages)
    titles = {str(attribute_value(a, "occupation.title")) for a in agents}
    assert set(dist["occupation.title"]) == titles
    assert set(seen.events[0].data["charts"]) == {"age", "nationality", "occupation.title"}
    frame = profiler.to_dataframe("nationality")
    assert list(frame.columns) == ["attribute", "value", "count", "share"] and frame["count"].sum() == len(agents)


def test_dicts_lists_strings_and_missing_values():
    population = [{"name": "A", "age": 30, "occupation": "nurse", "interests": ["tea", "chess"]},
                  {"persona": {"name": "B", "age": 41, "occupation": {"title": "baker"}, "interests": ["tea"]}},
                  {"name": "C"}]
    profiler = Profiler(["occupation.title", "interests", "age"])
    dist = profiler.profile(population, plot=False)
    assert dist["occupation.title"] == {"(unknown)": 1, "baker": 1, "nurse": 1}
    assert dist["interests"]["tea"] == 2 and dist["interests"]["chess"] == 1
    assert profiler.summary["age"]["count"] == 2
    assert {"attribute": "interests", "value": "tea", "count": 2, "share": round(2 / 4, 4)} in profiler.records()
    ages = profiler.dataframes()["age"]
    assert list(ages.columns) == ["age", "count"] and list(ages["age"]) == ["30", "41", "(unknown)"]


def test_charts_are_valid_svg_with_one_bar_per_value():
    svg = charts.bar_chart([("yes <b>", 3), ("no", 1)], "Would buy")
    root = ET.fromstring(svg)
    bars = root.findall(f".//{SVG}rect")
    assert root.get("class") == "tt-chart" and len(bars) == 2
    assert bars[0].find(f"{SVG}title").text == "yes <b>: 3"
    assert float(bars[0].get("width")) > float(bars[1].get("width"))
    assert charts.bins([1, 2, 2, 5]) == [("1", 1), ("2", 2), ("3", 0), ("4", 0), ("5", 1)]
    assert sum(c for _, c in charts.bins([0.1 * i for i in range(50)])) == 50
    assert ET.fromstring(charts.bar_chart([], "empty")).get("class") == "tt-chart"
