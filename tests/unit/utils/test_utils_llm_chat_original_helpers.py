"""LLMChat's original helpers: coercers, answer requests, and sending through a replaced
tinytroupe.clients.client (a custom client object with send_message)."""

from __future__ import annotations

import pytest

import tinytroupe.clients as clients
from tinytroupe.utils.llm import LLMChat


@pytest.fixture
def chat():
    return LLMChat(system_prompt="You answer briefly.", user_prompt="Well?")


def test_bool_and_number_coercion(chat):
    assert chat._coerce_to_bool("Positive, I agree") is True
    assert chat._coerce_to_bool("no - though yes later") is False
    assert chat._coerce_to_bool(False) is False
    with pytest.raises(ValueError, match="Cannot convert"):
        chat._coerce_to_bool("perhaps")
    assert chat._coerce_to_integer("about -8 apples") == -8 and chat._coerce_to_integer(4.0) == 4
    for bad in ("2.75", "none", 4.5):
        with pytest.raises(ValueError, match="Cannot convert"):
            chat._coerce_to_integer(bad)
    assert chat._coerce_to_float("roughly 0.25 of it") == 0.25 and chat._coerce_to_float(3) == 3.0
    with pytest.raises(ValueError, match="Cannot convert"):
        chat._coerce_to_float("")


def test_option_and_json_coercion(chat):
    options = ["tea", "coffee"]
    assert chat._coerce_to_enumerable("COFFEE", options) == "coffee"
    assert chat._coerce_to_enumerable("I'd say tea, not coffee", options) == "tea"
    with pytest.raises(ValueError, match="Cannot find any of"):
        chat._coerce_to_enumerable("water", options)
    assert chat._coerce_to_dict_or_list('Sure: {"a": 1}') == {"a": 1}
    assert chat._coerce_to_list("[1, 2]") == [1, 2]
    for bad in ("7", "plain words"):
        with pytest.raises(ValueError, match="Cannot convert"):
            chat._coerce_to_dict_or_list(bad)
    with pytest.raises(ValueError, match="Cannot convert"):
        chat._coerce_to_list('{"a": 1}')


def test_answer_requests_name_what_they_ask(chat):
    assert "True" in chat._request_bool_llm_message()["content"]
    assert "integer" in chat._request_integer_llm_message()["content"]
    assert "JSON object" in chat._request_dict_llm_message()["content"]
    assert "array" in chat._request_list_llm_message()["content"]
    assert '"tea", "coffee"' in chat._request_enumerable_llm_message(["tea", "coffee"])["content"]


class FakeClient:
    def __init__(self, reply):
        self.reply, self.sent = reply, []

    def send_message(self, messages, **options):
        self.sent.append(messages)
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


def use(monkeypatch, reply):
    fake = FakeClient(reply)
    monkeypatch.setattr(clients, "client", lambda: fake)
    return fake


def test_a_replaced_client_receives_the_conversation(monkeypatch):
    fake = use(monkeypatch, {"role": "assistant", "content": '{"reasoning": "r", "justification": "j", '
                                                             '"value": "17", "confidence": 0.5}'})
    chat = LLMChat(system_prompt="Count.", user_prompt="How many?", output_type=int, enable_reasoning_step=True)
    assert chat.call() == 17
    assert (chat.response_reasoning, chat.response_justification, chat.response_confidence) == ("r", "j", 0.5)
    assert fake.sent[0][-1] == {"role": "user", "content": "How many?"}
    assert chat.messages[-1]["role"] == "assistant"


def test_a_failing_or_empty_client_gives_none(monkeypatch):
    use(monkeypatch, RuntimeError("down"))
    assert LLMChat(user_prompt="hi").call() is None
    use(monkeypatch, {"error": "nothing"})
    assert LLMChat(user_prompt="hi").call() is None
    use(monkeypatch, {"content": "plain words"})
    chat = LLMChat(user_prompt="hi")
    assert chat.call() == "plain words" == chat.response_raw
