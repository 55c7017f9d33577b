"""The adaptive window starts near the last window that worked for a provider and model."""

from __future__ import annotations

import asyncio
import json
import logging

from tinytroupe.config import user_dir
from tinytroupe.errors import TransientError
from tinytroupe.llm import ScriptedModel
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.wrappers import LimitedModel
from tinytroupe.llm.wrappers.limits import AdaptiveWindow
from tinytroupe.llm.wrappers.window_memory import FILE_NAME, WindowMemory, memory_key, window_memory
from tinytroupe.runtime import Runtime


def _released(window, outcome, load):
    async def go():
        sent = await window.acquire()
        window.release(outcome, (sent[0], load))
    asyncio.run(go())


def _provider(model="m"):
    return OpenAIModel(api_key="k", base_url="http://127.0.0.1:9/v1", model=model, timeout=5)


def test_llm_window_reports_the_window_that_worked_after_a_refusal():
    settled = []
    window = AdaptiveWindow(100, on_settled=settled.append)
    for _ in range(150):
        _released(window, True, load=1)
    assert settled == []  # no push-back yet: nothing worth remembering
    _released(window, TransientError("slow down", status=429), load=50)
    assert window.limit == 40
    for _ in range(39):
        _released(window, True, load=1)
    assert settled == []  # not yet a whole window of successes
    _released(window, True, load=1)
    assert settled == [49]  # the most calls known to be taken: just under the load refused
    for _ in range(41):
        _released(window, True, load=1)
    assert settled == [49] and window.limit == 41  # unchanged: nothing new was learnt
    window.window = 70.0  # the provider took more since (its limit was raised)
    for _ in range(70):
        _released(window, True, load=1)
    assert settled == [49, 69]


def test_llm_window_starts_at_a_remembered_window_and_grows_slowly_near_it():
    window = AdaptiveWindow(100, start=40)
    assert window.limit == 40
    for _ in range(40):
        _released(window, True, load=1)
    assert window.limit == 40  # a quarter step per success near the load last known to be refused
    assert AdaptiveWindow(100, start=400).limit == 100  # never above the ceiling
    assert AdaptiveWindow(100, start=40, adaptive=False).limit == 100


def test_llm_memory_file_round_trip_is_atomic_and_keeps_other_keys(tmp_path):
    path = tmp_path / "w.json"
    first = WindowMemory(path)
    assert first.recall("a") is None
    first.remember("a", 40)
    other = WindowMemory(path)  # another process
    other.remember("b", 7)
    first.remember("a", 42)
    doc = json.loads(path.read_text())
    assert doc["format"] == "tinytroupe.concurrency_windows" and doc["windows"] == {"a": 42, "b": 7}
    assert [p.name for p in tmp_path.iterdir()] == ["w.json"]  # no temporary file left behind


def test_llm_a_corrupt_memory_file_is_ignored_with_a_warning(tmp_path, caplog):
    path = tmp_path / "w.json"
    path.write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="tinytroupe"):
        memory = WindowMemory(path)
    assert memory.recall("a") is None and "w.json" in caplog.text
    memory.remember("a", 3)
    assert WindowMemory(path).recall("a") == 3


def test_llm_limited_model_reads_the_memory_once_per_runtime_and_keys_by_provider_and_model():
    path = user_dir() / FILE_NAME
    WindowMemory(path).remember(memory_key(_provider("m")), 12)
    with Runtime(name="one"):
        assert LimitedModel(_provider("m")).window == 12
        assert LimitedModel(_provider("other")).window == 256  # another model: its own memory
        path.unlink()
        assert LimitedModel(_provider("m")).window == 12  # read once: the runtime keeps it
        assert window_memory().path == path
    with Runtime(name="two"):
        assert LimitedModel(_provider("m")).window == 256  # a new runtime reads the file again
    assert LimitedModel(_provider("m"), memory=False).window == 256
    assert LimitedModel(ScriptedModel()).memory is None  # no server behind it: nothing to learn


def test_llm_a_burst_of_calls_sent_together_settles_at_what_the_provider_took():
    window = AdaptiveWindow(256)

    async def burst():
        sent = [await window.acquire() for _ in range(200)]  # a step's calls leave together
        accepted, refused = sent[:50], sent[50:]
        # the refusals come back first, in no particular order of load: the first has a low one
        window.release(TransientError("429", status=429), (refused[0][0], 11))
        assert window.limit == 8 and window.decreases == 1
        for s in refused[1:]:
            window.release(TransientError("429", status=429), s)
        assert window.limit == 50 and window.decreases == 1  # one decrease, then the burst told the rest
        for s in accepted:
            window.release(True, s)

    asyncio.run(burst())
    assert window.limit == 50 and window.pushbacks == 150


def test_llm_a_burst_the_provider_refuses_entirely_keeps_the_first_decrease():
    window = AdaptiveWindow(256)

    async def burst():
        sent = [await window.acquire() for _ in range(100)]
        for s in sent:
            window.release(TransientError("429", status=429), (s[0], 100))

    asyncio.run(burst())
    assert window.limit == 80 and window.decreases == 1


def test_llm_memory_keys_never_hold_credentials_of_the_address():
    provider = OpenAIModel(api_key="k", base_url="http://user:secret@127.0.0.1:9/v1?api-key=zzz", model="m", timeout=5)
    key = memory_key(provider)
    assert "secret" not in key and "zzz" not in key and key.startswith("openai http://") and key.endswith(" m")
