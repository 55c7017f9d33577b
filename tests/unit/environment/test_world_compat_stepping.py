"""The original's private stepping names on TinyWorld, and the agent views scripts read."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.testing.agent_replies import act_reply


def test_step_under_the_originals_name_runs_one_step(scripted):
    ana = TinyPerson("Ana")
    world = TinyWorld("Room", [ana], initial_datetime=datetime(2024, 1, 1, 9, 0))
    scripted.queue(act_reply(("THINK", "A quiet morning.")))
    actions = world._step(timedelta_per_step=timedelta(minutes=5))
    assert world.current_datetime == datetime(2024, 1, 1, 9, 5)
    assert "Ana" in actions and scripted.calls == 1
    assert ana.last_remembered_action()["content"] == "A quiet morning."


def test_advance_datetime_moves_the_clock_only():
    world = TinyWorld("Clock", [], initial_datetime=datetime(2024, 1, 1, 9, 0))
    world._advance_datetime(timedelta(hours=2))
    world._advance_datetime(None)
    assert world.current_datetime == datetime(2024, 1, 1, 11, 0)
    with pytest.raises(TypeError, match="timedelta"):
        world._advance_datetime(5)


def test_agent_views_of_stimuli_and_pending_actions(scripted):
    bo = TinyPerson("Bo")
    assert bo.stimuli_count == 0 and bo._actions_buffer == []
    bo.listen("Hello")
    bo.see("A red door")
    assert bo.stimuli_count == 2
    scripted.queue(act_reply(("TALK", "Hi there.")))
    bo.act()
    pending = bo._actions_buffer
    assert [a["type"] for a in pending][:1] == ["TALK"]
    pending.clear()  # a copy: the agent's own buffer is unchanged
    assert bo.pop_latest_actions()[0]["content"] == "Hi there." and bo._actions_buffer == []
    assert TinyPerson.PP_TEXT_WIDTH > 0
