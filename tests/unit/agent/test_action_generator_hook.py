"""act() goes through an agent's generator when its proposal step is replaced (the original's
subclassing and patching of ``_generate_tentative_action``), and keeps its single call otherwise."""

from __future__ import annotations

from tinytroupe.agent import TinyPerson
from tinytroupe.agent.action_generator import ActionGenerator, overrides_generation
from tinytroupe.testing.agent_replies import act_reply


class ScriptedGenerator(ActionGenerator):
    """Proposes a fixed sequence of single actions, one per call (the original's style)."""

    def __init__(self, actions, **kwargs):
        super().__init__(enable_quality_checks=False, **kwargs)
        self.actions, self.calls = list(actions), []

    def _generate_tentative_action(self, agent, current_messages, feedback_from_previous_attempt=None,
                                   previous_tentative_action=None, previous_llm_role=None,
                                   previous_llm_content=None):
        self.calls.append(list(current_messages))
        action = self.actions.pop(0)
        return action, "assistant", {"action": action, "cognitive_state": {"goals": "answer"}}


def test_a_subclass_proposal_step_drives_act(scripted):
    ana = TinyPerson("Ana")
    ana.action_generator = ScriptedGenerator([{"type": "TALK", "content": "Hello there", "target": ""},
                                              {"type": "DONE", "content": "", "target": ""}])
    entries = ana.listen_and_act("Hi Ana", return_actions=True)
    assert [e["action"]["type"] for e in entries] == ["TALK", "DONE"]
    assert entries[0]["cognitive_state"] == {"goals": "answer"}
    assert scripted.calls == 0  # the model was never asked
    assert len(ana.action_generator.calls) == 2
    assert ana.action_generator.calls[0][0]["role"] == "system"  # the agent's own messages
    assert ana.episodic_memory.retrieve_all()[-1]["content"]["action"]["content"] == "Hello there"


def test_an_instance_patch_that_falls_back_to_the_model(scripted):
    scripted.queue(act_reply(("TALK", "From the model.")))
    ana = TinyPerson("Ana")
    generator = ActionGenerator(enable_quality_checks=False)
    original, seen = generator._generate_tentative_action, []

    def patched(agent, current_messages, *rest):
        seen.append(len(current_messages))
        return original(agent, current_messages, *rest)

    generator._generate_tentative_action = patched
    ana.action_generator = generator
    entries = ana.listen_and_act("Hi", return_actions=True)
    assert [e["action"]["type"] for e in entries] == ["TALK", "DONE"]  # a decided turn ends with DONE
    assert entries[0]["action"]["content"] == "From the model." and len(seen) == 1
    turn = scripted.requests[0].messages
    assert sum(1 for m in turn if m.role == "system") == 1  # the agent's prompt is not sent twice


def test_the_usual_generator_keeps_the_single_call_path(scripted):
    scripted.queue(act_reply(("TALK", "One call.")))
    ana = TinyPerson("Ana")
    assert not overrides_generation(ana.action_generator)
    assert not overrides_generation(ActionGenerator())
    ana.listen_and_act("Hi")
    assert scripted.calls == 1


def test_loop_detection_applies_to_a_repeating_generator(scripted):
    import logging

    records = []
    handler = logging.Handler()
    handler.emit = records.append  # the library's logger may not propagate (its own [Logging] setup)
    library = logging.getLogger("tinytroupe")
    level = library.level
    library.addHandler(handler)
    library.setLevel(logging.WARNING)
    try:
        ana = TinyPerson("Ana")
        ana.action_generator = ScriptedGenerator([{"type": "THINK", "content": "again", "target": ""}] * 10)
        entries = ana.act(return_actions=True)
    finally:
        library.removeHandler(handler)
        library.setLevel(level)
    assert len(entries) == TinyPerson.LOOP_DETECTION_THRESHOLD
    assert any("acting in a loop" in r.getMessage() for r in records)


def test_episodes_ended_during_generator_turns_are_consolidated():
    from tinytroupe.config import config_manager
    from tinytroupe.llm import ScriptedModel

    config_manager.update_multiple({"max_episode_length": 4, "min_episode_length": 2})
    model = ScriptedModel(responder=lambda request: {"items": [{"kind": "fact", "content": "Bob likes bread."}]})
    ana = TinyPerson("Ana", model=model)
    talk = {"type": "TALK", "content": "Tell me more.", "target": ""}
    ana.action_generator = ScriptedGenerator([talk, {"type": "DONE", "content": "", "target": ""}] * 8)
    for turn in range(8):
        ana.listen(f"Bob talks about bread, part {turn}.", source="Bob")
        ana.act()
    consolidations = [r for r in model.requests if r.tags.get("purpose") == "consolidation"]
    assert consolidations and ana.memory_keeper.consolidations == len(consolidations)
    assert "Bob likes bread." in ana.semantic_memory.facts()
