"""Models that wrap a model or an embedder: request defaults, retry, limits, usage accounting.

One stack serves both seams (:mod:`~tinytroupe.llm.wrappers.seams`); the call cache is in
:mod:`tinytroupe.llm.cache` and the budget guard in :mod:`tinytroupe.llm.budget`.
"""

from tinytroupe.llm.wrappers.defaults import RequestDefaults
from tinytroupe.llm.wrappers.limits import LimitedModel
from tinytroupe.llm.wrappers.pricing import Price, price_for, register_price
from tinytroupe.llm.wrappers.retry import RetryingModel
from tinytroupe.llm.wrappers.seams import CHAT, EMBEDDING, Seam, StackWrapper
from tinytroupe.llm.wrappers.usage import Tally, UsageStats, UsageTracker, global_usage, usage_stats

__all__ = [
    "RequestDefaults",
    "LimitedModel",
    "RetryingModel",
    "UsageTracker",
    "UsageStats",
    "Tally",
    "global_usage",
    "usage_stats",
    "Price",
    "price_for",
    "register_price",
    "StackWrapper",
    "Seam",
    "CHAT",
    "EMBEDDING",
]
