"""The Profiler's advanced analysis, custom analyses, text report and population comparison."""

from __future__ import annotations

import pytest

from tinytroupe.profiling import Profiler


def person(name, age, nationality, title, traits, interests):
    return {"name": name, "age": age, "nationality": nationality, "gender": "Female" if age % 2 else "Male",
            "occupation": {"title": title}, "personality": {"traits": traits},
            "preferences": {"interests": interests}}


PANEL = [person("Ana", 23, "Portuguese", "Nurse", ["calm"], ["hiking"]),
         person("Bo", 34, "Swedish", "Engineer", ["calm", "curious"], ["chess", "hiking"]),
         person("Cy", 45, "Portuguese", "Teacher", ["curious", "patient", "calm"], ["reading", "chess", "hiking"]),
         person("Di", 61, "Brazilian", "Nurse", ["patient", "kind", "calm", "curious"], ["gardening", "chess",
                                                                                         "hiking", "reading"])]


def test_advanced_analysis_fills_analysis_results():
    profiler = Profiler(["age", "nationality", "occupation.title"])
    profiler.profile(PANEL, plot=False)
    assert [p["name"] for p in profiler.agents] == ["Ana", "Bo", "Cy", "Di"]
    demo = profiler.analysis_results["demographics"]
    assert demo["population_size"] == 4 and demo["age"]["mean"] == pytest.approx(40.75)
    assert demo["age_groups"] == {"18-24": 1, "25-34": 1, "45-54": 1, "55-64": 1}
    assert demo["nationality"]["distribution"] == {"Portuguese": 2, "Swedish": 1, "Brazilian": 1}
    assert demo["nationality"]["diversity"] == pytest.approx(1 - (0.25 + 0.0625 + 0.0625))
    facets = profiler.analysis_results["persona_facets"]
    assert facets["traits"]["most_common"][0] == ("calm", 4) and facets["interests"]["mean_per_person"] == 2.5
    # older people in this panel list more traits: a perfect rank, a strong linear correlation
    assert profiler.analysis_results["correlations"]["age~traits_count"] > 0.9


def test_without_advanced_analysis_there_are_no_results():
    profiler = Profiler(["age"])
    profiler.profile(PANEL, plot=False, advanced_analysis=False)
    assert profiler.analysis_results == {}
    with pytest.raises(ValueError, match="profile"):
        profiler.generate_analysis_report()


def test_custom_analysis_report_and_export(tmp_path):
    profiler = Profiler(["age"])
    profiler.add_custom_analysis("nurses", lambda agents: sum(a["occupation"]["title"] == "Nurse" for a in agents))
    profiler.profile(PANEL, plot=False)
    assert profiler.analysis_results["nurses"] == 2
    text = profiler.generate_analysis_report()
    assert "Demographics" in text and "Custom analysis: nurses" in text and "calm (4)" in text
    path = profiler.export_analysis_report(tmp_path / "out" / "panel.txt")
    assert (tmp_path / "out" / "panel.txt").read_text() == text and path.endswith("panel.txt")
    with pytest.raises(ValueError):
        profiler.add_custom_analysis("bad", "not a function")


def test_compare_populations():
    profiler = Profiler(["nationality", "age"])
    profiler.profile(PANEL[:2], plot=False)
    comparison = profiler.compare_populations(PANEL[2:])
    nat = comparison["attributes"]["nationality"]
    assert comparison["population_sizes"] == [2, 2]
    assert nat["shared_values"] == ["Portuguese"] and nat["total_variation"] == pytest.approx(0.5)
    assert comparison["attributes"]["age"]["mean_difference"] == pytest.approx(53 - 28.5)
    with pytest.raises(ValueError):
        Profiler().compare_populations(PANEL)
