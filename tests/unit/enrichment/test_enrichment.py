"""TinyEnricher and TinyStyler: context in the prompt, a cache that fills, formats kept."""

from __future__ import annotations

import json

from tinytroupe import events
from tinytroupe.enrichment import TinyEnricher, TinyStyler
from tinytroupe.enrichment.transform import content_format


def _user(request):
    return request.messages[1].content


def test_enricher_puts_requirements_content_and_context_in_the_prompt(scripted):
    scripted.queue("Here it is:\n```markdown\n# Plan\n\n- step one, in detail\n```\nEnjoy.")
    result = TinyEnricher().enrich_content("Add detail to each step", "# Plan\n\n- step one", "Document",
                                           context_info="Written for the board of a bakery chain.")
    assert result == "# Plan\n\n- step one, in detail"
    prompt = _user(scripted.requests[0])
    for part in ("Add detail to each step", "- step one", "Document", "board of a bakery chain", "markdown"):
        assert part in prompt
    assert scripted.requests[0].tags == {"purpose": "enrichment"}
    assert scripted.requests[0].temperature == 1.0


def test_with_the_cache_on_the_second_prompt_contains_the_first_result(scripted):
    scripted.queue("```\nFirst enriched text.\n```", "```\nSecond enriched text.\n```")
    enricher = TinyEnricher(use_past_results_in_context=True)
    enricher.enrich_content("Expand", "first draft")
    enricher.enrich_content("Expand", "second draft")
    assert enricher.context_cache == ["First enriched text.", "Second enriched text."]
    assert "First enriched text." not in _user(scripted.requests[0])
    assert "First enriched text." in _user(scripted.requests[1])


def test_without_the_cache_nothing_is_kept_but_a_given_cache_is_shown(scripted):
    scripted.queue("```\nA\n```", "```\nB\n```")
    enricher = TinyEnricher()
    enricher.enrich_content("Expand", "draft")
    enricher.enrich_content("Expand", "draft", context_cache=["an earlier memo about prices"])
    assert enricher.context_cache == []
    assert "an earlier memo about prices" in _user(scripted.requests[1])


def test_styler_applies_a_style_with_context_and_cache(scripted):
    scripted.queue("```\nAhoy, the shop opens at nine!\n```", "```\nArr, closed on Sundays.\n```")
    styler = TinyStyler(use_past_results_in_context=True)
    out = styler.apply_style("The shop opens at 9.", "a pirate", context_info="A sign on the door.")
    assert out == "Ahoy, the shop opens at nine!"
    first = _user(scripted.requests[0])
    assert "a pirate" in first and "A sign on the door." in first and "The shop opens at 9." in first
    assert scripted.requests[0].temperature == 0.7
    styler.apply_style("Closed on Sundays.", "a pirate")
    assert "Ahoy, the shop opens at nine!" in _user(scripted.requests[1])


def test_json_stays_json_with_one_re_ask(scripted):
    content = json.dumps({"name": "Ana", "bio": "baker"})
    scripted.queue("Sure! The name is Ana and she bakes.", '```json\n{"name": "Ana", "bio": "a baker of rye"}\n```')
    result = TinyEnricher().enrich_content("Make the bio richer", content)
    assert json.loads(result) == {"name": "Ana", "bio": "a baker of rye"}
    assert "not valid JSON" in scripted.requests[1].messages[-1].content


def test_json_that_stays_broken_returns_the_content_unchanged(scripted):
    content = '{"a": 1}'
    scripted.queue("no json here", "still none")
    with events.collect(["enrichment."]) as seen:
        assert TinyEnricher().enrich_content("Expand", content) == content
    assert seen.of_kind("enrichment.failed")[0].data["content_format"] == "json"


def test_code_keeps_its_fence_and_formats_are_recognised(scripted):
    scripted.queue("```python\ndef add(a, b):\n    return a + b\n```")
    out = TinyStyler().apply_style("```python\ndef add(a,b): return a+b\n```", "PEP 8")
    assert out == "```python\ndef add(a, b):\n    return a + b\n```"
    assert [content_format(t) for t in ('{"a": 1}', "```x\n```", "# Title", "plain words")] == \
        ["json", "code", "markdown", "text"]


def test_costs_are_reported_by_purpose(scripted):
    from tinytroupe import llm
    from tinytroupe.agent import TinyPerson
    from tinytroupe.steering import TinyStory

    llm.usage_stats().reset()
    scripted.queue("```\nrich\n```", "```\nstyled\n```", "Once upon a time.")
    TinyEnricher().enrich_content("Expand", "draft")
    TinyStyler().apply_style("draft", "formal")
    TinyStory(agent=TinyPerson("Ana")).start_story(number_of_words=10)
    by_purpose = llm.usage_stats().snapshot()["by_tag"]["purpose"]
    assert by_purpose["enrichment"]["calls"] == 2 and by_purpose["story"]["calls"] == 1
