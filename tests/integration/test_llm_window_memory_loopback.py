"""A new run starts from the window that worked last time, against a real provider that refuses
calls above a limit: the second run's calls are not refused (but for one probe above the limit)."""

from __future__ import annotations

import asyncio
import json

from tinytroupe.config import user_dir
from tinytroupe.llm import ChatRequest
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.wrappers import LimitedModel, RetryingModel
from tinytroupe.llm.wrappers.window_memory import FILE_NAME
from tinytroupe.runtime import Runtime
from tinytroupe.testing import LoopbackServer

LIMIT, CALLS = 6, 36


def _batch(base_url: str) -> dict:
    provider = OpenAIModel(api_key="k", base_url=base_url, model="loopback-model", timeout=10)
    limited = LimitedModel(provider, max_concurrent=64)
    model = RetryingModel(limited, max_attempts=20, initial_delay=0.01)

    async def run() -> None:
        requests = [ChatRequest(messages=[{"role": "user", "content": f"question {i}"}]) for i in range(CALLS)]
        await asyncio.gather(*(model.complete(r) for r in requests))
        await provider.aclose()

    start = limited.window
    asyncio.run(run())
    return {"start": start, **limited.concurrency.stats()}


def test_llm_second_run_starts_at_the_remembered_window_and_is_not_refused():
    with LoopbackServer(latency=0.05, concurrency_limit=LIMIT, retry_after=0.05) as server:
        with Runtime(name="first run"):
            first = _batch(server.base_url)
        refused_first = server.refused
        with Runtime(name="second run"):  # as a new process would: the file is read again
            second = _batch(server.base_url)
        refused_second = server.refused - refused_first
        url = server.base_url
    assert first["start"] == 64 and refused_first > 0
    remembered = json.loads((user_dir() / FILE_NAME).read_text())["windows"]
    assert list(remembered) == [f"openai {url} loopback-model"]
    assert 1 <= second["start"] <= LIMIT and second["start"] == remembered[f"openai {url} loopback-model"]
    assert refused_first >= 5 and refused_second <= 1, (first, second)  # at most its one probe above the limit
