"""On the embedded model, a rating outside the hinted range cannot come back: the schema sends
the range as an enum, which llama.cpp's grammar enforces (it ignores minimum and maximum)."""

from __future__ import annotations

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.extraction import ResultsExtractor
from tinytroupe.llm.providers.local import LocalModel
from tinytroupe.llm.setup import wrap_model

from .local_model_support import LOCAL_MODEL_MARKS

pytestmark = LOCAL_MODEL_MARKS


@pytest.mark.timeout(900)
def test_a_rating_said_out_of_range_is_still_extracted_within_it():
    model = wrap_model(LocalModel(n_ctx=4096, seed=0, n_threads=1))
    extractor = ResultsExtractor(model=model)
    people = []
    for name, said in (("Ravi", "Nine out of ten, I love it."), ("Ute", "Seven! Really good value.")):
        person = TinyPerson(name)
        person.listen("How appealing is FixFlat to you, from 1 to 5?", source="Interviewer")
        person.record_event("action", "TALK", said, target="Interviewer")
        people.append(person)
    rows = extractor.extract_results_from_agents(people, "Each person's rating of FixFlat.",
                                                 fields=["appeal"], fields_hints={"appeal": "an integer from 1 to 5"})
    assert extractor.failures == {}, extractor.failures
    assert all(r["appeal"] is None or 1 <= r["appeal"] <= 5 for r in rows), rows
