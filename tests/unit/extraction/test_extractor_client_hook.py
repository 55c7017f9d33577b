"""The extractor's defaults helper and the original's client hook (a user's client object)."""

from __future__ import annotations

import json

from tinytroupe.agent import TinyPerson
from tinytroupe.extraction import ResultsExtractor
from tinytroupe.extraction import results_extractor as module


class FixedReplyClient:
    """A client object of a user's: answers every message with the same reply, and keeps what it got."""

    def __init__(self, reply):
        self.reply = reply
        self.sent = []

    def send_message(self, messages, **options):
        self.sent.append((messages, options))
        return self.reply


def test_none_arguments_fall_back_to_the_extractors_defaults():
    extractor = ResultsExtractor(extraction_objective="Find prices", situation="a shop", fields=["price"],
                                 fields_hints={"price": "in euros"}, verbose=True)
    assert extractor._get_default_values_if_necessary(None, None, None, None, None) == (
        "Find prices", "a shop", ["price"], {"price": "in euros"}, True)
    assert extractor._get_default_values_if_necessary("x", "y", ["z"], {}, False) == ("x", "y", ["z"], {}, False)


def test_a_users_client_object_is_used_and_its_reply_read(monkeypatch):
    agent = TinyPerson("Hook Reader")
    agent.listen("The bread costs three euros.")
    good = FixedReplyClient({"role": "assistant", "content": 'Here: {"price": "3 EUR"}'})
    monkeypatch.setattr(module, "client", lambda: good)
    extractor = ResultsExtractor()
    assert extractor.extract_results_from_agent(agent, fields=["price"]) == {"price": "3 EUR"}
    messages, options = good.sent[0]
    assert [m["role"] for m in messages] == ["system", "user"] and "three euros" in messages[1]["content"]
    assert options["response_format"] == {"type": "json_object"}
    assert extractor.agent_extraction["Hook Reader"] == {"price": "3 EUR"}

    for reply in ({"role": "assistant", "content": "no json at all"}, None, {"role": "assistant"}):
        monkeypatch.setattr(module, "client", lambda reply=reply: FixedReplyClient(reply))
        assert ResultsExtractor().extract_results_from_agent(agent, fields=["price"]) is None


def test_the_built_in_client_keeps_the_structured_path(scripted):
    agent = TinyPerson("Hook Default")
    scripted.queue(json.dumps({"price": "4 EUR"}))
    assert ResultsExtractor().extract_results_from_agent(agent, fields=["price"]) == {"price": "4 EUR"}
    assert scripted.requests[-1].response_format is not None
