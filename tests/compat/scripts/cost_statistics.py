"""Cost statistics as TinyTroupe's notebooks print them, around a short simulation."""

from tinytroupe import openai_utils
from tinytroupe.environment import TinyWorld
from tinytroupe.examples import create_lisa_the_data_scientist, create_oscar_the_architect

openai_utils.client().reset_cost_stats()

world = TinyWorld("Chat room", [create_lisa_the_data_scientist(), create_oscar_the_architect()])
world.make_everyone_accessible()
world.broadcast("Please discuss how offices will change in the next ten years.")
world.run(1)

stats = openai_utils.client().get_cost_stats()
print(stats)
assert set(stats) == {"input_tokens", "output_tokens", "total_tokens", "model_calls", "cached_calls"}
assert stats["model_calls"] >= 2 and stats["total_tokens"] == stats["input_tokens"] + stats["output_tokens"]
openai_utils.client().pretty_print_cost_stats()
openai_utils.pretty_print_global_cost_stats()

openai_utils.client().reset_cost_stats()
assert openai_utils.client().get_cost_stats()["model_calls"] == 0
assert openai_utils.get_global_cost_stats()["model_calls"] >= stats["model_calls"]

from tinytroupe.clients.openai_client import OpenAIClient  # noqa: E402 - the original's module path

assert isinstance(openai_utils.client(), OpenAIClient) and openai_utils.client().cache_api_calls is False
print("cost statistics: ok")
