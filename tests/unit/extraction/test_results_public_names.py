"""The results layer keeps the original's import paths."""

from __future__ import annotations


def test_original_import_paths():
    from tinytroupe.extraction import (  # noqa: F401
        ArtifactExporter,
        Normalizer,
        ResultsExtractor,
        ResultsReducer,
        ResultsReporter,
        default_extractor,
    )
    from tinytroupe.profiling import Profiler  # noqa: F401
    from tinytroupe.utils import LLMChat, llm  # noqa: F401
    from tinytroupe.utils.semantics import (  # noqa: F401
        accumulate_based_on_query,
        combine_texts,
        compute_semantic_proximity,
        correct_according_to_rule,
        extract_information_from_text,
        rephrase,
        restructure_as_observed_vs_expected,
    )

    assert isinstance(default_extractor, ResultsExtractor) and callable(llm)


def test_the_public_lists_are_pinned():
    import tinytroupe.extraction as extraction
    import tinytroupe.report as report
    import tinytroupe.utils as utils

    assert set(extraction.__all__) == {"ResultsExtractor", "ResultsReducer", "ResultsReporter", "Normalizer",
                                       "ArtifactExporter", "default_extractor"}
    assert {"LLMChat", "llm"} <= set(utils.__all__)
    assert {"write_run_report", "render_run_report"} <= set(report.__all__)
