"""Memory helpers and the utils namespace as TinyTroupe's examples import them."""

from tinytroupe import utils
from tinytroupe.agent.memory import EpisodicMemory, MemoryProcessor
from tinytroupe.utils import config
from tinytroupe.utils.concurrency import monitor_threads
from tinytroupe.utils.llm import LLMChat, LLMScalarWithJustificationResponse, llm

memory = EpisodicMemory()
memory.store({"role": "user", "content": "Lisa said the report is late.", "type": "stimulus",
              "simulation_timestamp": None})
memory.store({"role": "assistant", "content": "I will help Lisa with the report.", "type": "action",
              "simulation_timestamp": None})
assert memory.count() == 2 and len(memory.retrieve_recent()) == 2


class KeepTalk(MemoryProcessor):
    def process(self, memories, timestamp=None, context=None, persona=None, sequential=True):
        return [m for m in memories if "report" in str(m)]


assert len(KeepTalk().process(memory.retrieve_all())) == 2

assert utils.extract_json("no JSON here") == {}
assert utils.extract_json('Sure: {"answer": 42}') == {"answer": 42}
print(utils.wrap_text("TinyTroupe simulates people. " * 5, width=40))
assert utils.sanitize_dict({"a": "ok"}) == {"a": "ok"}
assert callable(monitor_threads) and callable(config.read_config_file)


@llm()
def slogan(product: str) -> str:
    """Write a short slogan for the product."""
    return f"Write a slogan for {product}."


print(slogan("gazpacho in a bottle"))
chat = LLMChat(system_prompt="You rate slogans.", user_prompt="Rate 'Fresh every day' from 1 to 5.",
               output_type=int)
rating = chat.call()
assert rating is None or isinstance(rating, int)
assert set(LLMScalarWithJustificationResponse.model_fields) == {"justification", "value", "confidence"}
print("memory and utils helpers: ok")
