"""The embedded SmolLM2 model through llama.cpp: validated objects and seeded replies.

Each reply takes about a second and loading the model a few, so the model is loaded once for
the module and the tests are few.
"""

from __future__ import annotations

import asyncio
from typing import Literal

import pytest
from pydantic import BaseModel

from tinytroupe.llm import ChatRequest, agenerate
from tinytroupe.llm.providers.local import DEFAULT_MAX_TOKENS, LocalModel, default_gguf_path

from .local_model_support import LOCAL_MODEL_MARKS

pytestmark = LOCAL_MODEL_MARKS


class Reaction(BaseModel):
    mood: Literal["happy", "sad", "neutral"]
    comment: str
    stars: int


REACTION_SCHEMA = {
    "type": "object",
    "properties": {
        "mood": {"type": "string", "enum": ["happy", "sad", "neutral"]},
        "comment": {"type": "string", "maxLength": 80},
        "stars": {"type": "integer"},
    },
    "required": ["mood", "comment", "stars"],
}

MESSAGES = [
    {"role": "system", "content": "You are Lisa, a data scientist who loves trains."},
    {"role": "user", "content": "You just rode a new high-speed train. How was it? Reply in JSON."},
]


@pytest.fixture(scope="module")
def model():
    return LocalModel(n_ctx=2048, seed=0)


def test_validated_object_from_the_embedded_model(model):
    result = asyncio.run(agenerate(model, MESSAGES, Reaction, schema=REACTION_SCHEMA,
                                   temperature=0.7, seed=1, max_attempts=2))
    assert isinstance(result.value, Reaction)
    assert result.value.mood in ("happy", "sad", "neutral")
    assert len(result.value.comment) <= 80
    assert result.mode == "json_schema" and result.attempts == 1
    assert result.completion.provider == "local"
    assert result.completion.usage.input_tokens > 0 and result.completion.usage.output_tokens > 0
    assert model.loaded


def test_fixed_seed_gives_identical_output_even_when_called_concurrently(model):
    request = ChatRequest(messages=MESSAGES, temperature=0.9, seed=123, max_tokens=48,
                          response_format={"mode": "json_schema", "json_schema": REACTION_SCHEMA})

    async def both():
        return await asyncio.gather(*(model.complete(request) for _ in range(2)))

    first, second = asyncio.run(both())
    assert first.text == second.text
    assert first.text.startswith("{")


def test_plain_text_reply_respects_the_token_limit(model):
    request = ChatRequest(messages=[{"role": "user", "content": "Name three colours."}],
                          max_tokens=16, seed=4)
    completion = asyncio.run(model.complete(request))
    assert completion.text.strip()
    assert 0 < completion.usage.output_tokens <= 16 < DEFAULT_MAX_TOKENS


def test_configured_local_provider_uses_the_packaged_model():
    from tinytroupe import llm
    from tinytroupe.config import config_manager

    config_manager.update("api_type", "local")
    model = llm.default_model()
    assert model.name == "local"
    assert model.endpoint == str(default_gguf_path().resolve())


def test_a_file_that_is_not_a_model_gives_a_clear_error(tmp_path):
    from tinytroupe.errors import ConfigError

    bogus = tmp_path / "not-a-model.gguf"
    bogus.write_bytes(b"this is not a GGUF file")
    model = LocalModel(bogus, n_ctx=256, n_threads=1)
    request = ChatRequest(messages=[{"role": "user", "content": "hi"}], max_tokens=4)
    with pytest.raises(ConfigError, match="not-a-model.gguf.*LOCAL_MODEL_PATH"):
        asyncio.run(model.complete(request))
