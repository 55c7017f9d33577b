"""Tools through the tool-use faculty, a story that steers a world (the original's import paths)."""

from tinytroupe.agent.mental_faculty import TinyToolUse
from tinytroupe.enrichment import TinyEnricher
from tinytroupe.environment import TinyWorld
from tinytroupe.examples import create_lisa_the_data_scientist, create_oscar_the_architect
from tinytroupe.extraction import ArtifactExporter
from tinytroupe.steering import TinyStory
from tinytroupe.tools import TinyCalendar, TinyWordProcessor

exporter = ArtifactExporter(base_output_folder="./outputs/")
enricher = TinyEnricher()
tooluse_faculty = TinyToolUse(tools=[TinyWordProcessor(exporter=exporter, enricher=enricher), TinyCalendar()])

lisa = create_lisa_the_data_scientist()
lisa.add_mental_faculties([tooluse_faculty])
lisa.listen_and_act("Write a one-page proposal for a new analytics dashboard, and save it as a document.")
print(lisa.pretty_current_interactions(last_n=5))

oscar = create_oscar_the_architect()
world = TinyWorld("Office", [lisa, oscar])
world.make_everyone_accessible()
story = TinyStory(world)
start = story.start_story(number_of_words=60)
assert isinstance(start, str) and start
world.broadcast(start)
world.run(1)
more = story.continue_story("Something unexpected happens at the office.", number_of_words=40)
assert isinstance(more, str)
print("tools and story: ok")
