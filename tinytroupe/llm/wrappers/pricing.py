"""Prices per million tokens, for cost accounting; extend with :func:`register_price`.

The table holds list prices in US dollars for common OpenAI models, as published when this
was written; they change, so register your own where it matters. A model name matches the
longest registered prefix (``gpt-4o-mini-2024-07-18`` uses ``gpt-4o-mini``). Unknown models
cost ``None``: unknown, not free. Local and scripted models cost nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["Price", "register_price", "price_for", "cost_of", "FREE_PROVIDERS"]

FREE_PROVIDERS: frozenset[str] = frozenset({"local", "scripted"})


@dataclass(frozen=True)
class Price:
    """US dollars per million input and output tokens."""

    input: float
    output: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input + output_tokens * self.output) / 1_000_000


_lock = threading.Lock()
_prices: dict[str, Price] = {
    "gpt-5": Price(1.25, 10.00),
    "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.40),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4-turbo": Price(10.00, 30.00),
    "gpt-3.5-turbo": Price(0.50, 1.50),
    "o1": Price(15.00, 60.00),
    "o1-mini": Price(1.10, 4.40),
    "o3": Price(2.00, 8.00),
    "o3-mini": Price(1.10, 4.40),
    "o4-mini": Price(1.10, 4.40),
    "text-embedding-3-small": Price(0.02, 0.0),
    "text-embedding-3-large": Price(0.13, 0.0),
}


def register_price(model: str, input_per_million: float, output_per_million: float) -> None:
    """Set the price of ``model`` (and of names that start with it) in dollars per million tokens."""
    if input_per_million < 0 or output_per_million < 0:
        raise ValueError(f"register_price({model!r}): prices cannot be negative")
    with _lock:
        _prices[model] = Price(float(input_per_million), float(output_per_million))


def price_for(model: str) -> Price | None:
    """The price of ``model`` by longest matching prefix, or None when unknown."""
    name = (model or "").lower()
    if "/" in name:  # "openai/gpt-4o" style names of routers
        name = name.rsplit("/", 1)[1]
    with _lock:
        best = max((k for k in _prices if name.startswith(k.lower())), key=len, default=None)
        return _prices[best] if best is not None else None


def cost_of(model: str, input_tokens: int, output_tokens: int, provider: str = "") -> float | None:
    """Dollars for one call, 0 for local/scripted providers, None when the price is unknown."""
    if provider in FREE_PROVIDERS:
        return 0.0
    price = price_for(model)
    return price.cost(input_tokens, output_tokens) if price is not None else None
