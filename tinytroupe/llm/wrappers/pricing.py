"""Prices per million tokens, for cost accounting, estimates and budgets.

One table per model (input, cached input, output, in US dollars per million tokens): the list
prices of common OpenAI models as published when this was written. Prices change, so
override them in config.ini, one line per model (a name matches the longest registered
prefix, ``gpt-4o-mini-2024-07-18`` uses ``gpt-4o-mini``)::

    [Prices]
    gpt-4.1-mini = 0.40, 0.10, 1.60     ; input, cached input, output
    my-finetune = 3.00, 6.00            ; input, output (cached input costs as input)

or in Python with :func:`register_price` (which holds for the current runtime and the runtimes
derived from it). Unknown models cost ``None``: unknown, not free. A model's price is looked up
once per price table (memoised with :func:`functools.lru_cache`) and the table is resolved again
only when the configuration changes (``config_manager`` update, reset or a new file) or a price
is registered, so accounting a call reads nothing. Local, scripted and in-process embedders
cost nothing. "Cached input" is the provider's own prompt cache
(``prompt_tokens_details.cached_tokens``); calls answered by tinytroupe's call cache cost 0.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from tinytroupe.config import config_manager
from tinytroupe.errors import ConfigError
from tinytroupe.runtime import current_runtime

__all__ = ["Price", "register_price", "price_for", "cost_of", "price_table", "FREE_PROVIDERS", "RegisteredPrices"]

FREE_PROVIDERS: frozenset[str] = frozenset({"local", "scripted", "lexical", "static"})  # nothing paid per call


@dataclass(frozen=True)
class Price:
    """US dollars per million input, output and (provider-)cached input tokens."""

    input: float
    output: float
    cached_input: float | None = None

    def cost(self, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> float:
        cached = min(max(0, cached_input_tokens), input_tokens)
        cached_rate = self.input if self.cached_input is None else self.cached_input
        return ((input_tokens - cached) * self.input + cached * cached_rate
                + output_tokens * self.output) / 1_000_000


_BUILT_IN: Mapping[str, Price] = MappingProxyType({
    "gpt-5": Price(1.25, 10.00, 0.125),
    "gpt-5-mini": Price(0.25, 2.00, 0.025),
    "gpt-5-nano": Price(0.05, 0.40, 0.005),
    "gpt-4.1": Price(2.00, 8.00, 0.50),
    "gpt-4.1-mini": Price(0.40, 1.60, 0.10),
    "gpt-4.1-nano": Price(0.10, 0.40, 0.025),
    "gpt-4o": Price(2.50, 10.00, 1.25),
    "gpt-4o-mini": Price(0.15, 0.60, 0.075),
    "gpt-4-turbo": Price(10.00, 30.00),
    "gpt-3.5-turbo": Price(0.50, 1.50),
    "o1": Price(15.00, 60.00, 7.50),
    "o1-mini": Price(1.10, 4.40, 0.55),
    "o3": Price(2.00, 8.00, 0.50),
    "o3-mini": Price(1.10, 4.40, 0.55),
    "o4-mini": Price(1.10, 4.40, 0.275),
    "text-embedding-3-small": Price(0.02, 0.0),
    "text-embedding-3-large": Price(0.13, 0.0),
})
PRICES_PART = "llm.prices"  # the runtime part holding the prices registered in Python


class RegisteredPrices:
    """The prices :func:`register_price` gave in one runtime (a derived runtime sees its parents')."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: tuple[tuple[str, Price], ...] = ()  # frozen, so lookups can be memoised on it

    def add(self, model: str, price: Price) -> None:
        with self._lock:
            self.items = tuple(sorted({**dict(self.items), model: price}.items()))


def register_price(model: str, input_per_million: float, output_per_million: float,
                   cached_input_per_million: float | None = None) -> None:
    """Set the price of ``model`` (and of names that start with it) in dollars per million tokens,
    in the current runtime."""
    values = [input_per_million, output_per_million] + (
        [cached_input_per_million] if cached_input_per_million is not None else [])
    if any(v < 0 for v in values):
        raise ValueError(f"register_price({model!r}): prices cannot be negative")
    price = Price(float(input_per_million), float(output_per_million),
                  None if cached_input_per_million is None else float(cached_input_per_million))
    current_runtime().part(PRICES_PART, RegisteredPrices).add(model, price)


def _parse(model: str, raw: str) -> Price:
    try:
        numbers = [float(part) for part in raw.replace("/", ",").split(",") if part.strip()]
    except ValueError:
        numbers = []
    if len(numbers) not in (2, 3) or any(n < 0 for n in numbers):
        raise ConfigError(f"config.ini: [Prices] {model} = {raw!r} is not valid; write 'input, cached input, "
                          "output' or 'input, output' in dollars per million tokens, e.g. 0.40, 0.10, 1.60")
    if len(numbers) == 2:
        return Price(numbers[0], numbers[1])
    return Price(numbers[0], numbers[2], numbers[1])


@lru_cache(maxsize=16)
def _config_prices(items: tuple[tuple[str, str], ...]) -> tuple[tuple[str, Price], ...]:
    """config.ini's [Prices] lines, parsed (once per content)."""
    return tuple((model, _parse(model, raw)) for model, raw in items)


@lru_cache(maxsize=16)
def _table(generation: int, registered: tuple[tuple[str, Price], ...]) -> Mapping[str, Price]:
    """The built-in prices, then config.ini's (as of configuration ``generation``), then ``registered``."""
    table = dict(_BUILT_IN)
    table.update(_config_prices(tuple(sorted(config_manager.free_section("Prices").items()))))
    table.update(registered)
    return MappingProxyType(table)


def _registered() -> tuple[tuple[str, Price], ...]:
    """The prices registered in the current runtime and the runtimes it derives from (its own win)."""
    runtime = current_runtime()
    if runtime.parent is None:  # the usual case: one runtime
        found = runtime.part(PRICES_PART)
        return found.items if found is not None else ()
    merged: dict[str, Price] = {}
    chain = []
    while runtime is not None:
        chain.append(runtime.part(PRICES_PART))
        runtime = runtime.parent
    for found in reversed(chain):
        merged.update(found.items if found is not None else ())
    return tuple(sorted(merged.items()))


@lru_cache(maxsize=4096)
def _price(generation: int, registered: tuple[tuple[str, Price], ...], model: str) -> Price | None:
    """The price of ``model`` in the table of ``generation`` and ``registered`` (looked up once)."""
    table = _table(generation, registered)
    name = (model or "").lower()
    if "/" in name:  # "openai/gpt-4o" style names of routers
        name = name.rsplit("/", 1)[1]
    best = max((k for k in table if name.startswith(k.lower())), key=len, default=None)
    return table[best] if best is not None else None


def price_table() -> dict[str, Price]:
    """Every known price: the built-in table, then config.ini's [Prices], then :func:`register_price`."""
    return dict(_table(config_manager.generation, _registered()))


def price_for(model: str) -> Price | None:
    """The price of ``model`` by longest matching prefix, or None when unknown (resolved again
    only when the configuration or the registrations change)."""
    return _price(config_manager.generation, _registered(), model)


def cost_of(model: str, input_tokens: int, output_tokens: int, provider: str = "",
            cached_input_tokens: int = 0) -> float | None:
    """Dollars for one call, 0 for local/scripted providers, None when the price is unknown."""
    if provider in FREE_PROVIDERS:
        return 0.0
    price = price_for(model)
    return price.cost(input_tokens, output_tokens, cached_input_tokens) if price is not None else None
