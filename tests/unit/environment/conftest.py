"""A stand-in agent for world tests that need no model: it plays queued actions and logs stimuli."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tinytroupe import contracts, events
from tinytroupe.agent.actions import Action


class FakePerson:
    """Implements the part of TinyPerson's interface a world uses."""

    def __init__(self, name: str, turns: list[list[tuple]] | None = None, delay: float = 0.0):
        self.name = name
        self.environment: Any = None
        self.accessible: dict[str, str] = {}
        self.received: list[tuple[str, Any, str | None]] = []
        self.turns = list(turns or [])
        self.delay = delay
        self.error: Exception | None = None
        self.acted_after: list[list[tuple]] = []  # what it had received when each turn began

    # stimuli
    def _stim(self, kind: str, content: Any, source: Any = None) -> None:
        source_name = getattr(source, "name", source)
        self.received.append((kind, content, source_name))
        events.emit(contracts.AgentStimulus(self.name, kind, content, source_name or ""), source=self.name)

    def listen(self, speech, source=None):
        self._stim("CONVERSATION", speech, source)

    def hear(self, stimulus, speech, source=None):
        self.listen(speech, source)

    def socialize(self, text, source=None):
        self._stim("SOCIAL", text, source)

    def think(self, thought):
        self._stim("THOUGHT", thought)

    def internalize_goal(self, goal):
        self._stim("INTERNAL_GOAL_FORMULATION", goal)

    def change_context(self, context):
        self._stim("CONTEXT", list(context))

    # accessibility
    def make_agent_accessible(self, agent, relation_description="An agent I can interact with."):
        self.accessible[agent.name] = relation_description

    def make_agent_inaccessible(self, agent):
        self.accessible.pop(agent.name, None)

    def make_all_agents_inaccessible(self):
        self.accessible.clear()

    # acting
    async def aact(self, n=None, until_done=True, return_actions=False, communication_display=None):
        self.acted_after.append(list(self.received))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        turn = self.turns.pop(0) if self.turns else [("DONE", "", "")]
        out = []
        for kind, content, target in turn:
            action = {"type": kind, "content": content, "target": target}
            events.emit(contracts.AgentAction(self.name, **action), source=self.name)
            out.append({"action": action, "cognitive_state": {}})
        return out if return_actions else None

    async def aturn(self, communication_display=None):
        entries = await self.aact(return_actions=True, communication_display=communication_display)
        return [contracts.Acted(Action.from_dict(e["action"]), e["cognitive_state"]) for e in entries]

    # state
    def encode_complete_state(self) -> dict:
        return {"name": self.name, "accessible": dict(self.accessible),
                "received": [list(r) for r in self.received], "turns": [[list(a) for a in t] for t in self.turns]}

    def decode_complete_state(self, state: dict) -> FakePerson:
        self.name = state["name"]
        self.accessible = dict(state["accessible"])
        self.received = [tuple(r) for r in state["received"]]
        self.turns = [[tuple(a) for a in t] for t in state["turns"]]
        return self


@pytest.fixture
def fake():
    """``fake("Ann", turns=[[("TALK", "hi", "Bob")]])`` builds a FakePerson."""
    return FakePerson


@pytest.fixture(autouse=True)
def _fresh_worlds():
    from tinytroupe.environment import TinyWorld

    TinyWorld.clear_environments()
    yield
    TinyWorld.clear_environments()
