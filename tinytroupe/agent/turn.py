"""One turn of an agent: ask the model once, then shape what comes back into a safe action list.

:func:`decide` never raises on bad model output unless asked to be strict: a failed call
becomes a recorded fallback (a ``THINK`` noting the failure, then ``DONE``). :func:`shape_turn`
is pure: it cuts the list at the first ``DONE``, at the turn cap, or where an action repeats
the previous one, and makes sure the turn ends with ``DONE``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tinytroupe import events, llm
from tinytroupe.agent.actions import (
    COGNITIVE_FIELDS,
    COGNITIVE_MAX_LENGTH,
    CONTENT_MAX_LENGTH,
    Action,
    CognitiveState,
    turn_model,
    turn_schema,
)
from tinytroupe.agent.prompt import action_definitions, build_messages
from tinytroupe.agent.quality import QualityGate, render_proposal
from tinytroupe.config import config_manager
from tinytroupe.errors import AuthenticationError, LLMError, NoModelConfiguredError
from tinytroupe.llm.base import Message
from tinytroupe.prompts import render

if TYPE_CHECKING:
    from tinytroupe.agent.tiny_person import TinyPerson

__all__ = ["Proposal", "TurnResult", "shape_turn", "decide", "apply_turn", "fallback", "is_repetition",
           "tidy_text", "SIMILARITY_THRESHOLD"]

SIMILARITY_THRESHOLD = 0.9
DONE = Action("DONE")


@dataclass
class Proposal:
    """What the model proposed for a turn, before shaping."""

    actions: list[Action]
    cognitive_state: CognitiveState = field(default_factory=CognitiveState)


@dataclass
class TurnResult:
    """A shaped turn: actions ending with DONE, the cognitive state, and what was cut and why."""

    actions: list[Action]
    cognitive_state: CognitiveState
    notes: list[tuple[str, str]] = field(default_factory=list)  # (reason, text)
    fallback_error: str | None = None


def is_repetition(action: Action, previous: Action | None) -> bool:
    """True when ``action`` repeats ``previous``: same type and target, near-identical content."""
    if previous is None or action.type == "DONE":
        return False
    if action.type != previous.type or action.target != previous.target:
        return False
    a, b = action.content.strip().lower(), previous.content.strip().lower()
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() > SIMILARITY_THRESHOLD


def shape_turn(actions: list[Action], cap: int, previous: Action | None = None,
               guard: bool = True) -> tuple[list[Action], list[tuple[str, str]]]:
    """Cut ``actions`` at DONE, the cap or (with ``guard``) a repetition of an action of this
    turn or of ``previous`` (the last one before it); append DONE.

    Returns ``(actions, notes)`` where each note is ``(reason, text)``.
    """
    shaped: list[Action] = []
    notes: list[tuple[str, str]] = []
    for action in actions:
        if action.type == "DONE":
            break
        if len(shaped) >= cap:
            notes.append(("cap", f"Stopped after {cap} actions in one turn (the turn limit)."))
            break
        if guard and any(is_repetition(action, done) for done in (previous, *shaped)):
            notes.append(("repetition", f"Stopped before repeating the same {action.type}; "
                                        "say or do something new next time."))
            break
        shaped.append(action)
    shaped.append(DONE)
    return shaped, notes


def _normal_target(target: str, names: tuple[str, ...]) -> str:
    if not target or target in names:
        return target
    wanted = target.strip().lower()
    for name in names:
        if name.lower() == wanted or name.lower().split()[0] == wanted:
            return name
    return target.strip()


_SENTENCE = re.compile(r"\S.*?(?:[.!?…]+(?=\s|$)|$)", re.DOTALL)


def tidy_text(text: str, limit: int | None = None) -> str:
    """Drop sentences repeated within ``text`` (small models loop), and when ``text`` ran into
    its length bound ``limit``, cut the unfinished last sentence."""
    parts = [p.strip() for p in _SENTENCE.findall(text) if p.strip()]
    kept: list[str] = []
    seen: set[str] = set()
    for part in parts:
        key = " ".join(part.lower().split())
        if key in seen:
            continue
        seen.add(key)
        kept.append(part)
    if limit and len(text) >= limit - 2 and len(kept) > 1 and kept[-1][-1] not in ".!?…":
        kept.pop()
    if len(kept) == len(parts):
        return text.strip()  # nothing to fix: keep the original layout
    return " ".join(kept)


def _to_proposal(value: object, names: tuple[str, ...]) -> Proposal:
    actions = []
    for item in value.actions:  # type: ignore[attr-defined]
        target = "" if item.type in ("THINK", "DONE") else _normal_target(item.target, names)
        actions.append(Action(item.type, tidy_text(item.content, CONTENT_MAX_LENGTH), target))
    state = value.cognitive_state  # type: ignore[attr-defined]
    tidy = {name: tidy_text(getattr(state, name), COGNITIVE_MAX_LENGTH) for name in COGNITIVE_FIELDS}
    return Proposal(actions, CognitiveState(**tidy))


def fallback(agent: TinyPerson, error: Exception) -> TurnResult:
    """The turn recorded when the model gave nothing usable."""
    reason = " ".join(str(error).split())[:200]
    thought = Action("THINK", f"I lost my train of thought and cannot decide what to do right now. ({reason})")
    return TurnResult([thought, DONE], CognitiveState(), fallback_error=f"{type(error).__name__}: {reason}")


# bounds of a turn on the embedded local model (its replies are generated on the CPU)
LOCAL_MAX_ACTIONS = 2
LOCAL_CONTENT_MAX_LENGTH = 280
LOCAL_COGNITIVE_MAX_LENGTH = 80


async def decide(agent: TinyPerson, strict: bool) -> TurnResult:
    """Run one turn: one structured call (plus judge calls when quality checks are on)."""
    model = agent.model or llm.default_model()
    types = tuple(d.type for d in action_definitions(agent))
    names = tuple(agent.accessible_agent_relations())
    max_actions = max(1, min(agent.schema_max_actions, agent.max_actions_per_turn()))
    if model.name == "local":  # a CPU-bound demo model: every generated token costs wall time
        schema = turn_schema(types, names, min(max_actions, LOCAL_MAX_ACTIONS),
                             content_max=LOCAL_CONTENT_MAX_LENGTH, cognitive_max=LOCAL_COGNITIVE_MAX_LENGTH)
    else:
        schema = turn_schema(types, names, max_actions)
    output_type = turn_model(types)
    messages = build_messages(agent)
    max_tokens = int(config_manager.get("max_completion_tokens"))  # the schema bounds the reply anyway

    async def generate(extra: list[Message]) -> Proposal:
        result = await llm.agenerate(model, [*messages, *extra], output_type, schema=schema,
                                     max_tokens=max_tokens, tags={"agent": agent.name, "purpose": "agent_turn"})
        return _to_proposal(result.value, names)

    try:
        proposal = await generate([])
        if agent.quality_checks_enabled():
            proposal = await QualityGate(agent, model, strict).review(proposal, _regenerator(generate))
    except (NoModelConfiguredError, AuthenticationError):
        raise  # configuration problems: every turn would fail the same way
    except LLMError as exc:
        if strict:
            raise
        return fallback(agent, exc)
    if proposal is None:
        return fallback(agent, LLMError("no proposal passed the quality checks"))
    actions, notes = shape_turn(proposal.actions, agent.max_actions_per_turn(), agent.last_action,
                                guard=agent.repetition_guard)
    return TurnResult(actions, proposal.cognitive_state, notes)


def _regenerator(generate: Callable[[list[Message]], Awaitable[Proposal]]):
    async def regenerate(previous: Proposal, score: int, threshold: int, feedback: str) -> Proposal:
        note = render("agent_feedback.md", proposal=render_proposal(previous), score=score,
                      threshold=threshold, feedback=feedback or "(no detail)")
        return await generate([Message(role="user", content=note)])

    return regenerate


async def apply_turn(agent: TinyPerson, result: TurnResult, display: bool = True) -> list[dict]:
    """Record a decided turn: memory, events, faculties, cognitive state; return its entries."""
    sim_time = agent.sim_time()
    if result.fallback_error is not None:
        agent.fallback_count += 1
        events.emit("agent.fallback", source=agent.name, sim_time=sim_time, agent=agent.name,
                    error=result.fallback_error, display=display)
    agent.mental_state.update_cognitive(result.cognitive_state)
    cognitive = agent.mental_state.cognitive_dict()
    entries = []
    for action in result.actions:
        if action.type == "DONE":
            for reason, text in result.notes:
                agent.record_event("note", reason.upper(), text)
                events.emit("agent.guard", source=agent.name, sim_time=sim_time, agent=agent.name,
                            reason=reason, note=text, display=display)
        else:
            agent.record_event("action", action.type, action.content, target=action.target)
            agent.last_action = action
            agent.actions_count += 1
        agent._actions_buffer.append(action.to_dict())
        events.emit("agent.action", source=agent.name, sim_time=sim_time, agent=agent.name,
                    type=action.type, content=action.content, target=action.target, display=display)
        for faculty in agent.mental_faculties:
            if await faculty.aprocess_action(agent, action):
                break
        entries.append({"action": action.to_dict(), "cognitive_state": dict(cognitive)})
    return entries
