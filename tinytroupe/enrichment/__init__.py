"""Enrichment: content made fuller (:class:`TinyEnricher`) or restyled (:class:`TinyStyler`) by a model."""

from tinytroupe.enrichment.tiny_enricher import TinyEnricher
from tinytroupe.enrichment.tiny_styler import TinyStyler

__all__ = ["TinyEnricher", "TinyStyler"]
