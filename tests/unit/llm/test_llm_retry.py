"""RetryingModel: what it retries, how long it waits, what it counts."""

import asyncio
import random

import pytest

from tinytroupe import events
from tinytroupe.errors import AuthenticationError, BadRequestError, TransientError
from tinytroupe.llm import ChatRequest, ScriptedModel
from tinytroupe.llm.wrappers import RetryingModel

REQUEST = ChatRequest(messages=[{"role": "user", "content": "hi"}], tags={"agent": "Lisa"})


def _run(model):
    return asyncio.run(model.complete(REQUEST))


def test_llm_retries_transient_errors_then_succeeds():
    inner = ScriptedModel([TransientError("busy", status=503), TransientError("busy", status=502), "ok"])
    model = RetryingModel(inner, max_attempts=5, initial_delay=0.0)
    with events.collect(["llm.retry"]) as seen:
        assert _run(model).text == "ok"
    assert inner.calls == 3 and model.retries == 2
    assert [e.data["attempt"] for e in seen.events] == [1, 2]
    assert seen.events[0].source == "Lisa" and seen.events[0].data["status"] == 503


def test_llm_gives_up_after_max_attempts():
    inner = ScriptedModel(default=TransientError("busy", status=500))
    model = RetryingModel(inner, max_attempts=3, initial_delay=0.0)
    with pytest.raises(TransientError):
        _run(model)
    assert inner.calls == 3 and model.retries == 2 and model.gave_up == 1


@pytest.mark.parametrize("error", [AuthenticationError("bad key", status=401), BadRequestError("bad", status=400)])
def test_llm_never_retries_auth_or_bad_request(error):
    inner = ScriptedModel([error, "ok"])
    model = RetryingModel(inner, max_attempts=5, initial_delay=0.0)
    with pytest.raises(type(error)):
        _run(model)
    assert inner.calls == 1 and model.retries == 0


def test_llm_retry_after_replaces_backoff():
    model = RetryingModel(ScriptedModel(), initial_delay=10.0)
    assert model.delay_for(1, TransientError("slow down", status=429, retry_after=0.25)) == 0.25
    capped = RetryingModel(ScriptedModel(), max_retry_after=1.0)
    assert capped.delay_for(1, TransientError("x", retry_after=500)) == 1.0


def test_llm_backoff_grows_with_jitter_and_cap():
    model = RetryingModel(ScriptedModel(), backoff_factor=2.0, initial_delay=1.0, max_delay=5.0,
                          rng=random.Random(1))
    err = TransientError("x")
    delays = [model.delay_for(n, err) for n in (1, 2, 3, 4, 5)]
    bases = [1.0, 2.0, 4.0, 5.0, 5.0]
    assert all(base / 2 <= d <= base for d, base in zip(delays, bases, strict=True))
    again = RetryingModel(ScriptedModel(), backoff_factor=2.0, initial_delay=1.0, max_delay=5.0,
                          rng=random.Random(1))
    assert [again.delay_for(n, err) for n in (1, 2, 3, 4, 5)] == delays  # seeded jitter


def test_llm_on_retry_listener_is_told():
    seen = []
    inner = ScriptedModel([TransientError("busy"), "ok"])
    model = RetryingModel(inner, initial_delay=0.0, on_retry=lambda req, err, delay: seen.append((req, str(err))))
    _run(model)
    assert seen == [(REQUEST, "busy")]


def test_llm_max_attempts_must_be_positive():
    with pytest.raises(ValueError, match="MAX_ATTEMPTS"):
        RetryingModel(ScriptedModel(), max_attempts=0)


def test_llm_backoff_delay_prefers_retry_after_and_draws_jitter_only_for_backoff():
    from tinytroupe.llm.wrappers.retry import backoff_delay

    draws = []

    def jitter():
        draws.append(1)
        return 0.5

    args = dict(initial_delay=1.0, backoff_factor=2.0, max_delay=3.0, max_retry_after=10.0, jitter=jitter)
    assert backoff_delay(1, TransientError("x", retry_after=40.0), **args) == 10.0 and not draws
    assert backoff_delay(2, TransientError("x"), **args) == 1.0 + 1.0 * 0.5
    assert backoff_delay(5, TransientError("x"), **args) == 1.5 + 1.5 * 0.5  # capped at max_delay
    assert len(draws) == 2
