"""Fault injection against the loopback server: every fault ends typed, never as a crash."""

import time

import pytest
from pydantic import BaseModel, Field

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.errors import StructuredOutputError, TransientError
from tinytroupe.llm import generate
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.wrappers import LimitedModel, RetryingModel, UsageStats, UsageTracker
from tinytroupe.testing import LoopbackServer

MESSAGES = [{"role": "user", "content": "Who are you?"}]


class Person(BaseModel):
    name: str = Field(max_length=20)
    age: int


def stacked(server, *, max_attempts=3, timeout=5.0):
    """The wrap_model stack with fast retries and a private usage tally."""
    provider = OpenAIModel(api_key="k", base_url=server.base_url, model="loop", timeout=timeout)
    retry = RetryingModel(provider, max_attempts=max_attempts, initial_delay=0.01)
    tracker = UsageTracker(LimitedModel(retry, max_concurrent=8), stats=UsageStats())
    retry.on_retry = lambda request, _e, _d: tracker.note_retry(request)
    return tracker


def totals(model):
    return model.stats.snapshot()["total"]


@pytest.mark.parametrize("fault", ["truncated", "wrong_types", "empty"])
def test_llm_bad_content_once_is_repaired(fault):
    with LoopbackServer() as server:
        server.script(fault)
        model = stacked(server)
        result = generate(model, MESSAGES, Person, max_attempts=3)
        assert isinstance(result.value, Person) and result.attempts == 2
        assert server.faults_served == [fault, "ok"]
        assert totals(model)["repairs"] == 1 and totals(model)["retries"] == 0
        assert "not valid" in server.bodies[1]["messages"][-1]["content"]


@pytest.mark.parametrize("fault", ["truncated", "wrong_types", "empty"])
def test_llm_bad_content_every_time_ends_in_structured_output_error(fault):
    with LoopbackServer(fault_rates={fault: 1.0}) as server:
        model = stacked(server)
        with pytest.raises(StructuredOutputError) as info:
            generate(model, MESSAGES, Person, max_attempts=3)
        assert server.request_count == 3 and len(info.value.errors) == 3
        assert totals(model)["repairs"] == 2  # re-asks after attempts 1 and 2


def test_llm_rate_limit_honours_retry_after():
    with LoopbackServer(retry_after=0.2) as server:
        server.script("429")
        model = stacked(server)
        started = time.monotonic()
        result = generate(model, MESSAGES, Person)
        elapsed = time.monotonic() - started
        assert isinstance(result.value, Person)
        assert list(model.find(RetryingModel).delays) == [0.2]
        assert elapsed >= 0.2
        assert totals(model)["retries"] == 1 and server.faults_served == ["429", "ok"]


def test_llm_server_error_once_is_retried():
    with LoopbackServer() as server:
        server.script("500")
        model = stacked(server)
        assert isinstance(generate(model, MESSAGES, Person).value, Person)
        assert server.request_count == 2 and totals(model)["retries"] == 1


def test_llm_persistent_server_error_ends_transient_after_max_attempts():
    with LoopbackServer(fault_rates={"500": 1.0}) as server:
        model = stacked(server, max_attempts=4)
        with pytest.raises(TransientError) as info:
            generate(model, MESSAGES, Person)
        assert info.value.status == 500 and "HTTP 500" in str(info.value)
        assert server.request_count == 4
        assert totals(model)["retries"] == 3 and totals(model)["failures"] == 1


def test_llm_dropped_connection_is_retried():
    with LoopbackServer() as server:
        server.script("drop")
        model = stacked(server)
        assert isinstance(generate(model, MESSAGES, Person).value, Person)
        assert server.faults_served == ["drop", "ok"] and totals(model)["retries"] == 1


def test_llm_reply_slower_than_timeout_is_retried_from_config():
    with LoopbackServer(stall_seconds=5.0) as server:
        server.script("stall")
        config_manager.update_multiple({"base_url": server.base_url, "timeout": 0.4, "max_attempts": 3})
        model = llm.default_model()
        retry = model.find(RetryingModel)
        started = time.monotonic()
        result = generate(model, MESSAGES, Person)
        assert isinstance(result.value, Person)
        assert retry.retries == 1 and time.monotonic() - started < 4.0
        assert server.request_count == 2


def test_llm_stall_every_time_ends_transient_naming_timeout():
    with LoopbackServer(stall_seconds=5.0, fault_rates={"stall": 1.0}) as server:
        model = stacked(server, max_attempts=2, timeout=0.3)
        with pytest.raises(TransientError, match="TIMEOUT"):
            generate(model, MESSAGES, Person)
        assert server.request_count == 2
