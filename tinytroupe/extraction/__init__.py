"""Results out of a simulation: extraction, reduction to tables, normalisation and reports.

``ResultsExtractor`` (typed fields per agent or world), ``ResultsReducer`` (events to rows),
``Normalizer`` (free texts to categories), ``ResultsReporter`` (Markdown reports) and
``ArtifactExporter`` (files), with the original's names. ``default_extractor`` is a shared
extractor with the default settings.
"""

from __future__ import annotations

import importlib
from typing import Any

from tinytroupe.extraction.normalizer import Normalizer
from tinytroupe.extraction.results_extractor import ResultsExtractor
from tinytroupe.extraction.results_reducer import ResultsReducer
from tinytroupe.extraction.results_reporter import ResultsReporter

__all__ = ["ResultsExtractor", "ResultsReducer", "ResultsReporter", "Normalizer", "ArtifactExporter",
           "default_extractor"]

default_extractor = ResultsExtractor()


def __getattr__(name: str) -> Any:
    # The exporter lives in its own module, loaded on first use.
    if name == "ArtifactExporter":
        try:
            module = importlib.import_module("tinytroupe.extraction.artifact_exporter")
        except ModuleNotFoundError as exc:
            if exc.name != "tinytroupe.extraction.artifact_exporter":
                raise
            raise AttributeError("ArtifactExporter is not available in this version of tinytroupe") from None
        value = module.ArtifactExporter
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tinytroupe.extraction' has no attribute {name!r}")
