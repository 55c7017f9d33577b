"""TinySocialNetwork: accessibility from relations, REACH_OUT only between related agents."""

from __future__ import annotations

from tinytroupe import events
from tinytroupe.environment import TinySocialNetwork


def test_relations_define_who_is_accessible_each_step(fake):
    ann, bob, cy = fake("Ann"), fake("Bob"), fake("Cy")
    net = TinySocialNetwork("Office", seed=1).add_relation(ann, bob, name="team")
    net.add_agent(cy)
    assert ann.accessible == {}  # nothing until a step derives it
    cy.accessible["Ann"] = "stale"
    net.run(1)
    assert set(ann.accessible) == {"Bob"} and set(bob.accessible) == {"Ann"} and cy.accessible == {}
    assert "team" in ann.accessible["Bob"]
    assert net.is_in_relation_with(bob, ann) and net.is_in_relation_with(ann, bob, "team")
    assert not net.is_in_relation_with(ann, cy) and not net.is_in_relation_with(ann, bob, "family")
    assert net.related_agents(bob) == [ann]


def test_reach_out_between_unrelated_agents_is_refused_with_an_event(fake):
    ann = fake("Ann", [[("REACH_OUT", "", "Cy")]])
    bob, cy = fake("Bob"), fake("Cy")
    net = TinySocialNetwork("Office").add_relation(ann, bob)
    net.add_agent(cy)
    with events.collect(["world.reach_out_refused"]) as c:
        net.run(1)
    [event] = c.events
    assert event.data["agent"] == "Ann" and event.data["target"] == "Cy" and event.data["world"] == "Office"
    assert "not related" in event.data["reason"]
    assert "Cy" not in ann.accessible and "Ann" not in cy.accessible
    assert any("not related" in text for kind, text, _ in ann.received if kind == "SOCIAL")


def test_reach_out_between_related_agents_succeeds(fake):
    ann = fake("Ann", [[("REACH_OUT", "", "Bob")]])
    bob = fake("Bob")
    net = TinySocialNetwork("Office").add_relation(ann, bob, "friends")
    with events.collect(["world.reach_out_refused"]) as c:
        net.run(1)
    assert c.events == []
    assert any("reached out" in text for kind, text, _ in bob.received if kind == "SOCIAL")


def test_talk_and_run_work_in_a_network(fake):
    ann = fake("Ann", [[("TALK", "psst", "Bob")], [("TALK", "all", "")]])
    bob, cy = fake("Bob"), fake("Cy")
    net = TinySocialNetwork("Office", agents=[cy]).add_relation(ann, bob)
    net.run(2, parallelize=False)
    assert [c for k, c, _ in bob.received if k == "CONVERSATION"] == ["psst", "all"]
    assert [c for k, c, _ in cy.received if k == "CONVERSATION"] == ["all"]


def test_removing_an_agent_drops_its_relations(fake):
    ann, bob = fake("Ann"), fake("Bob")
    net = TinySocialNetwork("Office").add_relation(ann, bob)
    net.remove_agent(bob)
    assert net.relations == {"default": []} and not net.is_in_relation_with(ann, bob)
