"""Images as stimuli against a real OpenAI-compatible server on 127.0.0.1: sent as image content
parts to models that see, replaced by their description (one warning) for models that cannot."""

from __future__ import annotations

import base64
import hashlib
import json
import warnings

import pytest

from tinytroupe import llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.llm.base import ChatRequest, Message
from tinytroupe.llm.images import image_ref
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.testing.loopback_server import LoopbackServer, message_text

# a 1x1 PNG (any bytes would do for the server; these are a real image)
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")


def _reply(body):
    actions = [{"type": "THINK", "content": "Nice colours.", "target": ""}, {"type": "DONE", "content": "", "target": ""}]
    state = {"goals": "look", "context": "an ad", "attention": "the ad", "emotions": "curious"}
    return json.dumps({"actions": actions, "cognitive_state": state})


@pytest.fixture
def ad(tmp_path):
    path = tmp_path / "ad.png"
    path.write_bytes(PNG)
    return path


def _model(server, vision):
    config_manager.update("structured_output_mode", "json_schema")
    model = OpenAIModel(api_key="k", base_url=server.base_url, model="loop-model", timeout=10, vision=vision)
    llm.set_default_model(model)
    return model


def test_a_seen_image_file_goes_to_a_model_that_sees_as_an_image_content_part(ad):
    with LoopbackServer(responder=_reply) as server:
        _model(server, vision=True)
        lisa = TinyPerson("Lisa")
        lisa.see(image=ad, description="A poster for a green running shoe.")
        lisa.act()
        parts = server.image_parts[-1]
        body = server.bodies[-1]
    assert len(parts) == 1
    url = parts[0]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == PNG
    user = body["messages"][1]
    assert user["content"][0]["type"] == "text" and "green running shoe" in user["content"][0]["text"]
    assert isinstance(body["messages"][0]["content"], str)  # the system message stays plain text


def test_an_image_url_is_sent_as_it_is():
    with LoopbackServer(responder=_reply) as server:
        _model(server, vision=True)
        lisa = TinyPerson("Lisa")
        lisa.see(image="https://example.org/ads/shoe.jpg", description="A shoe ad.")
        lisa.act()
        parts = server.image_parts[-1]
    assert parts == [{"type": "image_url", "image_url": {"url": "https://example.org/ads/shoe.jpg"}}]


def test_a_model_that_cannot_see_gets_the_description_with_one_warning(ad):
    with LoopbackServer(responder=_reply) as server:
        _model(server, vision=False)
        lisa = TinyPerson("Lisa")
        lisa.see(image=ad, description="A poster for a green running shoe.")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lisa.act()
            lisa.see(image=ad, description="The same poster, seen again.")
            lisa.act()
        bodies = server.bodies
    assert server.image_parts[-2:] == [[], []]
    assert all(isinstance(m["content"], str) for b in bodies for m in b["messages"])
    assert "green running shoe" in message_text(bodies[-1]["messages"][1])
    seeing = [w for w in caught if "cannot see images" in str(w.message)]
    assert len(seeing) == 1


def test_the_vision_flag_comes_from_the_provider_configuration():
    assert OpenAIModel(api_key="k", model="gpt-4o-mini", timeout=1).capabilities.vision
    assert not OpenAIModel(api_key="k", model="some-text-model", timeout=1).capabilities.vision
    assert OpenAIModel(api_key="k", model="some-text-model", timeout=1, vision=True).capabilities.vision
    assert not OpenAIModel(api_key="k", model="gpt-4o", timeout=1, vision=False).capabilities.vision


def test_text_only_messages_serialise_and_hash_as_before():
    model = OpenAIModel(api_key="k", base_url="http://127.0.0.1:9/v1", model="m", timeout=1)
    request = ChatRequest(messages=[Message(role="system", content="s"), Message(role="user", content="u")])
    assert model.request_params(request)["messages"] == [{"role": "system", "content": "s"},
                                                          {"role": "user", "content": "u"}]
    assert request.cache_payload("openai", "m")["messages"] == [["system", "s"], ["user", "u"]]


def test_images_are_kept_by_reference_and_hash_in_states_and_cache_keys(ad):
    lisa = TinyPerson("Lisa")
    lisa.see(image=ad, description="A poster.")
    state = json.dumps(lisa.encode_complete_state())
    digest = hashlib.sha256(PNG).hexdigest()
    assert digest in state and str(ad.resolve()) in state
    assert base64.b64encode(PNG).decode() not in state
    TinyPerson.clear_agents()
    restored = TinyPerson("Lisa2").decode_complete_state(json.loads(state))
    event = restored.episodic_memory.retrieve_all()[-1]
    assert event.image is not None and event.image.sha256 == digest
    with_image = ChatRequest(messages=[Message(role="user", content="u", images=(image_ref(ad),))])
    plain = ChatRequest(messages=[Message(role="user", content="u")])
    assert with_image.cache_key("p", "m") != plain.cache_key("p", "m")


def test_bad_images_are_refused_with_the_fix(tmp_path):
    from tinytroupe.errors import SpecificationError

    lisa = TinyPerson("Lisa")
    with pytest.raises(SpecificationError, match="cannot be read"):
        lisa.see(image=tmp_path / "missing.png", description="x")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(SpecificationError, match="PNG, JPEG"):
        lisa.see(image=tmp_path / "notes.txt")
    with pytest.raises(SpecificationError, match="needs a visual_description"):
        lisa.see()
    lisa.see("A plain description, as before.")  # the original's first parameter still works
    assert lisa.episodic_memory.retrieve_all()[-1].content == "A plain description, as before."
