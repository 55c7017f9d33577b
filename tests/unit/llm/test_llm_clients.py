"""Clients by API type: ollama, register_client, tinytroupe.clients, custom client classes."""

import pytest
from pydantic import BaseModel

from tinytroupe import clients, llm, openai_utils
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.errors import ConfigError
from tinytroupe.llm.custom import SendMessageModel, unregister_client
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.providers.scripted_replies import act_reply
from tinytroupe.llm.setup import build_provider
from tinytroupe.llm.wrappers import usage_stats
from tinytroupe.testing import LoopbackServer


@pytest.fixture(autouse=True)
def _forget_clients():
    yield
    for name in ("myapi", "subclassed", "scriptedapi", "openai"):
        unregister_client(name)


def test_llm_ollama_is_the_openai_compatible_provider_at_ollamas_address():
    config_manager.update_multiple({"api_type": "ollama", "model": "llama3.1"})
    provider = build_provider()
    assert isinstance(provider, OpenAIModel) and provider.base_url == "http://localhost:11434/v1"
    assert provider.default_model == "llama3.1" and provider.plain_http
    config_manager.update("base_url", "http://gpu-box:11434/v1")
    assert build_provider().base_url == "http://gpu-box:11434/v1"


def test_llm_ollama_calls_go_out_over_http():
    with LoopbackServer() as server:
        config_manager.update_multiple({"api_type": "ollama", "base_url": server.base_url})
        assert llm.complete_text("hi") == "Hello from the loopback server."
        assert server.request_count == 1
        assert server.bodies[0]["model"] == "gpt-4.1-mini"


class EchoClient:
    """A custom client in the original's style: send_message returns an assistant dict."""

    def __init__(self):
        self.calls = []

    def send_message(self, current_messages, temperature=None, response_format=None):
        self.calls.append({"messages": current_messages, "temperature": temperature,
                           "response_format": response_format})
        if response_format is not None:
            import json
            return {"role": "assistant", "content": json.dumps(act_reply(("TALK", "hello from my API")))}
        return {"role": "assistant", "content": f"echo: {current_messages[-1]['content']}"}


def test_llm_a_registered_send_message_client_serves_its_api_type():
    usage_stats().reset()
    echo = EchoClient()
    clients.register_client("myapi", echo)
    clients.force_api_type("myapi")
    assert config_manager.get("api_type") == "myapi"
    assert llm.complete_text("ping", temperature=0.3) == "echo: ping"
    assert echo.calls[0]["temperature"] == 0.3
    agent = TinyPerson("Ana")
    agent.listen("Hi Ana")
    actions = agent.act(return_actions=True)
    assert [a["action"]["content"] for a in actions if a["action"]["type"] == "TALK"] == ["hello from my API"]
    assert echo.calls[-1]["response_format"] == {"type": "json_object"}
    assert "JSON schema" in echo.calls[-1]["messages"][0]["content"]  # the schema is in the prompt
    assert usage_stats().snapshot()["by_model"]["gpt-4.1-mini"]["calls"] == 2
    assert clients.client() is echo


def test_llm_a_custom_client_gets_the_call_cache(tmp_path):
    echo = EchoClient()
    openai_utils.register_client("myapi", echo)
    openai_utils.force_api_type("myapi")
    openai_utils.force_api_cache(True, str(tmp_path / "calls.sqlite"))
    assert llm.complete_text("ping") == llm.complete_text("ping") == "echo: ping"
    assert len(echo.calls) == 1


class SubclassedClient(clients.OpenAIClient):
    """The original's documented way: override the raw call and the extractor."""

    def __init__(self):
        super().__init__()
        self.sent = []

    def _raw_model_call(self, model, chat_api_params):
        self.sent.append(chat_api_params)
        return {"text": "from the subclass: " + chat_api_params["messages"][-1]["content"]}

    def _raw_model_response_extractor(self, response):
        return {"role": "assistant", "content": response["text"]}


def test_llm_a_subclassed_client_class_overrides_the_raw_call():
    sub = SubclassedClient()
    clients.register_client("subclassed", sub)
    config_manager.update("api_type", "subclassed")
    assert isinstance(build_provider(), SendMessageModel)
    assert llm.complete_text("  indented text") == "from the subclass: indented text"
    assert sub.sent[0]["model"] == "gpt-4.1-mini"


def test_llm_a_registered_model_is_used_as_it_is():
    model = llm.ScriptedModel(default="scripted answer")
    clients.register_client("scriptedapi", model)
    clients.force_api_type("scriptedapi")
    assert llm.complete_text("hi") == "scripted answer" and model.calls == 1


class Answer(BaseModel):
    answer: str


def test_llm_builtin_client_send_message_goes_through_the_llm_layer():
    usage_stats().reset()
    with LoopbackServer() as server:
        config_manager.update_multiple({"api_type": "openai", "base_url": server.base_url, "api_key": "k"})
        client = clients.client()
        assert isinstance(client, clients.OpenAIClient) and client.name == "openai"
        reply = client.send_message([{"role": "user", "content": "Hello"}], temperature=0.2)
        assert reply == {"role": "assistant", "content": "Hello from the loopback server."}
        typed = client.send_message([{"role": "user", "content": "Answer me"}], response_format=Answer,
                                    enable_pydantic_model_return=True)
        assert isinstance(typed, Answer)
        assert server.bodies[1]["response_format"]["type"] == "json_schema"
        assert usage_stats().snapshot()["total"]["calls"] == 2


def test_llm_registering_the_builtin_client_keeps_the_native_provider():
    clients.register_client("openai", clients.OpenAIClient())
    config_manager.update_multiple({"api_type": "openai", "base_url": "http://127.0.0.1:9/v1"})
    assert isinstance(build_provider(), OpenAIModel)


def test_llm_unknown_api_type_names_register_client():
    with pytest.raises(ConfigError, match="register_client"):
        config_manager.update("api_type", "nosuchapi")
        build_provider()


def test_llm_register_client_refuses_objects_that_cannot_answer():
    with pytest.raises(ConfigError, match="send_message"):
        clients.register_client("myapi", object())
