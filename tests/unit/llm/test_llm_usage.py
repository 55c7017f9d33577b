"""Usage accounting and prices."""

import asyncio

import pytest

from tinytroupe import events
from tinytroupe.errors import BadRequestError
from tinytroupe.llm import ChatRequest, Completion, ScriptedModel, Usage
from tinytroupe.llm.wrappers import UsageStats, UsageTracker, price_for, register_price
from tinytroupe.llm.wrappers.pricing import cost_of


class FixedModel:
    """A provider that answers with fixed usage under a given provider name."""

    name = "openai"
    endpoint = "test://fixed"
    default_model = "gpt-4o-mini"

    def __init__(self, cached=False, model="gpt-4o-mini"):
        self.cached = cached
        self.model = model

    async def complete(self, request):
        return Completion(text="ok", model=self.model, usage=Usage(input_tokens=1000, output_tokens=500),
                          cached=self.cached, provider="openai")

    async def aclose(self):
        return None


def _call(model, **tags):
    return asyncio.run(model.complete(ChatRequest(messages=[{"role": "user", "content": "hi"}], tags=tags)))


def test_llm_usage_counts_tokens_cost_per_model_and_tag():
    stats = UsageStats()
    tracker = UsageTracker(FixedModel(), stats=stats)
    with events.collect(["llm.call"]) as seen:
        _call(tracker, agent="Lisa")
        _call(tracker, agent="Rob")
        _call(tracker, agent="Lisa")
    snap = stats.snapshot()
    assert snap["total"]["calls"] == 3 and snap["total"]["input_tokens"] == 3000
    assert snap["by_tag"]["agent"]["Lisa"]["calls"] == 2
    assert snap["by_model"]["gpt-4o-mini"]["output_tokens"] == 1500
    expected = 3 * (1000 * 0.15 + 500 * 0.60) / 1_000_000
    assert snap["total"]["cost"] == pytest.approx(expected)
    assert len(seen.events) == 3 and seen.events[0].source == "Lisa"
    assert seen.events[0].data["input_tokens"] == 1000 and seen.events[0].data["tags"] == {"agent": "Lisa"}


def test_llm_cached_calls_are_counted_and_free():
    stats = UsageStats()
    _call(UsageTracker(FixedModel(cached=True), stats=stats))
    total = stats.snapshot()["total"]
    assert total["cached_calls"] == 1 and total["cost"] == 0


def test_llm_unknown_model_cost_is_none_not_zero():
    stats = UsageStats()
    _call(UsageTracker(FixedModel(model="mystery-model"), stats=stats))
    total = stats.snapshot()["total"]
    assert total["cost"] is None and total["unpriced_calls"] == 1
    assert "unknown" in stats.summary()


def test_llm_tracker_prices_override_the_table():
    stats = UsageStats()
    _call(UsageTracker(FixedModel(model="mystery-model"), prices={"mystery-model": (1.0, 2.0)}, stats=stats))
    assert stats.snapshot()["total"]["cost"] == pytest.approx((1000 * 1.0 + 500 * 2.0) / 1e6)


def test_llm_failures_are_counted_and_reraised():
    stats = UsageStats()
    tracker = UsageTracker(ScriptedModel([BadRequestError("no")]), stats=stats)
    with pytest.raises(BadRequestError):
        _call(tracker, agent="Lisa")
    assert stats.snapshot()["by_tag"]["agent"]["Lisa"]["failures"] == 1


def test_llm_scripted_calls_cost_nothing():
    stats = UsageStats()
    _call(UsageTracker(ScriptedModel(["ok"]), stats=stats))
    assert stats.snapshot()["total"]["cost"] == 0


def test_llm_summary_and_reset():
    stats = UsageStats()
    _call(UsageTracker(FixedModel(), stats=stats), agent="Lisa")
    text = stats.summary()
    assert "agent Lisa" in text and "model gpt-4o-mini" in text and "$" in text
    stats.reset()
    assert stats.snapshot()["total"]["calls"] == 0 and stats.snapshot()["by_tag"] == {}


def test_llm_price_prefix_matching_and_registration():
    assert price_for("gpt-4o-mini-2024-07-18") == price_for("gpt-4o-mini")
    assert price_for("gpt-4o-2024-08-06").input == 2.50
    assert price_for("openai/gpt-4.1-mini") == price_for("gpt-4.1-mini")
    assert price_for("totally-unknown") is None
    register_price("my-finetune", 3.0, 6.0)
    assert cost_of("my-finetune-v2", 1_000_000, 0) == pytest.approx(3.0)
    assert cost_of("anything", 10, 10, provider="local") == 0.0
    with pytest.raises(ValueError):
        register_price("bad", -1, 0)
