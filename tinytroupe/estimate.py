"""What a run would cost, found by running its mechanics against the scripted model.

``estimate(script, world)`` (or ``tinytroupe run SCENARIO --estimate``) runs the script with
the scripted model in place of the provider: no request leaves the process, but every call
the run would make is made, with its real prompt, so the call count and prompt sizes are
those of the real run (same seed). Replies are assumed to be about
:data:`~tinytroupe.llm.purposes.REPLY_TOKENS` tokens for each kind of call (agent turns
talk at that length, so later prompts grow as they would), and judges are assumed to pass.
The tokens are then priced with the configured model's prices::

    about 24 calls, 51,200 input and 4,800 output tokens, about $0.0282 with gpt-4.1-mini
    (replies assumed ~200 tokens)

An unknown model says so instead of guessing. A ``world`` given is put back as it was after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.llm import budget, purposes
from tinytroupe.llm.base import ChatRequest
from tinytroupe.llm.providers.scripted import ScriptedModel
from tinytroupe.llm.providers.scripted_replies import offline_responder, talk_responder
from tinytroupe.llm.wrappers.pricing import price_for

__all__ = ["Estimate", "estimate", "estimating", "EstimatingModel"]

_WORDS = ("the price matters to me but so does how long it lasts and whether it fits my week "
          "and my budget and what my friends say about it after they tried it ").split()


def _sized_text(tokens: int, seed: str) -> str:
    """About ``tokens`` tokens (four characters each) of plain words."""
    words, length, i = [], 0, sum(map(ord, seed))
    while length < tokens * 4:
        word = _WORDS[i % len(_WORDS)]
        words.append(word)
        length += len(word) + 1
        i += 7
    return " ".join(words).capitalize() + "."


@dataclass
class Estimate:
    """The calls and tokens a run would use, and their price with ``model``."""

    calls: int
    input_tokens: int
    output_tokens: int
    model: str
    cost: float | None
    by_purpose: dict[str, dict[str, int]] = field(default_factory=dict)
    reply_tokens: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        """``about N calls, X input and Y output tokens, about $Z with MODEL (replies assumed ~K tokens)``."""
        used = [p for p in self.by_purpose if self.by_purpose[p]["calls"]]
        sizes = sorted({self.reply_tokens.get(p, 0) for p in used}) or [self.reply_tokens.get(purposes.AGENT_TURN, 0)]
        assumed = f"~{sizes[0]}" if len(sizes) == 1 else f"~{sizes[0]}-{sizes[-1]}"
        price = (f"about ${self.cost:.4f} with {self.model}" if self.cost is not None
                 else f"cost unknown: no price for {self.model} (add it under [Prices] in config.ini)")
        return (f"about {self.calls:,} calls, {self.input_tokens:,} input and {self.output_tokens:,} output tokens, "
                f"{price} (replies assumed {assumed} tokens)")

    def to_dict(self) -> dict[str, Any]:
        return {"calls": self.calls, "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "model": self.model, "cost": None if self.cost is None else round(self.cost, 6),
                "by_purpose": self.by_purpose, "reply_tokens": self.reply_tokens, "text": self.text()}


class EstimatingModel(ScriptedModel):
    """The scripted model answering like a run would: sized agent talk, passing judges, samples."""

    def __init__(self, seed: int = 0, reply_tokens: dict[str, int] | None = None):
        self.reply_tokens = {**purposes.REPLY_TOKENS, **(reply_tokens or {})}
        turn_chars = max(1, self.reply_tokens[purposes.AGENT_TURN] - 60)  # the JSON around the talk
        turns = talk_responder(lambda r: _sized_text(turn_chars, r.tags.get("agent", "") + r.messages[-1].content))
        others = offline_responder(seed)

        def respond(request: ChatRequest) -> Any:
            if request.response_format.name == "TurnModel":
                return turns(request)
            return others(request)

        super().__init__(responder=respond, model_name=str(config_manager.get("model")))

    def tally(self, model: str) -> Estimate:
        """The estimate for the requests received so far, priced for ``model``."""
        by_purpose: dict[str, dict[str, int]] = {}
        for request in self.requests:
            purpose = purposes.purpose_of(request.tags)
            slot = by_purpose.setdefault(purpose, {"calls": 0, "input_tokens": 0, "output_tokens": 0})
            slot["calls"] += 1
            slot["input_tokens"] += len("".join(m.content for m in request.messages)) // 4
            slot["output_tokens"] += self.reply_tokens.get(purpose, self.reply_tokens[purposes.OTHER])
        calls = sum(s["calls"] for s in by_purpose.values())
        tokens_in = sum(s["input_tokens"] for s in by_purpose.values())
        tokens_out = sum(s["output_tokens"] for s in by_purpose.values())
        price = price_for(model)
        cost = price.cost(tokens_in, tokens_out) if price is not None else None
        return Estimate(calls, tokens_in, tokens_out, model, cost, by_purpose, dict(self.reply_tokens))


@contextmanager
def estimating(reply_tokens: dict[str, int] | None = None) -> Iterator[EstimatingModel]:
    """Inside, the process-wide model is an :class:`EstimatingModel` (no call cache, no budget,
    no process usage); the model in use before is back after."""
    from tinytroupe.llm.wrappers.usage import UsageStats, UsageTracker
    from tinytroupe.runtime import current_runtime

    previous = current_runtime().part(llm.MODEL_PART)
    model = EstimatingModel(int(config_manager.get("seed") or 0), reply_tokens)
    llm.set_default_model(UsageTracker(model, stats=UsageStats()), wrap=False)
    try:
        with budget.limit():
            yield model
    finally:
        if previous is None:
            llm.reset_default_model()
        else:
            llm.set_default_model(previous, wrap=False)


def estimate(script: Callable[..., Any], world: Any = None, *, model: str | None = None,
             reply_tokens: dict[str, int] | None = None) -> Estimate:
    """Run ``script(world)`` (or ``script()`` without a world) against the scripted model and
    price what it asked for with ``model`` (default: the MODEL setting)."""
    saved = world.encode_complete_state() if world is not None else None
    try:
        with estimating(reply_tokens) as scripted:
            script(world) if world is not None else script()
    finally:
        if world is not None:
            from tinytroupe import transactions

            with transactions.untracked():
                world.decode_complete_state(saved)
    return scripted.tally(model or str(config_manager.get("model")))
