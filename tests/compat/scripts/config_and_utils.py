"""Configuration, logging and the LLM utilities, written as TinyTroupe's users write them."""

import logging

from tinytroupe import config_manager, openai_utils, utils
from tinytroupe.utils import LLMChat, config_defaults

config_manager.update("max_content_display_length", 200)
config_manager.update("action_generator_quality_threshold", 6)  # the original's README
config_manager.update("cache_api_calls", False)
assert config_manager.get("action_generator_quality_threshold") == 6
assert config_manager.get("max_content_display_length") == 200
config_manager.update("loglevel_console", "WARNING")
logging.getLogger("tinytroupe").warning("a warning on the console")
openai_utils.force_api_type("openai")


@config_defaults(max_length="max_content_display_length")
def clip(text, max_length=None):
    return text[:max_length]


assert len(clip("x" * 500)) == 200


@utils.llm(temperature=0.5)
def slogan(product: str) -> str:
    """Write a short slogan for the product."""


text = slogan("a bicycle bell")
assert isinstance(text, str)

chat = LLMChat(system_prompt="You answer in one word.", user_prompt="What colour is the sky?")
answer = chat.call()
assert answer is not None
print("config and utils: ok")
