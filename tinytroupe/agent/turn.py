"""One turn of an agent: ask the model once, then shape what comes back into a safe action list.

:func:`decide` works from a :class:`TurnPlan` (the prompt the agent's parts assembled, the
reachable names, the bounds) and never sees the agent. It never raises on bad model output
unless asked to be strict: a failed call becomes a fallback (a ``THINK`` that says the agent
lost its train of thought, then ``DONE``), with the failure's type and a short fixed reason
kept apart from anything the agent perceives: provider text never reaches memory, prompts
or saved states. :func:`shape_turn` is pure: it cuts the list at the first ``DONE``, at the
turn cap, or where an action repeats the previous one, and makes sure the turn ends with
``DONE``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tinytroupe import llm
from tinytroupe.agent.actions import (
    COGNITIVE_FIELDS,
    COGNITIVE_MAX_LENGTH,
    CONTENT_MAX_LENGTH,
    Action,
    CognitiveState,
    turn_model,
    turn_schema,
)
from tinytroupe.agent.prompt import TurnPrompt
from tinytroupe.contracts import Failure, failure_of, resolve_name
from tinytroupe.errors import (
    AuthenticationError,
    LLMError,
    NoModelConfiguredError,
)
from tinytroupe.llm.base import LLMModel, Message, capabilities_of
from tinytroupe.llm.images import for_model
from tinytroupe.prompts import render

__all__ = ["Proposal", "render_proposal", "TurnResult", "TurnPlan", "Failure", "shape_turn", "decide", "fallback", "is_repetition",
           "tidy_text", "failure_of", "SIMILARITY_THRESHOLD"]

SIMILARITY_THRESHOLD = 0.9
DONE = Action("DONE")


@dataclass
class Proposal:
    """What the model proposed for a turn, before shaping."""

    actions: list[Action]
    cognitive_state: CognitiveState = field(default_factory=CognitiveState)


def render_proposal(proposal: Proposal) -> str:
    """A proposal as short lines, for the judge and for feedback."""
    lines = []
    for a in proposal.actions:
        arrow = f" -> {a.target}" if a.target else ""
        lines.append(f"[{a.type}{arrow}] {a.content}".rstrip())
    return "\n".join(lines) or "(no actions)"


@dataclass
class TurnResult:
    """A shaped turn: actions ending with DONE, the cognitive state, and what was cut and why."""

    actions: list[Action]
    cognitive_state: CognitiveState
    notes: list[tuple[str, str]] = field(default_factory=list)  # (reason, text)
    failure: Failure | None = None

    @property
    def fallback_error(self) -> str | None:
        """``"<type>: <reason>"`` of a fallback turn, else None."""
        return f"{self.failure.error_type}: {self.failure.reason}" if self.failure else None


@dataclass(frozen=True)
class TurnPlan:
    """Everything one turn needs, gathered by the agent from its parts and settings."""

    prompt: TurnPrompt
    targets: tuple[str, ...]
    max_actions: int
    schema_max_actions: int | None = None
    previous: Action | None = None
    repetition_guard: bool = True
    max_tokens: int | None = None
    tags: dict[str, str] = field(default_factory=dict)


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


_SENTENCE = re.compile(r"\S.*?(?:[.!?…]+(?=\s|$)|$)", re.DOTALL)
_BREAK = re.compile(r"[.!?…]\s")  # where one sentence may end and another begin


def tidy_text(text: str, limit: int | None = None) -> str:
    """Drop sentences repeated within ``text`` (small models loop), and when ``text`` ran into
    its length bound ``limit``, cut the unfinished last sentence."""
    if _BREAK.search(text) is None:  # one sentence at most: nothing to drop or cut
        return text.strip()
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


def _to_proposal(value: object, names: tuple[str, ...], content_max: int = CONTENT_MAX_LENGTH,
                 cognitive_max: int = COGNITIVE_MAX_LENGTH) -> Proposal:
    actions = []
    for item in value.actions:  # type: ignore[attr-defined]
        target = "" if item.type in ("THINK", "DONE") else (resolve_name(item.target, names) or item.target.strip())
        actions.append(Action(item.type, tidy_text(item.content, content_max), target))
    state = value.cognitive_state  # type: ignore[attr-defined]
    tidy = {name: tidy_text(getattr(state, name), cognitive_max) for name in COGNITIVE_FIELDS}
    return Proposal(actions, CognitiveState(**tidy))


LOST_THOUGHT = "I lost my train of thought and cannot decide what to do right now."


def fallback(error: BaseException) -> TurnResult:
    """The turn recorded when the model gave nothing usable (the error is kept out of it)."""
    return TurnResult([Action("THINK", LOST_THOUGHT), DONE], CognitiveState(), failure=failure_of(error))


class _NoProposal(LLMError):
    short_reason = "no proposal passed the quality checks"


Review = Callable[[Proposal, Callable[..., Awaitable[Proposal]]], Awaitable["Proposal | None"]]


async def decide(plan: TurnPlan, model: LLMModel | None = None, strict: bool = False,
                 review: Review | None = None, extra: tuple[Message, ...] = ()) -> TurnResult:
    """Run one turn: one structured call (plus judge calls when ``review`` is given); ``extra``
    messages follow the plan's prompt."""
    model = model or llm.default_model()
    caps = capabilities_of(model)
    schema_cap = min(c for c in (plan.max_actions, plan.schema_max_actions, caps.max_actions_per_turn) if c)
    content_max = max([caps.max_content_length or CONTENT_MAX_LENGTH,
                       *(d.max_content_length for d in plan.prompt.definitions if d.max_content_length)])
    cognitive_max = caps.max_cognitive_length or COGNITIVE_MAX_LENGTH
    types = plan.prompt.action_types
    schema = turn_schema(types, plan.targets, max(1, schema_cap), content_max=content_max,
                         cognitive_max=cognitive_max)
    output_type = turn_model(types)
    messages = [*for_model(plan.prompt.messages(), caps.vision, model), *extra]  # images only to models that see

    async def generate(extra: list[Message]) -> Proposal:
        result = await llm.agenerate(model, [*messages, *extra], output_type, schema=schema,
                                     max_tokens=plan.max_tokens, tags=dict(plan.tags))
        return _to_proposal(result.value, plan.targets, content_max, cognitive_max)

    try:
        proposal: Proposal | None = await generate([])
        if review is not None and proposal is not None:
            proposal = await review(proposal, _regenerator(generate))
    except (NoModelConfiguredError, AuthenticationError):
        raise  # configuration problems: every turn would fail the same way
    except LLMError as exc:
        if strict:
            raise
        return fallback(exc)
    if proposal is None:
        return fallback(_NoProposal("no proposal passed the quality checks"))
    actions, notes = shape_turn(proposal.actions, plan.max_actions, plan.previous, guard=plan.repetition_guard)
    return TurnResult(actions, proposal.cognitive_state, notes)


def _regenerator(generate: Callable[[list[Message]], Awaitable[Proposal]]):
    async def regenerate(previous: Proposal, score: int, threshold: int, feedback: str) -> Proposal:
        note = render("agent_feedback.md", proposal=render_proposal(previous), score=score,
                      threshold=threshold, feedback=feedback or "(no detail)")
        return await generate([Message(role="user", content=note)])

    return regenerate
