"""Prices (table, config.ini, cached input), usage by purpose, budgets on calls."""

import asyncio

import pytest

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.errors import ConfigError
from tinytroupe.llm import budget, purposes
from tinytroupe.llm.base import ChatRequest, Completion, Usage
from tinytroupe.llm.budget import BudgetExceededError, BudgetLimits
from tinytroupe.llm.wrappers import UsageStats, UsageTracker, price_for
from tinytroupe.llm.wrappers.pricing import cost_of, price_table


def _request(text="hello", **tags):
    return ChatRequest(messages=[{"role": "user", "content": text}], tags=tags)


def test_llm_price_table_has_input_cached_input_and_output():
    price = price_for("gpt-4.1-mini-2025-04-14")
    assert (price.input, price.cached_input, price.output) == (0.40, 0.10, 1.60)
    # a million input tokens of which half came from the provider's prompt cache
    assert price.cost(1_000_000, 0, 500_000) == pytest.approx(0.25)
    assert cost_of("no-such-model", 10, 10) is None


def test_llm_prices_are_overridden_in_config_ini(tmp_path):
    (tmp_path / "config.ini").write_text("[OpenAI]\nMODEL = house-model\n\n[Prices]\n"
                                         "house-model = 1.00, 0.50, 2.00\ngpt-4.1-mini = 9, 18\n")
    config_manager.reset()
    assert config_manager.get("model") == "house-model"  # a [Prices] line is not an unknown setting
    assert price_for("house-model").cached_input == 0.50
    assert price_for("gpt-4.1-mini").input == 9.0 and price_for("gpt-4.1-mini").cached_input is None
    assert "house-model" in price_table()


def test_llm_a_bad_price_line_says_how_to_write_it(tmp_path):
    (tmp_path / "config.ini").write_text("[Prices]\nhouse-model = cheap\n")
    config_manager.reset()
    with pytest.raises(ConfigError, match=r"\[Prices\] house-model.*input, cached input, output"):
        price_for("house-model")


def test_llm_usage_by_purpose_keeps_cached_calls_apart():
    stats = UsageStats()
    stats.record_call("m", purposes.tag(purposes.AGENT_TURN, agent="Ana"), input_tokens=100, output_tokens=20,
                      cached=False, cost=0.01)
    stats.record_call("m", purposes.tag(purposes.AGENT_TURN), input_tokens=100, output_tokens=20, cached=True,
                      cost=0.0)
    stats.record_call("m", {"agent": "Bo"}, input_tokens=10, output_tokens=2, cached=False, cost=0.001)
    snap = stats.snapshot()
    turns = snap["by_purpose"]["agent_turn"]
    assert turns["calls"] == 2 and turns["cached_calls"] == 1 and turns["paid_calls"] == 1
    assert turns["cached_input_tokens"] == 100 and turns["cost"] == 0.01
    assert snap["by_purpose"]["other"]["calls"] == 1  # no purpose tag
    assert "purpose agent_turn" in stats.summary()


def test_llm_purpose_names_are_checked():
    assert purposes.tag(purposes.JUDGE, agent="Ana") == {"purpose": "judge", "agent": "Ana"}
    with pytest.raises(ValueError, match="unknown purpose"):
        purposes.tag("chitchat")
    assert purposes.purpose_of({"purpose": "nonsense"}) == purposes.OTHER


def test_llm_a_call_over_the_budget_is_refused_before_it_is_sent(scripted):
    scripted.default = "ok"
    config_manager.update("max_calls_per_run", 2)
    assert llm.complete_text("one") == llm.complete_text("two") == "ok"
    with pytest.raises(BudgetExceededError) as err:
        llm.complete_text("three")
    assert scripted.calls == 2
    assert err.value.budget == "MAX_CALLS_PER_RUN" and err.value.limit == 2 and err.value.usage["calls"] == 2
    assert "MAX_CALLS_PER_RUN" in str(err.value) and "--resume" in str(err.value)


def test_llm_cached_calls_spend_no_budget(scripted, tmp_path):
    from tinytroupe import openai_utils

    scripted.default = "ok"
    openai_utils.force_api_cache(True, str(tmp_path / "c.sqlite"))
    config_manager.update("max_calls_per_run", 1)
    for _ in range(5):
        assert llm.complete_text("the same question") == "ok"
    assert scripted.calls == 1 and budget.active().spent.calls == 1


def test_llm_token_and_cost_budgets_use_the_size_of_the_next_call():
    b = budget.Budget(BudgetLimits(max_tokens=1000))
    b.record(900, 0.0, None)
    b.check_call(50, 0.0, None)
    with pytest.raises(BudgetExceededError, match="MAX_TOKENS_PER_RUN"):
        b.check_call(200, 0.0, None)
    c = budget.Budget(BudgetLimits(max_cost=0.01))
    c.record(10, 0.009, None)
    with pytest.raises(BudgetExceededError, match=r"MAX_COST_PER_RUN.*\$0\.0090"):
        c.check_call(10, 0.002, None)


def test_llm_per_agent_budgets():
    b = budget.Budget(per_agent=BudgetLimits(max_calls=1))
    b.record(10, 0.0, "Ana")
    b.check_call(10, 0.0, "Bo")
    with pytest.raises(BudgetExceededError) as err:
        b.check_call(10, 0.0, "Ana")
    assert err.value.budget == "MAX_CALLS_PER_AGENT" and err.value.agent == "Ana"


def test_llm_budget_limit_in_python_and_from_the_environment(scripted, monkeypatch):
    scripted.default = "ok"
    with budget.limit(max_calls=1) as b:
        llm.complete_text("a")
        with pytest.raises(BudgetExceededError):
            llm.complete_text("b")
    assert b.spent.calls == 1
    llm.complete_text("outside any limit")
    monkeypatch.setenv("TINYTROUPE_MAX_TOKENS_PER_RUN", "5")
    config_manager.reset()
    budget.reset()
    with pytest.raises(BudgetExceededError, match="MAX_TOKENS_PER_RUN"):
        llm.complete_text("a long question " * 20)


def test_llm_step_boundaries_predict_the_next_step():
    b = budget.Budget(BudgetLimits(max_calls=10))
    b.begin_step(agents=4)
    for _ in range(4):
        b.record(10, 0.0, None)
    b.end_step()
    b.begin_step(agents=4)
    for _ in range(4):
        b.record(10, 0.0, None)
    b.end_step()
    with pytest.raises(BudgetExceededError, match="MAX_CALLS_PER_RUN"):
        b.begin_step(agents=4)  # 8 spent, the next step is predicted to need 4


def test_llm_the_guard_keeps_a_journal_of_the_current_step():
    from tinytroupe.llm.budget import BudgetGuard

    class Fixed:
        name, endpoint, default_model = "fake", "fake://", "m"

        async def complete(self, request):
            return Completion(text="paid reply", model="m", usage=Usage(input_tokens=5, output_tokens=2))

        async def aclose(self):
            pass

    guard = UsageTracker(BudgetGuard(Fixed()), stats=UsageStats())
    with budget.limit(max_calls=10) as b:
        b.begin_step(agents=1)
        asyncio.run(guard.complete(_request("q")))
        assert len(b.journal) == 1 and next(iter(b.journal.values()))["text"] == "paid reply"
        b.end_step()
        assert b.journal == {}
