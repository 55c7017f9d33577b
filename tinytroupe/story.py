"""TinyStory under its short import path: ``from tinytroupe.story import TinyStory``."""

from tinytroupe.steering.story import OVER_BUDGET_FACTOR, TinyStory, trim_to_words

__all__ = ["TinyStory", "OVER_BUDGET_FACTOR", "trim_to_words"]
