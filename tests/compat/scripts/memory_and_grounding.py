"""Memory and grounding with the original's names: faculties, documents, relevant memories."""

from pathlib import Path

from tinytroupe.agent import FilesAndWebGroundingFaculty, RecallFaculty
from tinytroupe.agent.memory import EpisodicConsolidator
from tinytroupe.examples import create_lisa_the_data_scientist

Path("docs").mkdir(exist_ok=True)
Path("docs/q3_report.md").write_text("# Q3 report\n\nDelivery times fell by 12% after the new routing model.\n")

lisa = create_lisa_the_data_scientist()
lisa.add_mental_faculties([RecallFaculty(), FilesAndWebGroundingFaculty(folders_paths=["./docs"])])
lisa.listen_and_act("What did the Q3 report say about delivery times? Look it up in your documents.")

other = create_lisa_the_data_scientist(new_agent_name="Lisa Reader")
other.read_documents_from_folder("./docs")
other.listen_and_act("Have a look at the Q3 report.")

lisa.think("The routing model was a success; I want to present it at the all-hands.")
relevant = lisa.retrieve_relevant_memories("routing model", top_k=5)
assert isinstance(relevant, list)
print(lisa.retrieve_relevant_memories_for_current_context(top_k=3))
assert EpisodicConsolidator is not None
print("memory and grounding: ok")
