"""LLMChat and the semantic helpers tag their calls with a purpose, so usage statistics
count them there and not as "other"."""

from __future__ import annotations

from tinytroupe import llm
from tinytroupe.llm import purposes
from tinytroupe.utils import LLMChat, semantics


def _by_purpose() -> dict[str, int]:
    return {p: t["calls"] for p, t in llm.usage_stats().snapshot()["by_purpose"].items() if t["calls"]}


def test_llm_chat_and_semantic_helpers_are_counted_under_their_purpose(scripted):
    scripted.responder = lambda request: {"justification": "j", "value": "a text", "confidence": 0.9}
    llm.usage_stats().reset()
    assert LLMChat(user_prompt="Name a colour.", output_type=str).call() == "a text"
    assert _by_purpose() == {purposes.EXTRACTION: 1}
    chat = LLMChat(user_prompt="Is this polite?", output_type=str, tags={"purpose": purposes.JUDGE, "judge": "mine"})
    chat.call()
    assert scripted.requests[-1].tags == {"purpose": purposes.JUDGE, "judge": "mine"}  # the caller's tags kept

    assert semantics.combine_texts("one", "two") == "a text"
    assert semantics.extract_information_from_text("price?", "It costs 3 euros.") == "a text"
    assert semantics.rephrase("I am sad", "Be cheerful") == "a text"
    assert scripted.requests[-1].tags["function"] == "rephrase"
    assert _by_purpose() == {purposes.EXTRACTION: 2, purposes.JUDGE: 1, purposes.ENRICHMENT: 2}
    assert purposes.OTHER not in llm.usage_stats().snapshot()["by_purpose"]
    assert sum(_by_purpose().values()) == len(scripted.requests) == 5


def test_the_experiment_model_counts_an_untagged_request_as_a_turn_and_keeps_a_given_purpose(scripted):
    from tinytroupe.experimentation.runner import SeededModel

    scripted.queue("hello", "hi")
    model = SeededModel(llm.default_model(), 3, {"arm": "a", "seed": "3"})
    llm.usage_stats().reset()
    llm.complete_text("Say hello.", model=model)
    llm.complete_text("Say hi.", model=model, tags=purposes.tag(purposes.SURVEY, agent="Lisa"))
    first, second = scripted.requests[-2:]
    assert first.tags == {"arm": "a", "seed": "3", "purpose": purposes.AGENT_TURN} and first.seed == 3
    assert second.tags == {"purpose": purposes.SURVEY, "agent": "Lisa", "arm": "a", "seed": "3"}
    assert _by_purpose() == {purposes.AGENT_TURN: 1, purposes.SURVEY: 1}
