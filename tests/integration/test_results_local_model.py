"""LLMChat and ResultsExtractor on the embedded SmolLM2 model: typed answers even from a 135M model."""

from __future__ import annotations

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.extraction import ResultsExtractor
from tinytroupe.llm.providers.local import LocalModel
from tinytroupe.llm.setup import wrap_model
from tinytroupe.utils import LLMChat

from .local_model_support import LOCAL_MODEL_MARKS

pytestmark = LOCAL_MODEL_MARKS


@pytest.fixture(scope="module")
def model():
    return wrap_model(LocalModel(n_ctx=4096, seed=0, n_threads=1))


def test_llmchat_and_extraction_come_back_typed(model):
    chat = LLMChat(system_prompt="You answer questions about food.", user_prompt="Is bread a food?",
                   output_type=bool, model=model, max_tokens=120)
    assert isinstance(chat.call(), bool) and 0.0 <= chat.response_confidence <= 1.0

    nia = TinyPerson("Nia")
    nia.listen("How would you rate our bakery app, from 1 to 5?", source="Interviewer")
    nia.record_event("action", "TALK", "I would give it a 4: ordering ahead saves me time.", target="Interviewer")
    result = ResultsExtractor(model=model).extract_results_from_agent(
        nia, extraction_objective="Nia's rating of the app.", fields=["rating"],
        fields_hints={"rating": "an integer from 1 to 5"})
    assert result["rating"] is None or (isinstance(result["rating"], int) and 1 <= result["rating"] <= 5)
