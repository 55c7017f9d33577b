"""Memory inside the agent: consolidation per episode, retrieval into the prompt, state, specs, replay, fork."""

from __future__ import annotations

import json
import re

import pytest

from tinytroupe import control, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.llm import ScriptedModel
from tinytroupe.testing.agent_replies import act_reply, is_turn_request

FACT = "Bob told me his sailboat is called Aurora and is moored in Cascais."
TOPICS = ["bread", "trains", "painting", "football", "chess", "gardening", "taxes", "music", "films", "soup",
          "running", "birds"]


def consolidation_reply(request):
    """What the scripted model makes of an episode: the sailboat fact, else one fact per topic."""
    prompt = request.messages[-1].content
    episode = prompt.split("# What happened")[1]
    if "sailboat" in episode:
        return {"items": [{"kind": "fact", "content": FACT}]}
    topics = [t for t in TOPICS if t in episode]
    return {"items": [{"kind": "fact", "content": f"Bob and I talked about {t}."} for t in topics[:2]]}


def responder(request):
    if request.tags.get("purpose") == "consolidation":
        return consolidation_reply(request)
    if is_turn_request(request):
        return act_reply(("TALK", "Interesting, tell me more.", "Bob"))
    return "(text)"


def bob_says(turn: int) -> str:
    if turn == 5:
        return "By the way, my sailboat is called Aurora; it is moored in Cascais."
    if turn == 55:
        return "Do you remember what my sailboat is called?"
    return f"Let me tell you about {TOPICS[turn % len(TOPICS)]}, it is on my mind today (turn {turn})."


@pytest.fixture
def long_talk_settings():
    config_manager.update_multiple({
        "max_episode_length": 10, "min_episode_length": 4,
        "episodic_memory_fixed_prefix_length": 2, "episodic_memory_lookback_length": 10,
        "enable_continuous_contextual_semantic_memory_retrieval": True,
    })


def _situation(request) -> str:
    return request.messages[-1].content.split("# Your situation now")[1]


def test_sixty_turns_consolidate_per_episode_and_retrieve_relevant_facts(long_talk_settings):
    model = ScriptedModel(responder=responder)
    ana = TinyPerson("Ana", model=model)
    bob = TinyPerson("Bob")
    ana.make_agent_accessible(bob)
    turn_prompts = {}
    for turn in range(1, 61):
        ana.listen(bob_says(turn), source="Bob")
        before = model.calls
        ana.act()
        turn_prompts[turn] = next(r for r in model.requests[before:] if is_turn_request(r))

    consolidations = [r for r in model.requests if r.tags.get("purpose") == "consolidation"]
    assert ana.memory_keeper.episodes == 12 == len(consolidations) == ana.memory_keeper.consolidations
    assert all(r.tags["agent"] == "Ana" for r in consolidations)
    assert FACT in ana.semantic_memory.facts()

    relevant, irrelevant = _situation(turn_prompts[55]), _situation(turn_prompts[54])
    assert "Memories that come to mind now:" in relevant and FACT in relevant
    assert FACT not in irrelevant and "Aurora" not in turn_prompts[54].messages[-1].content
    assert "Aurora" not in turn_prompts[55].messages[-1].content.split("# Your situation now")[0]  # not via episodes
    section = relevant.split("Memories that come to mind now:")[1]
    assert len([line for line in section.splitlines() if line.startswith("- ")]) <= 7

    sizes = {t: sum(len(m.content) for m in turn_prompts[t].messages) for t in (30, 60)}
    assert sizes[60] / sizes[30] <= 1.2


def test_retrieval_is_off_without_an_embedding_model_unless_asked(long_talk_settings):
    config_manager.update("enable_continuous_contextual_semantic_memory_retrieval", "auto")
    model = ScriptedModel(responder=responder)
    ana = TinyPerson("Ana", model=model)
    ana.semantic_memory.store(FACT)
    ana.listen("Do you remember what my sailboat is called?", source="Bob")
    ana.act()
    assert FACT not in model.requests[-1].messages[-1].content  # lexical fallback: auto means off


def test_consolidation_can_be_switched_off_and_called_directly(long_talk_settings):
    model = ScriptedModel(responder=responder)
    ana = TinyPerson("Ana", model=model)
    for turn in range(4):
        ana.listen(bob_says(turn + 4), source="Bob")
    assert ana.consolidate_episode_memories() and FACT in ana.semantic_memory.facts()
    assert model.calls == 1
    ana.listen("short", source="Bob")
    assert not ana.consolidate_episode_memories()  # shorter than MIN_EPISODE_LENGTH: kept going
    config_manager.update("enable_memory_consolidation", False)
    quiet = TinyPerson("Quiet", model=model)
    for turn in range(25):
        quiet.listen(bob_says(turn), source="Bob")
    quiet.act()
    assert not any(r.tags.get("agent") == "Quiet" and r.tags.get("purpose") == "consolidation"
                   for r in model.requests)


def test_reflections_every_n_consolidations(long_talk_settings):
    config_manager.update("reflection_interval", 2)

    def reflective(request):
        if request.response_format.name == "Reflections":
            return {"reflections": ["I notice Bob keeps bringing up his hobbies."]}
        return responder(request)

    model = ScriptedModel(responder=reflective)
    ana = TinyPerson("Ana", model=model)
    for turn in range(1, 21):
        ana.listen(bob_says(turn), source="Bob")
        ana.act()
    reflections = ana.semantic_memory.retrieve_all(item_type="reflection")
    assert [r["content"] for r in reflections] == ["I notice Bob keeps bringing up his hobbies."]
    assert sum(r.response_format.name == "Reflections" for r in model.requests) == 2  # after 2 and 4
    # the same reflection, given twice, is stored once


def _agent_with_memory():
    model = ScriptedModel(responder=responder)
    ana = TinyPerson("Ana", model=model)
    config_manager.update("max_episode_length", 6)
    for turn in range(1, 8):
        ana.listen(bob_says(turn), source="Bob")
        ana.act()
    return ana, model


def test_state_round_trips_exactly_and_restores_without_embedding(long_talk_settings):
    ana, _ = _agent_with_memory()
    ana.retrieve_relevant_memories("sailboat")
    state = ana.encode_complete_state()
    text = json.dumps(state)
    TinyPerson.clear_agents()
    restored = TinyPerson.from_state(json.loads(text))
    assert restored.encode_complete_state() == state
    assert restored.semantic_memory == ana.semantic_memory
    assert restored.episodic_memory.get_current_episode() == ana.episodic_memory.get_current_episode()
    assert restored.retrieve_relevant_memories("sailboat", 3)[0] == FACT


def test_specification_with_memory_round_trips(long_talk_settings, tmp_path):
    ana, _ = _agent_with_memory()
    ana.save_specification(tmp_path / "ana.agent.json", include_memory=True)
    doc = json.loads((tmp_path / "ana.agent.json").read_text())
    assert doc["semantic_memory"]["engrams"] and doc["memory_keeper"]["episodes"] == ana.memory_keeper.episodes
    again = TinyPerson.load_specification(tmp_path / "ana.agent.json", new_agent_name="Ana2")
    assert again.semantic_memory == ana.semantic_memory
    assert again.memory_keeper.to_state() == ana.memory_keeper.to_state()
    assert len(again.episodic_memory) == len(ana.episodic_memory)
    assert again.episodic_memory.get_current_episode() == ana.episodic_memory.get_current_episode()


def test_control_replay_and_fork_keep_memory(long_talk_settings, tmp_path):
    model = ScriptedModel(responder=responder)
    llm.set_default_model(model)
    config_manager.update("max_episode_length", 4)

    def run():
        control.begin(tmp_path / "sim.cache.json")
        ana = TinyPerson("Ana")
        for turn in range(1, 7):
            ana.listen(bob_says(turn), source="Bob")
            ana.act()
        control.checkpoint()
        facts = ana.semantic_memory.facts()
        control.end()
        return facts

    first = run()
    calls = model.calls
    control.reset()
    TinyPerson.clear_agents()
    assert run() == first and FACT in first
    assert model.calls == calls  # replayed: no model call, memory restored from the cache

    from tinytroupe.environment import TinyWorld

    solo = TinyPerson("Solo", model=ScriptedModel(responder=responder))
    solo.semantic_memory.store(FACT)
    solo.retrieve_relevant_memories("sailboat")
    fork = TinyWorld("Harbour", [solo]).fork("Harbour B")
    twin = fork.agents[0]
    assert twin is not solo and twin.semantic_memory == solo.semantic_memory
    assert twin.semantic_memory.to_state() == solo.semantic_memory.to_state()
    twin.semantic_memory.store("Only the twin knows this.")
    assert "Only the twin knows this." not in solo.semantic_memory.facts()


def test_minibio_extended_is_written_once_and_kept(long_talk_settings):
    model = ScriptedModel(responder=lambda r: "Ana is a thoughtful nurse who loves fado.")
    ana = TinyPerson("Ana", model=model)
    ana.define({"age": 31, "occupation": {"title": "Nurse"}})
    assert ana.minibio().startswith("Ana is 31 years old") and model.calls == 0
    bio = ana.minibio(extended=True)
    assert bio.endswith("Ana is a thoughtful nurse who loves fado.") and model.calls == 1
    assert model.requests[0].tags == {"agent": "Ana", "purpose": "generation"}
    assert ana.minibio(extended=True) == bio and model.calls == 1
    state = ana.encode_complete_state()
    TinyPerson.clear_agents()
    again = TinyPerson.from_state(state, model=model)
    assert again.minibio(extended=True) == bio and model.calls == 1
    again.define("age", 32)
    again.minibio(extended=True)
    assert model.calls == 2  # a changed persona gets a new paragraph


def test_full_scan_reads_semantic_and_episodic_memory(long_talk_settings):
    model = ScriptedModel(responder=lambda r: "He mentioned Aurora." if "Aurora" in r.messages[0].content
                          else "NOTHING RELEVANT")
    ana = TinyPerson("Ana", model=model)
    ana.listen(bob_says(5), source="Bob")
    ana.semantic_memory.store("Bob likes soup.")
    assert ana.summarize_relevant_memories_via_full_scan("Bob's boat") == "He mentioned Aurora."
    assert all(r.tags == {"purpose": "recall", "agent": "Ana"} for r in model.requests)
    assert re.search("sailboat", ana.retrieve_relevant_memories("sailboat")[0])


def test_a_failing_embedder_never_stops_a_turn(long_talk_settings):
    from tinytroupe.errors import BadRequestError

    class Broken:
        name, kind, endpoint, default_model = "broken", "dense", "broken://", "broken"

        async def embed(self, request):
            raise BadRequestError("the embedding server is misconfigured")

        async def aclose(self):
            return None

    model = ScriptedModel(responder=responder)
    ana = TinyPerson("Ana", model=model)
    ana.semantic_memory.index._embedder = Broken()
    ana.semantic_memory.store(FACT)
    ana.listen("Do you remember my sailboat?", source="Bob")
    ana.act()
    assert ana.actions_count == 1 and ana.memory_keeper.relevant == []
