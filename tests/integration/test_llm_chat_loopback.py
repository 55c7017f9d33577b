"""LLMChat and @llm over real HTTP: each output type in json_schema mode and in prompt-only mode."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from tinytroupe.config import config_manager
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.setup import wrap_model
from tinytroupe.testing import LoopbackServer
from tinytroupe.utils import LLMChat, llm


class Review(BaseModel):
    stars: int
    text: str


OUTPUT_TYPES = [
    (bool, lambda v: isinstance(v, bool)),
    (int, lambda v: isinstance(v, int) and not isinstance(v, bool)),
    (float, lambda v: isinstance(v, float)),
    (str, lambda v: isinstance(v, str)),
    (["red", "green", "blue"], lambda v: v in ("red", "green", "blue")),
    (dict, lambda v: isinstance(v, dict)),
    (list, lambda v: isinstance(v, list)),
    (Review, lambda v: isinstance(v, Review)),
]


def model_for(server):
    return wrap_model(OpenAIModel(api_key="k", base_url=server.base_url, model="loop", timeout=5))


@pytest.mark.parametrize("output_type, check", OUTPUT_TYPES, ids=lambda t: getattr(t, "__name__", str(t)))
def test_each_type_in_json_schema_mode(output_type, check):
    with LoopbackServer() as server:
        chat = LLMChat(system_prompt="s", user_prompt="u", output_type=output_type, model=model_for(server))
        assert check(chat.call())
        assert server.bodies[0]["response_format"]["type"] == "json_schema"
        if output_type is not Review:
            assert 0.0 <= chat.response_confidence <= 1.0 and isinstance(chat.response_justification, str)


@pytest.mark.parametrize("output_type, check", OUTPUT_TYPES, ids=lambda t: getattr(t, "__name__", str(t)))
def test_each_type_when_the_server_rejects_json_schema(output_type, check):
    with LoopbackServer(mode="reject_json_schema") as server:
        chat = LLMChat(system_prompt="s", user_prompt="u", output_type=output_type, model=model_for(server))
        assert check(chat.call())
        kinds = [(b.get("response_format") or {}).get("type") for b in server.bodies]
        assert kinds[0] == "json_schema" and kinds[-1] != "json_schema"


@pytest.mark.parametrize("output_type, check", OUTPUT_TYPES, ids=lambda t: getattr(t, "__name__", str(t)))
def test_each_type_in_prompt_only_mode_from_a_prose_server(output_type, check):
    config_manager.update("structured_output_mode", "prompt")
    with LoopbackServer(mode="prose_only") as server:
        chat = LLMChat(system_prompt="s", user_prompt="u", output_type=output_type, model=model_for(server))
        assert check(chat.call())
        body = server.bodies[0]
        assert "response_format" not in body or body["response_format"] is None
        assert '"properties"' in body["messages"][0]["content"]


def test_the_decorator_over_http():
    with LoopbackServer() as server:
        @llm(model=model_for(server))
        def score(text: str) -> int:
            """Score the text from 1 to 10."""

        assert isinstance(score("good"), int)
        assert "Score the text" in server.bodies[0]["messages"][0]["content"]
