"""A library of ready-made propositions: general properties a good simulation has.

Each is a :class:`~tinytroupe.experimentation.Proposition` without a target; pass the target
when checking (``persona_adherence.score(target=lisa)``), or take a private copy first
(``persona_adherence.copy()``) where several checks may run at once. The ``action_*``
variants judge proposed next actions given as ``claim_variables={"action": ...}``; their
precondition makes them hold trivially unless one of the actions is a TALK or THINK.
The claim texts are in ``tinytroupe/prompts/proposition_library.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from tinytroupe.experimentation.proposition import Proposition
from tinytroupe.prompts import load_template

__all__ = ["persona_adherence", "action_persona_adherence", "hard_persona_adherence",
           "hard_action_persona_adherence", "self_consistency", "action_self_consistency", "fluency",
           "action_fluency", "action_suitability", "task_completion", "quiet_recently", "divergence",
           "convergence", "action_type_precondition", "claims", "LIBRARY"]

SPOKEN_OR_THOUGHT = ("TALK", "THINK")


def claims() -> dict[str, str]:
    """The library's claim texts, by name."""
    text = load_template("proposition_library.md")
    parts = re.split(r"^## +(\w+) *$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def _action_types(actions: Any) -> list[str]:
    items = actions if isinstance(actions, list) else [actions]
    types = []
    for item in items:
        if isinstance(item, dict):
            kind = item.get("type") or (item.get("action") or {}).get("type")
        else:
            kind = getattr(item, "type", None)
        if kind:
            types.append(str(kind).upper())
    return types


def action_type_precondition(action_types: Iterable[str], present: bool = True) -> Callable[..., bool]:
    """A precondition that holds when any proposed action's type is in ``action_types``
    (with ``present=False``: when any is not)."""
    wanted = {t.upper() for t in action_types}

    def precondition(target: Any, additional_context: Any, claim_variables: dict[str, Any]) -> bool:
        types = _action_types(claim_variables.get("action"))
        return any((t in wanted) == present for t in types)

    return precondition


def _make(name: str, *, include_personas: bool, first_n: int | None = None, last_n: int | None = None,
          action: bool = False) -> Proposition:
    precondition = action_type_precondition(SPOKEN_OR_THOUGHT) if action else None
    return Proposition(claims()[name], include_personas=include_personas, first_n=first_n, last_n=last_n,
                       precondition_function=precondition)


persona_adherence = _make("persona_adherence", include_personas=True)
action_persona_adherence = _make("action_persona_adherence", include_personas=True, first_n=5, last_n=10,
                                 action=True)
hard_persona_adherence = _make("hard_persona_adherence", include_personas=True)
hard_action_persona_adherence = _make("hard_action_persona_adherence", include_personas=True, first_n=5,
                                      last_n=10, action=True)
self_consistency = _make("self_consistency", include_personas=False)
action_self_consistency = _make("action_self_consistency", include_personas=False, first_n=5, last_n=10,
                                action=True)
fluency = _make("fluency", include_personas=False)
action_fluency = _make("action_fluency", include_personas=False, first_n=5, last_n=10, action=True)
action_suitability = _make("action_suitability", include_personas=True, first_n=5, last_n=10, action=True)
task_completion = _make("task_completion", include_personas=False)
quiet_recently = _make("quiet_recently", include_personas=False)
divergence = _make("divergence", include_personas=False)
convergence = _make("convergence", include_personas=False)

LIBRARY: dict[str, Proposition] = {name: globals()[name] for name in claims()}
