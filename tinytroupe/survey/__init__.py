"""Surveys: typed questions asked to a population, answer tables and distributions measured against real ones."""

from __future__ import annotations

from tinytroupe.survey.fidelity import FidelityReport, QuestionFidelity, fidelity
from tinytroupe.survey.questions import (
    FreeTextQuestion,
    LikertQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Question,
    SingleChoiceQuestion,
)
from tinytroupe.survey.segments import SegmentBreakdown, breakdown
from tinytroupe.survey.survey import MODES, Response, Survey, SurveyResult, similarity_probabilities
from tinytroupe.validation.distribution import Comparison, DistributionSummary, summarize

__all__ = ["Survey", "SurveyResult", "Response", "MODES", "Question", "LikertQuestion", "SingleChoiceQuestion",
           "MultipleChoiceQuestion", "NumberQuestion", "FreeTextQuestion", "similarity_probabilities",
           "DistributionSummary", "Comparison", "summarize", "SegmentBreakdown", "breakdown", "FidelityReport",
           "QuestionFidelity", "fidelity"]
