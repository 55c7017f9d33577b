"""A broadcast heard by many: one shared stimulus and memory event, the same outcome as listening one by one."""

from __future__ import annotations

from tinytroupe import events
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld


class Whisperer(TinyPerson):
    """An agent whose listen() is its own: a broadcast must still go through it."""

    def listen(self, speech, source=None, communication_display=None):
        self.heard = [*getattr(self, "heard", []), speech]
        return super().listen(speech, source=source, communication_display=communication_display)


def test_every_listener_remembers_the_broadcast_as_one_shared_event():
    people = [TinyPerson(f"P{i}") for i in range(5)]
    odd = Whisperer("Odd")
    world = TinyWorld("Square", [*people, odd], seed=1)
    with events.EventCollector(["agent.stimulus"]) as seen:
        world.broadcast("The market opens at nine.", source=people[0])
    remembered = [p.episodic_memory.retrieve_last(1)[0] for p in people[1:]]
    assert all(e is remembered[0] for e in remembered)  # one object, not one per listener
    first = remembered[0]
    assert (first.role, first.type, first.content, first.source) == \
        ("stimulus", "CONVERSATION", "The market opens at nine.", "P0")
    assert len(people[0].episodic_memory) == 0  # the speaker does not hear itself
    assert odd.heard == ["The market opens at nine."]  # an overridden listen() is still called
    assert odd.episodic_memory.retrieve_last(1)[0] == first
    assert sorted(e.data["agent"] for e in seen.events) == ["Odd", "P1", "P2", "P3", "P4"]
    assert [(e.data["sender"], e.world_id) for e in seen.events] == [("P0", world.id)] * 5


def test_a_broadcast_round_trips_through_saved_state_unchanged():
    people = [TinyPerson(f"Q{i}") for i in range(3)]
    world = TinyWorld("Hall", people, seed=2)
    world.broadcast("Doors close soon.")
    state = world.encode_complete_state()
    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    again = TinyWorld("Hall 2")
    again.decode_complete_state(state)
    assert [a.episodic_memory.to_state() for a in again.agents] == [p.episodic_memory.to_state() for p in people]


def test_a_broadcast_is_shown_by_each_listeners_own_display_switch():
    loud, quiet = TinyPerson("Loud"), TinyPerson("Quiet")
    quiet.communication_display = False
    world = TinyWorld("Porch", [loud, quiet], seed=3)
    with events.EventCollector(["agent.stimulus"]) as seen:
        world.broadcast("Rain is coming.")
    assert {e.data["agent"]: e.data["display"] for e in seen.events} == {"Loud": True, "Quiet": False}
