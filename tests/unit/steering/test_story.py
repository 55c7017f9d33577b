"""TinyStory: sections from the world's trajectory, word budgets told and checked, broadcast to the world."""

from __future__ import annotations

import pytest

from tinytroupe import events
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.errors import SimulationError
from tinytroupe.steering import TinyStory
from tinytroupe.story import TinyStory as ShortPath
from tinytroupe.story import trim_to_words
from tinytroupe.testing.agent_replies import is_turn_request, talk_responder

turns = talk_responder(lambda request: f"Line {len(request.messages[1].content)} from {request.tags['agent']}")


def _story_requests(model):
    return [r for r in model.requests if not is_turn_request(r)]


def _last_talk(world):
    return [e for e in world.transcript if e.kind == "agent.action" and e.data["type"] == "TALK"][-1].data["content"]


def test_start_then_continue_twice_gives_three_sections_each_from_the_trajectory(scripted):
    sections = iter(["Ana and Bob meet at the market.", "A storm comes.", "They share an umbrella."])
    scripted.responder = lambda r: turns(r) if is_turn_request(r) else next(sections)
    world = TinyWorld("Market", [TinyPerson("Ana"), TinyPerson("Bob")], seed=3)
    world.make_everyone_accessible()
    story = TinyStory(world, purpose="A quiet day at a market.", context="It is Saturday.")
    assert ShortPath is TinyStory
    latest = []
    world.run(1)
    latest.append(_last_talk(world))
    story.start_story(number_of_words=40)
    world.run(1)
    latest.append(_last_talk(world))
    story.continue_story("Bring in the weather.", number_of_words=30, include_plot_twist=True)
    world.run(1)
    latest.append(_last_talk(world))
    story.continue_story(number_of_words=30)
    assert story.current_story.startswith("It is Saturday.")
    assert story.current_story.count("## The story begins") == 1
    assert story.current_story.count("## The story continues") == 2
    assert story.sections == ["Ana and Bob meet at the market.", "A storm comes.", "They share an umbrella."]
    requests = _story_requests(scripted)
    assert len(requests) == 3 and len(set(latest)) == 3
    for request, talk in zip(requests, latest, strict=True):
        assert talk in request.messages[1].content  # the world's most recent interaction
        assert request.tags == {"purpose": "story"}
        assert "A quiet day at a market." in request.messages[0].content
    assert "about 40 words" in requests[0].messages[1].content
    assert "plot twist" in requests[1].messages[1].content and "plot twist" not in requests[2].messages[1].content
    assert "A storm comes." in requests[2].messages[1].content  # the story so far


def test_a_reply_far_over_budget_is_re_asked_then_trimmed(scripted):
    agent = TinyPerson("Ana")
    agent.listen("The bakery is closing.", source="Bob")
    long = "One two three four five. " * 20
    scripted.queue(long, long)
    story = TinyStory(agent=agent)
    with events.collect(["story."]) as seen:
        text = story.start_story(number_of_words=12)
    assert len(text.split()) <= 12 and text.endswith(".")
    assert "budget is 12 words" in scripted.requests[1].messages[-1].content
    assert seen.of_kind("story.trimmed")[0].data == {"words": 100, "budget": 12}
    assert "The bakery is closing." in scripted.requests[0].messages[1].content


def test_a_reply_within_budget_is_kept_and_a_shorter_re_ask_is_accepted(scripted):
    agent = TinyPerson("Ana")
    scripted.queue("Short and sweet.", "word " * 50, "Now it fits the budget.")
    story = TinyStory(agent=agent)
    assert story.start_story(number_of_words=10) == "Short and sweet."
    assert story.continue_story(number_of_words=10) == "Now it fits the budget."
    assert scripted.calls == 3


def test_trim_at_sentence_boundaries():
    assert trim_to_words("A b c. D e f. G h i.", 7) == "A b c. D e f."
    assert trim_to_words("One very long sentence without end", 3) == "One very long…"


def test_broadcast_reaches_every_agent(scripted):
    scripted.queue("The lights go out.")
    world = TinyWorld("House", [TinyPerson("Ana"), TinyPerson("Bob")])
    story = TinyStory(world)
    with pytest.raises(SimulationError, match="start_story"):
        story.broadcast()
    story.start_story(number_of_words=10)
    story.broadcast()
    for agent in world.agents:
        [heard] = agent.episodic_memory.retrieve_all(type="CONVERSATION")
        assert heard.content == "The lights go out." and heard.source == "Narrator"
    story.broadcast("Everyone feels cold.", as_thought=True)
    assert all(a.episodic_memory.retrieve_all(type="THOUGHT") for a in world.agents)


def test_exactly_one_subject():
    with pytest.raises(SimulationError, match="exactly one"):
        TinyStory()
    with pytest.raises(SimulationError, match="exactly one"):
        TinyStory(TinyWorld("W"), TinyPerson("Ana"))
