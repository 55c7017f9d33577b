"""Models that wrap a model: request defaults, retry, limits, usage accounting (the call cache is in llm.cache)."""

from tinytroupe.llm.wrappers.defaults import RequestDefaults
from tinytroupe.llm.wrappers.limits import LimitedModel
from tinytroupe.llm.wrappers.pricing import Price, price_for, register_price
from tinytroupe.llm.wrappers.retry import RetryingModel
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
]
