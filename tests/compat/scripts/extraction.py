"""Results out of a conversation: extractor, reducer, normaliser, exporter, profiler (the original's names)."""

import json

from tinytroupe.environment import TinyWorld
from tinytroupe.examples import create_lisa_the_data_scientist, create_oscar_the_architect
from tinytroupe.extraction import (
                                           ArtifactExporter,
                                           Normalizer,
                                           ResultsExtractor,
                                           ResultsReducer,
                                           default_extractor,
)
from tinytroupe.profiling import Profiler

lisa, oscar = create_lisa_the_data_scientist(), create_oscar_the_architect()
focus_group = TinyWorld("Focus group", [lisa, oscar])
focus_group.make_everyone_accessible()
focus_group.broadcast("We are testing a new bread-making machine. Would you buy it, and why?")
focus_group.run(2)

extractor = ResultsExtractor()
one = extractor.extract_results_from_agent(lisa, extraction_objective="Find out whether she would buy the machine.",
                                           situation="A focus group about a bread machine.",
                                           fields=["would_buy", "reason"],
                                           fields_hints={"would_buy": "yes or no"}, verbose=True)
assert set(one) >= {"would_buy", "reason"}
many = extractor.extract_results_from_agents([lisa, oscar], extraction_objective="Their opinion of the machine.",
                                             fields=["opinion"])
assert len(many) == 2
summary = default_extractor.extract_results_from_world(focus_group, extraction_objective="The group's consensus.",
                                                       fields=["consensus", "main_objection"])
assert "consensus" in summary
extractor.save_as_json("extraction.json")
json.load(open("extraction.json"))

reducer = ResultsReducer()
reducer.add_reduction_rule("TALK", lambda focus_agent, source_agent, target_agent, kind, event, content, timestamp:
                           {"who": source_agent.name, "said": content})
rows = reducer.reduce_agent(lisa)
print(f"{len(rows)} TALK rows")

normalizer = Normalizer(["too expensive", "pricey", "I love fresh bread", "no space in my kitchen"], n=2)
category = normalizer.normalize("costs too much")
assert isinstance(category, str)

exporter = ArtifactExporter(base_output_folder="exports")
exporter.export("lisa_opinion", {"content": str(one)}, content_type="opinion", target_format="md")

profiler = Profiler(["age", "nationality"])
counts = profiler.profile([lisa, oscar], plot=False)
assert sum(counts["nationality"].values()) == 2
print("extraction: ok")
