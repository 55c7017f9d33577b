"""ResultsExtractor and Normalizer over real HTTP, on a server that takes json_schema and on
one that rejects it (the seam falls back, the results stay typed and in range)."""

from __future__ import annotations

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.extraction import Normalizer, ResultsExtractor
from tinytroupe.llm.providers.openai_compat import OpenAIModel
from tinytroupe.llm.setup import wrap_model
from tinytroupe.testing import LoopbackServer


@pytest.mark.parametrize("mode", ["native", "reject_json_schema", "prompt_only"])
def test_twenty_agents_over_http_come_back_typed(mode):
    if mode == "prompt_only":
        config_manager.update("structured_output_mode", "prompt")
    server_mode = "prose_only" if mode == "prompt_only" else mode
    with LoopbackServer(latency=0.05, mode=server_mode) as server:
        model = wrap_model(OpenAIModel(api_key="k", base_url=server.base_url, model="loop", timeout=10))
        people = []
        for i in range(20):
            person = TinyPerson(f"P{i}")
            person.listen("Rate the app from 1 to 5.", source="Interviewer")
            people.append(person)
        results = ResultsExtractor(model=model).extract_results_from_agents(
            people, fields=["rating", "choice"],
            fields_hints={"rating": "an integer from 1 to 5", "choice": "one of: app, website, shop"})
        assert all(1 <= r["rating"] <= 5 and r["choice"] in ("app", "website", "shop") for r in results)
        assert server.max_in_flight > 1
        normalizer = Normalizer([f"answer {i}" for i in range(30)], n=4, model=model)
        assert len(set(normalizer.normalize_all().values())) <= 4
