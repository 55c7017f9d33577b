"""TinyFactory base class, the original's TinyPersonFactory arguments, and the Jupyter chat widget."""

from __future__ import annotations

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.errors import SimulationError
from tinytroupe.factory import TinyPersonFactory
from tinytroupe.factory.tiny_factory import TinyFactory
from tinytroupe.testing.agent_replies import act_reply


def test_factories_get_unique_names_and_are_listed():
    first, second = TinyFactory(), TinyPersonFactory(context="A bakery", seed=1)
    assert isinstance(second, TinyFactory)
    assert (first.name, second.name) == ("Factory 1", "Factory 2")
    assert TinyFactory.get_factory_by_name("Factory 2") is second
    assert TinyFactory.all_factories == {"Factory 1": first, "Factory 2": second}
    with pytest.raises(SimulationError, match="already exists"):
        TinyFactory(name="Factory 1")
    TinyFactory.clear_factories()
    assert TinyFactory().name == "Factory 1"


def test_the_base_state_round_trips_as_plain_data():
    class Counter(TinyFactory):
        def __init__(self):
            super().__init__(name="Counter")
            self.made = 0

    counter = Counter()
    counter.made = 3
    state = counter.encode_complete_state()
    assert state == {"simulation_id": None, "name": "Counter", "made": 3}
    TinyFactory.clear_factories()
    assert Counter().decode_complete_state(state).made == 3


def test_the_originals_factory_arguments_are_accepted():
    factory = TinyPersonFactory(sampling_space_description="Bakers in Lisbon", total_population_size=2,
                                enforce_usage_of_all_dimensions=True, context="A survey", simulation_id="sim")
    assert factory.enforce_usage_of_all_dimensions and factory.simulation_id == "sim"
    assert factory.total_population_size == 2


def test_the_chat_widget_talks_with_the_selected_agent(scripted):
    from tinytroupe.ui.jupyter_widgets import AgentChatJupyterWidget

    ann, bob = TinyPerson("Ann"), TinyPerson("Bob")
    scripted.queue(act_reply(("THINK", "A customer."), ("TALK", "Hello, what can I get you?")))
    chat = AgentChatJupyterWidget([ann, bob])
    assert chat.agent_dropdown.options == ("Ann", "Bob")
    chat.message_input.value = "Hi there"  # pressing Enter commits the value
    chat.wait(10)
    kinds = [e["type"] for e in chat.conversation_history]
    assert kinds == ["user", "agent"]
    assert "Hello, what can I get you?" in chat.conversation_history[1]["message"]
    assert "Hello, what can I get you?" in chat.conversation_display.value
    assert chat.message_input.value == ""
    assert ann.episodic_memory.retrieve_all(type="CONVERSATION")[0].content == "Hi there"

    chat.agent_dropdown.value = "Bob"
    scripted.queue(RuntimeError("model down"))
    chat.send_message("Are you open?", wait=True)
    assert chat.conversation_history[-1]["type"] == "error"
    assert "model down" in chat.conversation_display.value
    chat.clear_conversation()
    assert chat.conversation_history == []


def test_the_chat_widget_needs_an_agent():
    from tinytroupe.errors import TinyTroupeError
    from tinytroupe.ui.jupyter_widgets import AgentChatJupyterWidget

    with pytest.raises(TinyTroupeError, match="at least one agent"):
        AgentChatJupyterWidget([])


def test_each_simulation_numbers_unnamed_factories_afresh(tmp_path):
    from tinytroupe import control

    TinyFactory()
    control.begin(tmp_path / "one.json")
    assert TinyPersonFactory(context="x", seed=1).name == "Factory 1"
    control.end()
    control.begin(tmp_path / "two.json")
    assert TinyPersonFactory(context="x", seed=1).name == "Factory 1"
    control.end()
